//! The OS keystore path against a real Secret Service: gnome-keyring-daemon in a private D-Bus
//! session that this test starts itself, with its own empty home directory.

use std::process::Command;

use crate::common::helper_bin;

#[test]
fn database_key_lives_in_a_real_secret_service() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("store");
    // A non-empty unlock password matters: with an empty one no login collection is created.
    let script = r#"printf 'testpassord' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" keystore-check "$1""#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .arg(helper_bin())
        .arg(&dir)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("share"))
        .env("XDG_RUNTIME_DIR", home.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("dbus-run-session must be installed (cargo xtask setup installs dbus and gnome-keyring)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("keystore ok"),
        "status {:?}\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
}
