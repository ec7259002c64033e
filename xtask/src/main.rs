//! `cargo xtask`: the one entry point for every developer task, the same locally and in CI.
//!
//! - `cargo xtask setup`  installs what a fresh Debian 12 machine lacks (apt packages).
//! - `cargo xtask run`    sets up, builds, and runs the app window with a local relay;
//!   `--demo` seeds a paired adviser and employer and opens both windows.
//! - `cargo xtask demo`   the headless demo of the device CLI (no window needed).
//! - `cargo xtask test`   sets up, then runs every check and test: rustfmt, clippy, the
//!   dependency-direction invariants, the whole test suite, the real-window tests (two app
//!   instances through tauri-driver under Xvfb; installs tauri-driver), and last the fuzz smoke
//!   run (`cargo xtask fuzz`). `--long` runs the long mode (1,000 kills in the crash scenario,
//!   more proptest cases, longer fuzzing, and a build check of the store with the vendored
//!   OpenSSL that mobile targets need).
//! - `cargo xtask fuzz`   builds the cargo-fuzz targets in `fuzz/` once (nightly; installs
//!   cargo-fuzz if missing) and runs each for 20 seconds, 5 minutes with `--long`, replaying the
//!   regression fixtures in `fuzz/fixtures/` first. Any crash fails it (`fuzz/README.md`).
//! - `cargo xtask lint`   rustfmt, clippy and the dependency-direction and import-circle
//!   invariants only; `cargo xtask circles` the import-circle check alone.
//! - `cargo xtask bench`  runs the benchmarks in release mode and rewrites BENCHMARKS.md's tables.
//! - `cargo xtask package` builds the .deb (`tauri build --bundles deb`, the `dist` profile, the
//!   relay inside) into `target/dist/bundle/deb/`; `--check` also builds an older one and runs
//!   the package test: install, start under Xvfb, upgrade keeping the data, remove (as root;
//!   `docs/install.md`).
//!
//! It depends on nothing but `anyhow` and `syn` (for the import-circle check), so it builds in
//! seconds on a machine that has only Rust.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod commands;
mod modules;

/// Debian packages the build and the tests need: a C toolchain and OpenSSL headers for SQLCipher,
/// the stock sqlite3 (the encryption-at-rest test shows it cannot read our files), and D-Bus with
/// gnome-keyring for a real Secret Service in the keystore test.
const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "sqlite3",
    "dbus",
    "dbus-x11",
    "gnome-keyring",
    "libsecret-tools",
    // The app window: WebKitGTK and friends (../shared/TAURI-ON-LINUX.md).
    "curl",
    "wget",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "libxdo-dev",
    // Real-window tests: a virtual X server, WebKit's WebDriver, screenshots, fonts.
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "x11-apps",
    "imagemagick",
    "fonts-dejavu-core",
    // The exported PDFs read back as text (pdftotext) by the tests.
    "poppler-utils",
    // The relay's PostgreSQL backend, tested against a cluster of the tests' own (`Postgres`).
    "postgresql",
    "at-spi2-core",
];

/// What the crates at the core must never depend on (ARCHITECTURE.md, "Invariants").
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "folgesvenn-domain",
        &[
            "tauri",
            "tokio",
            "rusqlite",
            "libsqlite3-sys",
            "reqwest",
            "axum",
            "keyring",
        ],
    ),
    ("folgesvenn-store", &["tauri", "tokio", "reqwest", "axum"]),
    // The protocol is pure: no runtime, no database, no documents.
    (
        "folgesvenn-protocol",
        &[
            "tauri",
            "tokio",
            "rusqlite",
            "reqwest",
            "axum",
            "automerge",
            "folgesvenn-domain",
        ],
    ),
    // The sync engine knows no UI.
    ("folgesvenn-sync", &["tauri"]),
    // Exports turn what the store hands over into bytes: no network, no runtime, no window.
    (
        "folgesvenn-export",
        &["tauri", "tokio", "reqwest", "axum", "folgesvenn-sync"],
    ),
    // Everything the window does is testable without a window.
    ("folgesvenn-app-core", &["tauri", "wry", "webkit2gtk"]),
    // The relay never decodes documents: it cannot even link the code that would.
    (
        "folgesvenn-relay",
        &[
            "automerge",
            "autosurgeon",
            "folgesvenn-domain",
            "folgesvenn-store",
            "tauri",
        ],
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_owned()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {cmd:?}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let started = std::time::Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("could not start {cmd:?}"))?;
    // Where a long CI run spends its time, read off its log.
    let took = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("{cmd:?} failed with {status} after {took:.1} s");
    }
    eprintln!("xtask: took {took:.1} s");
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn setup() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| !installed(p))
        .collect();
    if missing.is_empty() {
        eprintln!("xtask setup: all apt packages present");
        return Ok(());
    }
    eprintln!("xtask setup: installing {}", missing.join(" "));
    let is_root = is_root();
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = if is_root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    apt(&args)
}

