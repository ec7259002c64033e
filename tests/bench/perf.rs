//! `perf record` attached to a running benchmark process, for `cargo xtask profile` (which sets
//! FOLGESVENN_PERF_DIR). Stopped with SIGINT, as perf expects; the data goes to `DIR/NAME.data`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use anyhow::{Context, Result};

/// Where profiles go, when a profile was asked for.
pub fn dir() -> Option<PathBuf> {
    std::env::var_os("FOLGESVENN_PERF_DIR").map(PathBuf::from)
}

pub struct Perf(Child);

impl Perf {
    /// Samples 199 times a second, or as often as FOLGESVENN_PERF_HZ says (a run of a tenth of a
    /// second needs thousands to say anything).
    pub fn attach(pid: u32, dir: &Path, name: &str) -> Result<Perf> {
        let hz = std::env::var("FOLGESVENN_PERF_HZ").unwrap_or_else(|_| "199".into());
        let child = Command::new("perf")
            .args(["record", "-q", "-F", &hz])
            .args(["--call-graph", "dwarf,16384", "-o"])
            .arg(dir.join(format!("{name}.data")))
            .args(["-p", &pid.to_string()])
            .spawn()
            .context("perf record (apt-get install linux-perf)")?;
        // perf needs a moment to attach before the work starts.
        std::thread::sleep(Duration::from_millis(500));
        Ok(Perf(child))
    }

    pub fn stop(mut self) -> Result<()> {
        Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status()?;
        self.0.wait()?;
        Ok(())
    }
}
