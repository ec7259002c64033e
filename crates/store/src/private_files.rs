//! Owner-only files: the data directory 0700, the database with its `-wal` and `-shm`,
//! `store.json` and the app's `app.json` 0600 (on unix; elsewhere the OS's per-user profile
//! directories do this job).
//!
//! The database is encrypted, but the other files are not secret-free in every respect (the
//! wrapped key in `store.json` can be attacked offline with the passphrase's Argon2id cost), and
//! another local user has no business reading or even listing any of them. SQLite gives the
//! `-wal` and `-shm` files the database file's own mode, so creating the database 0600 covers
//! them; tightening at open covers stores made before this rule.

use std::fs;
use std::io::Write;
use std::path::Path;

/// The files in a store's directory that must be owner-only, where they exist.
pub(crate) const STORE_FILES: &[&str] = &[
    "folgesvenn.db",
    "folgesvenn.db-wal",
    "folgesvenn.db-shm",
    "store.json",
];

/// Creates `dir` (and its parents, with the default mode) if missing, and makes `dir` itself
/// owner-only, also when it already existed.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    restrict(dir, 0o700)
}

/// Writes `bytes` to `path`, which is created, or tightened if it exists, owner-only.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = open_new(path, false)?;
    restrict(path, 0o600)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Opens `path` for writing, created owner-only. `exclusive`: refuse an existing file.
pub(crate) fn open_new(path: &Path, exclusive: bool) -> std::io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true);
    if exclusive {
        opts.create_new(true);
    } else {
        opts.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Makes `path` owner-only (`mode` 0700 for a directory, 0600 for a file).
pub fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Tightens a store's directory and those of its files that exist.
pub(crate) fn tighten_store(dir: &Path) -> std::io::Result<()> {
    restrict(dir, 0o700)?;
    for name in STORE_FILES {
        let path = dir.join(name);
        if path.exists() {
            restrict(&path, 0o600)?;
        }
    }
    Ok(())
}