/// tauri-driver, pinned: the WebDriver server in front of WebKitWebDriver for the window tests.
const TAURI_DRIVER_VERSION: &str = "2.1.0";

fn tauri_driver_path() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin/tauri-driver")
}

fn setup_tauri_driver() -> Result<()> {
    let listed = cargo()
        .args(["install", "--list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let wanted = format!("tauri-driver v{TAURI_DRIVER_VERSION}:");
    if listed.lines().any(|l| l.trim() == wanted) && tauri_driver_path().exists() {
        return Ok(());
    }
    eprintln!("xtask: installing tauri-driver {TAURI_DRIVER_VERSION}");
    run(cargo().args([
        "install",
        "tauri-driver",
        "--version",
        TAURI_DRIVER_VERSION,
        "--locked",
    ]))
}

/// The real-window tests (`tests/window/`): the built app, two instances, a relay, WebDriver.
fn window_tests() -> Result<()> {
    setup_tauri_driver()?;
    run(cargo_ws("test")
        .args([
            "--test",
            "window",
            // Not `app_figures`: that one is `cargo xtask bench`'s, on the dist binary.
            "adviser_and_employer",
            "--",
            "--ignored",
            "--nocapture",
        ])
        .env("FOLGESVENN_APP", root().join("target/debug/folgesvenn"))
        .env("TAURI_DRIVER", tauri_driver_path()))
}

fn check_dependency_direction() -> Result<()> {
    for (krate, forbidden) in FORBIDDEN {
        let out = cargo()
            .args([
                "tree",
                "-p",
                krate,
                "-e",
                "normal,build",
                "--prefix",
                "none",
                "--format",
                "{p}",
            ])
            .current_dir(root())
            .output()?;
        if !out.status.success() {
            bail!(
                "cargo tree -p {krate} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let tree = String::from_utf8_lossy(&out.stdout);
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            if forbidden.contains(&name) {
                bail!("{krate} depends on {name}, which ARCHITECTURE.md forbids");
            }
        }
        eprintln!("xtask: {krate} depends on none of {}", forbidden.join(", "));
    }
    Ok(())
}

/// The Tauri shell, built with the UI embedded from `ui/dist` (`custom-protocol`), as the
/// real-window tests start it.
const SHELL: &str = "folgesvenn-shell";

/// Every cargo build, test and lint here selects the whole workspace with the shell's feature:
/// cargo unifies dependency features over the packages an invocation selects, so `-p relay` and
/// `-p shell` would each build tokio, serde and what depends on them with another feature set,
/// and compile them again. One selection, one feature set: each dependency compiles once per
/// profile (and once more, in check mode, for clippy).
fn cargo_ws(subcommand: &str) -> Command {
    let mut cmd = cargo();
    cmd.args([
        subcommand,
        "--workspace",
        "--features",
        "folgesvenn-shell/custom-protocol",
    ]);
    cmd
}

fn npm(args: &[&str]) -> Result<()> {
    run(Command::new("npm")
        .args(args)
        .current_dir(root().join("ui")))
}

/// Node 20+ and the UI's npm packages, exactly as locked.
fn setup_ui() -> Result<()> {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .context("the UI needs Node.js 20 or newer (node not found)")?;
    let v = String::from_utf8_lossy(&version.stdout);
    let major: u32 = v
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        bail!("the UI needs Node.js 20 or newer, found {}", v.trim());
    }
    if !root().join("ui/node_modules/.package-lock.json").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root().join("ui")))?;
    }
    Ok(())
}

fn lint() -> Result<()> {
    run(cargo().args(["fmt", "--all", "--check"]))?;
    setup_ui()?;
    npm(&["run", "typecheck"])?;
    npm(&["run", "lint"])?;
    npm(&["test"])?;
    // The shell embeds the built UI at compile time, clippy's check included.
    npm(&["run", "build"])?;
    run(cargo_ws("clippy").args(["--all-targets", "--", "-D", "warnings"]))?;
    check_dependency_direction()?;
    commands::check_command_list(&root())?;
    modules::check_no_import_circles(&root())
}

/// ts-rs writes `ui/src/bindings/` when the app core's tests run; the committed files must be
/// what the Rust types say now.
fn check_bindings_fresh() -> Result<()> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--", "ui/src/bindings"])
        .current_dir(root())
        .output()?;
    let changed = String::from_utf8_lossy(&out.stdout);
    if !changed.trim().is_empty() {
        bail!(
            "ui/src/bindings is out of date with the Rust types; commit the regenerated files:\n{changed}"
        );
    }
    eprintln!("xtask: TypeScript bindings are fresh");
    Ok(())
}

