//! Deflates the two DejaVu fonts into the build directory: the app binary carries them at about
//! half their size (734 KB less), and an export inflates them once (`pdf.rs`, `Face::load`).

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] {
        let source = format!("fonts/{name}");
        println!("cargo::rerun-if-changed={source}");
        let font = std::fs::read(&source).expect("the fonts are part of the crate");
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&font).expect("deflating into memory");
        let deflated = encoder.finish().expect("deflating into memory");
        std::fs::write(out.join(format!("{name}.deflate")), deflated).expect("OUT_DIR is writable");
    }
}