/// Everything the tests run, in one build: the app binary with the UI embedded
/// (`target/debug/folgesvenn`), the relay and device CLIs, every test and the benchmark harnesses.
fn build_all() -> Result<()> {
    setup_ui()?;
    npm(&["run", "build"])?;
    run(cargo_ws("build").arg("--all-targets"))
}

/// The app with a local relay: builds both, starts the relay on its embedded SQLite store under
/// `target/run/` (kept between runs, like the device's own data), then the app window; stopping
/// the app stops the relay.
///
/// With `--demo`: a fresh relay and two fresh devices under `target/run/demo/`, seeded by the
/// device CLI with a realistic placement (goals, training plan, a visit with an adviser-only
/// note) and paired, the employer having logged a day with "contact me"; then two windows, the
/// adviser's and the employer's, syncing every two seconds.
fn run_app(demo: bool) -> Result<()> {
    setup()?;
    setup_ui()?;
    npm(&["run", "build"])?;
    // The app, the relay and the device CLI in one build: one feature set, each dependency once.
    run(cargo_ws("build").arg("--bins"))?;
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "no display: the app needs a desktop session (or run it under Xvfb: \
             `Xvfb :99 & DISPLAY=:99 cargo xtask run`); `cargo xtask demo` runs without one"
        );
    }
    let dir = if demo {
        let d = root().join("target/run/demo");
        if d.exists() {
            std::fs::remove_dir_all(&d)?;
        }
        d
    } else {
        root().join("target/run")
    };
    std::fs::create_dir_all(&dir)?;
    const RELAY: &str = "http://127.0.0.1:8787";
    let mut relay = Command::new(root().join("target/debug/folgesvenn-relay"))
        .args(["serve", "--listen", "127.0.0.1:8787", "--db"])
        .arg(dir.join("relay.db"))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("relay.log"))?)
        .spawn()
        .context("starting the relay")?;
    eprintln!(
        "xtask: relay on {RELAY} (pid {}), its log in {}",
        relay.id(),
        dir.join("relay.log").display()
    );
    let result = (|| -> Result<()> {
        let devices: Vec<PathBuf> = if demo {
            let (adviser, employer) = (dir.join("adviser"), dir.join("employer"));
            // Give the relay a moment to bind before the first sync.
            std::thread::sleep(std::time::Duration::from_millis(500));
            run(Command::new(root().join("target/debug/folgesvenn-device"))
                .arg("demo")
                .arg("--dir")
                .arg(&adviser)
                .arg("--employer-dir")
                .arg(&employer)
                .args(["--relay", RELAY])
                .env("FOLGESVENN_PASSPHRASE", "demo-passord-123"))?;
            for d in [&adviser, &employer] {
                std::fs::write(d.join("app.json"), format!("{{\"relay\": \"{RELAY}\"}}\n"))?;
            }
            eprintln!(
                "xtask: two windows, the adviser's and the employer's; if asked, the passphrase is \
                 demo-passord-123"
            );
            vec![adviser, employer]
        } else {
            vec![dir.join("device")]
        };
        let mut apps = Vec::new();
        for d in &devices {
            eprintln!("xtask: app with data in {}", d.display());
            let mut cmd = Command::new(root().join("target/debug/folgesvenn"));
            cmd.env("FOLGESVENN_DATA_DIR", d);
            if demo {
                cmd.env("FOLGESVENN_SYNC_INTERVAL_MS", "2000");
            }
            apps.push(cmd.spawn().context("starting the app")?);
        }
        let mut failed = None;
        for mut app in apps {
            let status = app.wait()?;
            if !status.success() {
                failed = Some(status);
            }
        }
        match failed {
            Some(status) => bail!("the app exited with {status}"),
            None => Ok(()),
        }
    })();
    let _ = relay.kill();
    let _ = relay.wait();
    result
}

/// The Debian package's name: `productName` ("Følgesvenn") is not a valid one, so the package
/// build names it so; the desktop entry (`src-tauri/folgesvenn.desktop`) still shows «Følgesvenn».
const DEB_NAME: &str = "folgesvenn";

/// The version the package check builds as "the previous package" when
/// `FOLGESVENN_PREVIOUS_DEB` names none: older than any release, so `dpkg -i` of the new one is an
/// upgrade.
const PREVIOUS_DEB_VERSION: &str = "0.0.1";

/// `cargo xtask package`: the .deb an IT department installs. `check`: also the package test
/// (`the_package_installs_…` in `tests/window/`): the previous package installed, the app
/// started on it under Xvfb, the new one over it keeping the data, then removed. Returns the .deb.
fn package(check: bool) -> Result<PathBuf> {
    setup()?;
    setup_ui()?;
    npm(&["run", "build"])?;
    let previous = match std::env::var_os("FOLGESVENN_PREVIOUS_DEB") {
        Some(p) => PathBuf::from(p),
        None if check => build_deb(Some(PREVIOUS_DEB_VERSION))?,
        None => PathBuf::new(),
    };
    let deb = build_deb(None)?;
    eprintln!("xtask: the package is {}", deb.display());
    if check {
        setup_tauri_driver()?;
        run(cargo_ws("test")
            .args([
                "--test",
                "window",
                "the_package_installs",
                "--",
                "--ignored",
                "--nocapture",
            ])
            .env("FOLGESVENN_DEB", &deb)
            .env("FOLGESVENN_PREVIOUS_DEB", &previous)
            .env("TAURI_DRIVER", tauri_driver_path()))?;
    }
    Ok(deb)
}

/// One .deb, at `version` or the one in `tauri.conf.json`: the relay built first (the package's
/// `bundle.linux.deb.files` takes it from `target/dist/`), then the Tauri CLI from the UI's npm
/// packages builds the app in the `dist` profile and bundles both.
fn build_deb(version: Option<&str>) -> Result<PathBuf> {
    run(cargo().args(["build", "--profile", "dist", "-p", "folgesvenn-relay"]))?;
    let version = match version {
        Some(v) => v.to_owned(),
        None => app_version()?,
    };
    let config = format!(r#"{{"productName":"{DEB_NAME}","version":"{version}"}}"#);
    run(Command::new(root().join("ui/node_modules/.bin/tauri"))
        .args(["build", "--bundles", "deb", "--ci", "--config", &config])
        .args(["--", "--profile", "dist"])
        .current_dir(root().join("src-tauri")))?;
    let deb = root().join(format!(
        "target/dist/bundle/deb/{DEB_NAME}_{version}_amd64.deb"
    ));
    if !deb.exists() {
        bail!("the Tauri CLI wrote no {}", deb.display());
    }
    Ok(deb)
}

/// The app's version, as `src-tauri/tauri.conf.json` gives it.
fn app_version() -> Result<String> {
    let conf = std::fs::read_to_string(root().join("src-tauri/tauri.conf.json"))?;
    conf.lines()
        .find_map(|l| l.trim().strip_prefix("\"version\": \""))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .context("no \"version\" in src-tauri/tauri.conf.json")
}

fn test(long: bool) -> Result<()> {
    report_free_disk();
    setup()?;
    lint()?;
    build_all()?;
    let mut cmd = cargo_ws("test");
    if long {
        cmd.env("FOLGESVENN_LONG", "1").env("PROPTEST_CASES", "256");
    }
    run(&mut cmd)?;
    // The relay's storage story, its HTTP tests, the SIGKILL test (two relay processes) and the
    // two-process scenario again on PostgreSQL, on a cluster started for them and stopped after, also when a test fails.
    {
        let postgres = Postgres::start()?;
        run(cargo_ws("test")
            .args([
                "--test",
                "storage",
                "--test",
                "api",
                "--test",
                "kill",
                "--",
                "--include-ignored",
            ])
            .env("FOLGESVENN_TEST_POSTGRES", &postgres.url))?;
        // Real devices syncing through two relay processes behind a load balancer.
        run(cargo_ws("test")
            .args([
                "--test",
                "scenarios",
                "scale::devices_syncing",
                "--",
                "--ignored",
            ])
            .env("FOLGESVENN_TEST_POSTGRES", &postgres.url))?;
        // Alone: they stop and start the cluster.
        run(cargo_ws("test")
            .args(["--test", "restart", "--", "--include-ignored"])
            .env("FOLGESVENN_TEST_POSTGRES", &postgres.url)
            .env("FOLGESVENN_TEST_POSTGRES_CTL", postgres.ctl()))?;
        run(cargo_ws("test")
            .args([
                "--test",
                "scenarios",
                "scale::a_database_restart_under_two_relays_loses_no_note",
            ])
            .arg("--")
            .args(["--ignored", "--exact"])
            .env("FOLGESVENN_TEST_POSTGRES", &postgres.url)
            .env("FOLGESVENN_TEST_POSTGRES_CTL", postgres.ctl()))?;
    }
    // The app core's tests wrote the TypeScript bindings; they must match what is committed.
    check_bindings_fresh()?;
    window_tests()?;
    bench(true, None)?;
    // Six minutes of compiling OpenSSL from source: a package-build check, so the long mode's.
    if long {
        check_mobile_store()?;
        // Two release builds of the app and a dpkg install: the long mode's too.
        package(true)?;
    }
    fuzz_smoke(long)
}

/// A PostgreSQL cluster of the tests' own: Debian's server binaries, a temporary data directory,
/// a free port on loopback, trust authentication (nothing else can reach it). Stopped and deleted
/// when dropped, also when a test fails. As root, the server runs as the `postgres` user the
/// Debian package creates (PostgreSQL refuses to run as root).
struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    url: String,
    as_postgres: bool,
}

impl Postgres {
    fn start() -> Result<Postgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .context("PostgreSQL's server is not installed (cargo xtask setup installs it)")?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .max()
            .map(|v| PathBuf::from(format!("/usr/lib/postgresql/{v}/bin")))
            .context("no version under /usr/lib/postgresql")?;
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("folgesvenn-postgres-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        if as_postgres {
            run(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let pg = Postgres {
            bin,
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            as_postgres,
        };
        let data = pg.dir.join("data");
        run(pg.server("initdb").arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "-N",
        ]))?;
        // In the cluster's own configuration, so a test that stops and starts it keeps them.
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))?;
        std::io::Write::write_all(
            &mut conf,
            format!(
                "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n",
                pg.dir.display()
            )
            .as_bytes(),
        )?;
        run(Command::new("sh")
            .arg("-c")
            .arg(format!("{} -w start", pg.ctl())))?;
        eprintln!("xtask: PostgreSQL for the tests at {}", pg.url);
        Ok(pg)
    }

    /// `pg_ctl` for this cluster as one shell command line, for a test that stops and starts it.
    fn ctl(&self) -> String {
        let ctl = format!(
            "{} -D {} -l {}",
            self.bin.join("pg_ctl").display(),
            self.dir.join("data").display(),
            self.dir.join("server.log").display()
        );
        if self.as_postgres {
            format!("runuser -u postgres -- {ctl}")
        } else {
            ctl
        }
    }

    /// One of the server's programs, as the user that may run it.
    fn server(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .server("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A full test run from a clean clone writes several gigabytes into `target/` (README.md says
/// how much); a full disk shows up late and obscurely, as a linker killed by SIGBUS.
fn report_free_disk() {
    let Ok(out) = Command::new("df").args(["-Pk"]).arg(root()).output() else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let free_kib = text
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(kib) = free_kib {
        let gib = kib as f64 / (1024.0 * 1024.0);
        eprintln!(
            "xtask: {gib:.1} GiB free on the disk of {}",
            root().display()
        );
        if gib < 8.0 {
            eprintln!("xtask: warning: a full test run from a clean clone needs about 5 GiB");
        }
    }
}

/// Mobile targets have no system OpenSSL, so the store must keep building with SQLCipher over an
/// OpenSSL compiled from source. This checks that feature set on the host (≈4 minutes cold).
fn check_mobile_store() -> Result<()> {
    run(cargo().args([
        "check",
        "-p",
        "folgesvenn-store",
        "--no-default-features",
        "--features",
        "vendored-openssl",
    ]))
}

/// The cargo-fuzz targets in `fuzz/` (a crate outside the workspace; see `fuzz/README.md`).
const FUZZ_TARGETS: &[&str] = &[
    "relay_request",
    "record_open",
    "apply_changes",
    "sync_answer",
];

/// The rustup proxy, not `$CARGO`: only the proxy understands `+nightly`.
fn rustup_cargo() -> Command {
    Command::new("cargo")
}

fn succeeds(cmd: &mut Command) -> bool {
    cmd.current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Builds the fuzz targets once, then runs each from its corpus, its checked-in seeds and its
/// regression fixtures (every fixture is replayed before fuzzing starts). Fails if any target
/// crashes, after running them all, naming the inputs to look at.
fn fuzz_smoke(long: bool) -> Result<()> {
    if !succeeds(rustup_cargo().args(["+nightly", "--version"])) {
        bail!(
            "the fuzz targets need a nightly toolchain (cargo-fuzz builds with sanitizers): \
             rustup toolchain install nightly"
        );
    }
    if !succeeds(rustup_cargo().args(["fuzz", "--version"])) {
        eprintln!("xtask: installing cargo-fuzz");
        run(rustup_cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    // One build of the fuzz crate (into fuzz/target, apart from the workspace's target/); each
    // `cargo fuzz run` below then finds its binary up to date.
    run(rustup_cargo().args(["+nightly", "fuzz", "build", "--fuzz-dir", "fuzz"]))?;
    let secs = if long { 300 } else { 20 };
    let mut crashed = Vec::new();
    for target in FUZZ_TARGETS {
        // New inputs go to the first directory, the (ignored) working corpus; the checked-in
        // seeds and fixtures are only read.
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(root().join(&corpus))?;
        let result = run(rustup_cargo().args([
            "+nightly",
            "fuzz",
            "run",
            target,
            "--fuzz-dir",
            "fuzz",
            &corpus,
            &format!("fuzz/seeds/{target}"),
            &format!("fuzz/fixtures/{target}"),
            "--",
            &format!("-max_total_time={secs}"),
            "-timeout=10",
            "-print_final_stats=1",
        ]));
        if result.is_err() {
            crashed.push(*target);
        }
    }
    if !crashed.is_empty() {
        bail!(
            "fuzz targets crashed: {} (the failing input is in fuzz/artifacts/<target>/, or it is \
             a fixture in fuzz/fixtures/<target>/ that still crashes; see fuzz/README.md)",
            crashed.join(", ")
        );
    }
    eprintln!("xtask: no fuzz target crashed");
    Ok(())
}

/// The benchmark harnesses, the device CLI and the relay: in release mode (one build, one feature
/// set) for figures, or the test build that [`build_all`] made.
fn build_bench_bins(quick: bool) -> Result<PathBuf> {
    if quick {
        run(cargo_ws("build").arg("--all-targets"))?;
        return Ok(root().join("target/debug"));
    }
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "folgesvenn-scenarios",
        "-p",
        "folgesvenn-device",
        "-p",
        "folgesvenn-relay",
        "--bins",
    ]))?;
    Ok(root().join("target/release"))
}

/// Runs one benchmark binary of `folgesvenn-scenarios` and returns its table: in release mode
/// for figures, or with `--quick` on the test build, which only checks the harness runs.
fn bench_table(bin: &str, args: &[&str], quick: bool) -> Result<String> {
    let mut cmd = Command::new(build_bench_bins(quick)?.join(bin));
    cmd.args(args);
    // The relay also on PostgreSQL, one process and two, on a cluster of the run's own.
    let postgres = if bin == "relay-load" {
        let pg = Postgres::start()?;
        cmd.env("FOLGESVENN_BENCH_POSTGRES", &pg.url);
        Some(pg)
    } else {
        None
    };
    if quick {
        cmd.arg("--quick");
    }
    let out = cmd.current_dir(root()).output()?;
    drop(postgres);
    if !out.status.success() {
        bail!("{bin} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// The automerge-repo peers the convergence benchmark compares against, at the locked versions.
/// Not `npm ci`: the registry here answers 404 for cbor-extract's optional prebuilt platform
/// packages, so the lockfile cannot list them and `npm ci` refuses it as out of sync; `npm
/// install --no-save` installs what the lockfile pins and builds cbor-extract from source.
fn setup_automerge_repo() -> Result<PathBuf> {
    let dir = root().join("tests/bench/automerge-repo");
    if !dir.join("node_modules").is_dir() {
        run(Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .current_dir(&dir))?;
    }
    Ok(dir)
}

/// Convergence against automerge-repo: our device CLI and relay (built in `profile`) and the
/// JavaScript pair.
fn converge_table(quick: bool) -> Result<String> {
    let bin = build_bench_bins(quick)?;
    let (device, relay, node) = (
        bin.join("folgesvenn-device"),
        bin.join("folgesvenn-relay"),
        setup_automerge_repo()?,
    );
    let args = [
        "--device",
        path_str(&device)?,
        "--relay",
        path_str(&relay)?,
        "--node-dir",
        path_str(&node)?,
    ];
    bench_table("converge-bench", &args, quick)
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().context("a path that is not UTF-8")
}

/// Replaces what stands between `<!-- {name}:start -->` and `<!-- {name}:end -->`.
fn replace_section(doc: &str, name: &str, table: &str) -> Result<String> {
    let (start, end) = (
        format!("<!-- {name}:start -->"),
        format!("<!-- {name}:end -->"),
    );
    let (Some(a), Some(b)) = (doc.find(&start), doc.find(&end)) else {
        bail!("BENCHMARKS.md lacks the {start} … {end} markers");
    };
    Ok(format!("{}{start}\n{table}{}", &doc[..a], &doc[b..]))
}

/// The app's own figures through its real window (`tests/window`, `app_figures`): the binary as
/// users get it (`--profile dist`). The quick mode runs the same harness on the test build.
fn app_figures(quick: bool) -> Result<String> {
    let out = root().join("target/app-figures.md");
    if quick {
        setup_tauri_driver()?;
        run(cargo_ws("test")
            .args(["--test", "window"])
            .args(["app_figures", "--", "--ignored", "--nocapture"])
            .env("FOLGESVENN_APP", root().join("target/debug/folgesvenn"))
            .env("TAURI_DRIVER", tauri_driver_path())
            .env("FOLGESVENN_BENCH_OUT", &out))?;
        return Ok(std::fs::read_to_string(out)?);
    }
    setup_ui()?;
    setup_tauri_driver()?;
    npm(&["run", "build"])?;
    run(cargo().args([
        "build",
        "--profile",
        "dist",
        "-p",
        SHELL,
        "--features",
        "custom-protocol",
    ]))?;
    // One window test on the dist binary, its figure written where `env` names.
    let on_dist = |test: &str, env: (&str, &Path)| {
        run(cargo()
            .args([
                "test",
                "--release",
                "-p",
                "folgesvenn-scenarios",
                "--test",
                "window",
            ])
            .args([test, "--", "--ignored", "--nocapture"])
            .env("FOLGESVENN_APP", root().join("target/dist/folgesvenn"))
            .env("TAURI_DRIVER", tauri_driver_path())
            .env(env.0, env.1))
    };
    on_dist("app_figures", ("FOLGESVENN_BENCH_OUT", &out))?;
    let mut table = std::fs::read_to_string(&out)?;
    // The daily log end to end, from the two-window scenario on the same build (one run).
    let daily = root().join("target/daily-log.txt");
    on_dist(
        "adviser_and_employer",
        ("FOLGESVENN_BENCH_DAILY_LOG", &daily),
    )?;
    let seconds: f64 = std::fs::read_to_string(&daily)?.trim().parse()?;
    table.push_str(&format!(
        "| Daily log end to end: the employer's «Lagre dagslogg» to the row painted on the \
         adviser's screen, both online, no click (one run of the two-window scenario; its 50 ms \
         polling included) | {seconds:.2} s | ≤ 1.5 s |\n"
    ));
    Ok(table)
}

/// Every benchmark, its table written into BENCHMARKS.md. `quick` (run by `cargo xtask test`)
/// runs each harness on small inputs with the test build and writes nothing: it checks that the
/// harness still works and that nothing in it failed, never a figure.
/// `only` names one table (its marker in BENCHMARKS.md, e.g. `relay-load`) to run and rewrite.
fn bench(quick: bool, only: Option<&str>) -> Result<()> {
    const TABLES: [&str; 5] = [
        "store-bench",
        "sync-bench",
        "relay-load",
        "converge-bench",
        "app-bench",
    ];
    if let Some(name) = only
        && !TABLES.contains(&name)
    {
        bail!(
            "no benchmark table {name}; the tables: {}",
            TABLES.join(", ")
        );
    }
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    if !quick {
        setup()?;
    }
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root())
        .output()?;
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = Command::new("date").arg("-u").arg("+%Y-%m-%d").output()?;
    let header = |how: &str| {
        format!(
            "Measured {} on {cpu} ({cores} cores), commit {}, with `cargo xtask bench`; this \
             table alone: {how}.\n\n",
            String::from_utf8_lossy(&date.stdout).trim(),
            String::from_utf8_lossy(&commit.stdout).trim(),
        )
    };
    let release = |bin: &str| format!("`cargo run --release -p folgesvenn-scenarios --bin {bin}`");
    let mut tables = Vec::new();
    for bin in ["store-bench", "sync-bench", "relay-load"] {
        if wanted(bin) {
            tables.push((bin, release(bin), bench_table(bin, &[], quick)?));
        }
    }
    if wanted("converge-bench") {
        tables.push((
            "converge-bench",
            "`cargo xtask bench` builds the device CLI and relay in release and runs \
         `npm install --no-save` in `tests/bench/automerge-repo/`; then \
         `target/release/converge-bench --device \
         target/release/folgesvenn-device --relay target/release/folgesvenn-relay --node-dir \
         tests/bench/automerge-repo`"
                .into(),
            converge_table(quick)?,
        ));
    }
    if wanted("app-bench") {
        tables.push((
            "app-bench",
            "the `cargo test … app_figures` command above, on the `dist` build".into(),
            app_figures(quick)?,
        ));
    }
    if quick {
        for (name, _, table) in &tables {
            eprintln!("xtask: {name} (quick; not recorded):\n{table}");
        }
        eprintln!("xtask: every benchmark harness ran (quick mode; no figures recorded)");
        return Ok(());
    }
    let path = root().join("BENCHMARKS.md");
    let mut doc = std::fs::read_to_string(&path)?;
    for (name, how, table) in tables {
        let table = format!("{}{table}", header(&how));
        print!("{table}");
        doc = replace_section(&doc, name, &table)?;
    }
    std::fs::write(&path, doc)?;
    eprintln!("xtask: BENCHMARKS.md updated");
    Ok(())
}

/// Flame graphs (perf + inferno) of the slowest benchmark rows, into `docs/profiles/`: opening a
/// three-year placement in full, one device's side of converging 10,000 and 1,000 changes, a new
/// device catching up, and the relay under load. BENCHMARKS.md explains what they show.
fn profile() -> Result<()> {
    if !succeeds(Command::new("perf").args(["--version"])) {
        run(Command::new("apt-get").args(["install", "-y", "-q", "linux-perf"]))?;
    }
    if !succeeds(Command::new("inferno-flamegraph").arg("--version")) {
        run(cargo().args(["install", "inferno", "--version", "0.12.8", "--locked"]))?;
    }
    let bin = build_bench_bins(false)?;
    let data = root().join("target/profiles");
    std::fs::create_dir_all(&data)?;

    // Opening a three-year placement in full 40 times, once the workload is built; then
    // converging 10,000 changes (ours), and the relay under load. Each attaches perf itself.
    run(Command::new(bin.join("store-bench"))
        .args(["--open-loop", "40"])
        .env("FOLGESVENN_PERF_DIR", &data))?;
    // At 1,000 the convergence takes a fifth of a second: sampled 25 times as densely.
    let (device, relay) = (bin.join("folgesvenn-device"), bin.join("folgesvenn-relay"));
    for (n, hz) in [("10000", "199"), ("1000", "4999")] {
        run(Command::new(bin.join("converge-bench"))
            .args(["--only", n, "--device", path_str(&device)?])
            .args(["--relay", path_str(&relay)?])
            .env("FOLGESVENN_PERF_DIR", &data)
            .env("FOLGESVENN_PERF_HZ", hz))?;
    }
    // A new device catching up on 500 placements, as the table measures it: at 100 the checking
    // threads are what the clock waits for, at 500 the store's writes.
    run(Command::new(bin.join("converge-bench"))
        .args(["--catch-up", "500", "--device", path_str(&device)?])
        .args(["--relay", path_str(&relay)?])
        .env("FOLGESVENN_PERF_DIR", &data)
        .env("FOLGESVENN_PERF_HZ", "499"))?;
    run(Command::new(bin.join("relay-load")).env("FOLGESVENN_PERF_DIR", &data))?;

    let svgs = root().join("docs/profiles");
    std::fs::create_dir_all(&svgs)?;
    for (name, title) in [
        (
            "open-in-full",
            "Opening a three-year placement in full (Store::placement)",
        ),
        (
            "converge-peer-10000",
            "One device converging 10,000 changes (folgesvenn-device)",
        ),
        (
            "converge-relay-10000",
            "The relay while two devices converge 10,000 changes",
        ),
        (
            "converge-peer-1000",
            "One device converging 1,000 changes (folgesvenn-device, 4,999 Hz)",
        ),
        (
            "catch-up-device",
            "A new device of the adviser's taking 1,000 documents with a year each by one code (499 Hz)",
        ),
        ("relay-load", "The relay under load: pulls with nothing new"),
        (
            "relay-load-push",
            "The relay under load: pushes (SQLite, group commit)",
        ),
    ] {
        let script = Command::new("perf")
            .args(["script", "-i"])
            .arg(data.join(format!("{name}.data")))
            .output()?;
        let collapse = pipe(
            Command::new("inferno-collapse-perf").arg("--all"),
            &script.stdout,
        )?;
        let svg = pipe(
            Command::new("inferno-flamegraph").args(["--title", title, "--minwidth", "0.2"]),
            &collapse,
        )?;
        std::fs::write(svgs.join(format!("{name}.svg")), svg)?;
        std::fs::write(data.join(format!("{name}.folded")), collapse)?;
    }
    eprintln!("xtask: flame graphs in docs/profiles/, folded stacks in target/profiles/");
    Ok(())
}

/// Runs `cmd` with `input` on stdin and returns its stdout.
fn pipe(cmd: &mut Command, input: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writer panicked"))??;
    if !out.status.success() {
        bail!("{cmd:?} failed");
    }
    Ok(out.stdout)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["setup"] => setup(),
        ["run"] => run_app(false),
        ["run", "--demo"] => run_app(true),
        ["demo"] => {
            setup()?;
            run(cargo().args(["run", "--quiet", "-p", "folgesvenn-device", "--", "demo"]))
        }
        ["test"] => test(false),
        ["test", "--long"] => test(true),
        ["fuzz"] => fuzz_smoke(false),
        ["fuzz", "--long"] => fuzz_smoke(true),
        ["lint"] => lint(),
        ["circles"] => modules::check_no_import_circles(&root()),
        ["commands"] => commands::check_command_list(&root()),
        ["bench"] => bench(false, None),
        ["bench", "--quick"] => bench(true, None),
        ["bench", "--only", name] => bench(false, Some(name)),
        ["profile"] => profile(),
        ["package"] => package(false).map(|_| ()),
        ["package", "--check"] => package(true).map(|_| ()),
        _ => {
            bail!(
                "usage: cargo xtask <setup | run [--demo] | demo | test [--long] | fuzz [--long] | lint | circles | bench [--quick | --only TABLE] | profile | package [--check]>"
            )
        }
    }
}
