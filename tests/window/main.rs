//! The app in its real window: two instances of the release-configured binary (adviser and
//! employer, each with its own data directory) driven through tauri-driver and WebKitWebDriver
//! under Xvfb, and a real relay process that is down for the first half. A third device (a
//! store in this process) joins, is removed from the adviser's window and refused; the adviser
//! ends the placement, and the employer's window shows the last day of its access; with the
//! relay's calendar and the employer's clock moved past it, the employer's device deletes it.
//!
//! Run by `cargo xtask test`, which builds the app once and sets `FOLGESVENN_APP`; ignored by a
//! plain `cargo test` (it needs the binary, Xvfb and tauri-driver):
//! `FOLGESVENN_APP=target/debug/folgesvenn cargo test -p folgesvenn-scenarios --test window -- --ignored`

#[path = "../scenarios/common.rs"]
#[allow(dead_code)]
mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use folgesvenn_domain::EMPLOYER_ACCESS_DAYS;
use folgesvenn_store::{Store, Unlock};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use common::RelayProcess;

const PASSPHRASE: &str = "korrekt hest batteri stift";
const SHARED_MARKER: &str = "Delt oppsummering SYNLIG-7c1e";
const PRIVATE_MARKER: &str = "Bare for NAV HEMMELIG-4f2a";
const DRAFT_MARKER: &str = "Halvskrevet UTKAST-93b0";
const NOTE_MARKER: &str = "Ola starter kl. 9 på mandag NOTAT-5d21";
const NOTE_EDITED: &str = "Ola starter kl. 10 på mandag NOTAT-5d21 RETTET";
const DAY_LIVE: &str = "Varemottak og lager DAG-LIVE-7e42";
const TASK_MARKER: &str = "Betjene kassa OPPGAVE-0c7e";
const ACTION_MARKER: &str = "Kjøpe vernesko TILTAK-6a3f";
/// The employer's note once the employer changed it after the adviser did.
const NOTE_BY_EMPLOYER: &str = "Ola starter kl. 10 NOTAT-ARBEIDSGIVER-e41b";
/// Generous: a cold WebKit start under Xvfb on a loaded two-core machine can take many seconds.
const WAIT: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn app_binary() -> PathBuf {
    let path = PathBuf::from(
        std::env::var("FOLGESVENN_APP").expect("FOLGESVENN_APP names the built app binary"),
    );
    std::fs::canonicalize(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn kill_group(child: &mut Child) {
    // tauri-driver starts WebKitWebDriver, which starts the app: end the whole group.
    let pid = child.id() as i32;
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{pid}")])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .status();
    let _ = child.wait();
}

/// A virtual X display for the windows, ended with the test.
struct Xvfb {
    child: Child,
    display: String,
    /// Windows opened so far: each gets its own column of the screen.
    opened: std::sync::atomic::AtomicU32,
}

impl Xvfb {
    fn start() -> Xvfb {
        for n in 90..140 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let display = format!(":{n}");
            let mut child = Command::new("Xvfb")
                // Wide enough for two windows side by side (screenshots must not catch the other).
                .args([&display, "-screen", "0", "2560x1000x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("Xvfb is installed (cargo xtask setup)");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                    return Xvfb {
                        child,
                        display,
                        opened: Default::default(),
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            kill_group(&mut child);
        }
        panic!("no free X display for Xvfb");
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// One app instance: its tauri-driver (own process group) and the WebDriver session.
struct Window {
    driver: Child,
    client: Client,
    data_dir: PathBuf,
    display: String,
    /// Left edge of this window on the virtual screen.
    x: u32,
}

/// Also when a test fails half-way: tauri-driver and WebKitWebDriver must not outlive it.
impl Drop for Window {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// WCAG 2.1 A and AA, which Norway requires, and WCAG 2.2 AA (target size, focus not obscured),
/// where it is going and NAV's own apps aim: as axe-core tags them.
const AXE_RULES: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']";

impl Window {
    async fn open(xvfb: &Xvfb, data_dir: &Path) -> Window {
        Window::open_with(xvfb, data_dir, &[]).await
    }

    /// `open`, with more environment for the app (e.g. a short idle time before it locks).
    async fn open_with(xvfb: &Xvfb, data_dir: &Path, env: &[(&str, &str)]) -> Window {
        std::fs::create_dir_all(data_dir).unwrap();
        let dir = data_dir.display().to_string();
        let mut all = vec![("FOLGESVENN_DATA_DIR", dir.as_str())];
        all.extend(env.iter().copied());
        Window::launch(xvfb, &app_binary(), data_dir, &all).await
    }

    /// The app `binary` under tauri-driver with `env`; `data_dir` is where it keeps its data.
    async fn launch(xvfb: &Xvfb, binary: &Path, data_dir: &Path, env: &[(&str, &str)]) -> Window {
        let port = free_port();
        let native = free_port();
        let mut driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", &xvfb.display)
            .env("FOLGESVENN_SYNC_INTERVAL_MS", "500")
            // No accessibility bus on a bare Xvfb; GTK would wait for it.
            .env("NO_AT_BRIDGE", "1")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("tauri-driver is installed (cargo xtask setup)");
        let url = format!("http://127.0.0.1:{port}");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": binary }));
        let deadline = Instant::now() + WAIT;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => {
                    kill_group(&mut driver);
                    panic!("no WebDriver session at {url}: {e}");
                }
            }
        };
        let w = Window {
            driver,
            client,
            data_dir: data_dir.to_owned(),
            display: xvfb.display.clone(),
            // The first window (the adviser's) on the left, every later one on the right.
            x: if xvfb
                .opened
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                == 0
            {
                0
            } else {
                1280
            },
        };
        if let Err(e) = w.client.set_window_rect(w.x, 0, 1100, 800).await {
            eprintln!("could not place the window: {e}");
        }
        w
    }

    async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop ends tauri-driver's process group.
    }

    fn css(id: &str) -> String {
        format!("[data-testid=\"{id}\"]")
    }

    async fn el(&self, id: &str) -> Element {
        self.el_css(&Self::css(id)).await
    }

    async fn el_css(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!(
                "{css} did not appear ({e}); the page says:\n{}",
                self.body_text().await
            ),
        }
    }

    /// Clicks the element `css` finds from inside the page (the element itself, wherever the
    /// layout has moved it meanwhile): for buttons in a list that other sections' reloads shift.
    async fn click_in_page(&self, css: &str) {
        self.el_css(css).await;
        let script = format!(
            "const e = document.querySelector({css:?}); e.scrollIntoView({{ block: 'center' }}); e.click();"
        );
        self.client.execute(&script, vec![]).await.unwrap();
    }

    /// Waits until no element has the test id `id` (a form closed after saving).
    async fn gone(&self, id: &str) {
        let deadline = Instant::now() + WAIT;
        while !self
            .client
            .find_all(Locator::Css(&Self::css(id)))
            .await
            .unwrap_or_default()
            .is_empty()
        {
            assert!(
                Instant::now() < deadline,
                "{id} stayed; the page says:\n{}",
                self.body_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click_css(&self, css: &str) {
        self.el_css(css).await.click().await.unwrap();
    }

    async fn click(&self, id: &str) {
        self.el(id).await.click().await.unwrap();
    }

    async fn type_into(&self, id: &str, text: &str) {
        let e = self.el(id).await;
        e.clear().await.ok();
        e.send_keys(text).await.unwrap();
    }

    /// Waits until `check` holds for the page's visible text, re-reading it.
    async fn wait_for_text(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.body_text().await;
            if check(&text) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the page says:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until some element matching `css` has `attr` = `value`, pressing «Synkroniser nå»
    /// on the `nudge` windows between looks (their sync loops back off while the relay is down).
    async fn wait_for_attr(&self, css: &str, attr: &str, value: &str, nudge: &[&Window]) {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.attr_of_all(css, attr).await;
            if found.iter().any(|v| v == value) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {css} with {attr}={value}: {found:?}"
            );
            for w in nudge {
                w.click("sync-now").await;
            }
            tokio::time::sleep(Duration::from_millis(if nudge.is_empty() {
                250
            } else {
                700
            }))
            .await;
        }
    }

    async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    async fn attr_of_all(&self, css: &str, attr: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            if let Ok(Some(v)) = e.attr(attr).await {
                out.push(v);
            }
        }
        out
    }

    /// Runs an export command from this window through the app's own IPC and capability, for
    /// the placement on screen (the folder dialog before it is the system's, which WebDriver
    /// cannot drive), with a progress channel as the UI gives it. Returns the path written and
    /// the progress told.
    async fn export(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> (PathBuf, Vec<serde_json::Value>) {
        let written = self
            .client
            .execute_async(
                "const [command, args, done] = arguments;
                 const progress = [];
                 const channel = window.__TAURI_INTERNALS__.transformCallback((m) => {
                   if (m && 'message' in m) progress.push(m.message);
                 });
                 const placement = decodeURIComponent(location.hash.split('/')[2].split('?')[0]);
                 const call = { placementId: placement, ...args, job: 'vindu-' + Math.random(),
                                onProgress: '__CHANNEL__:' + channel };
                 const settle = (answer) => setTimeout(() => done({ ...answer, progress }), 300);
                 window.__TAURI_INTERNALS__.invoke(command, call)
                   .then((path) => settle({ path }), (error) => settle({ error }));",
                vec![json!(command), args],
            )
            .await
            .unwrap();
        let path = written["path"]
            .as_str()
            .unwrap_or_else(|| panic!("{command} failed: {written}"));
        let progress = written["progress"].as_array().cloned().unwrap_or_default();
        (PathBuf::from(path), progress)
    }

    /// Makes a placement for `candidate` at `employer` through the new-placement form, and waits
    /// for its overview. `axe`: the screen name to check the empty form under, if any.
    async fn new_placement(&self, candidate: &str, employer: &str, axe: Option<&str>) {
        self.click("new-placement").await;
        self.el("new-placement-form").await;
        if let Some(screen) = axe {
            self.axe(screen).await;
        }
        self.type_into("new-placement-candidate-name", candidate)
            .await;
        self.type_into("new-placement-employer-name", employer)
            .await;
        self.type_into("new-placement-org-number", "889640782")
            .await;
        self.type_into("new-placement-workplace-address", "Sjøgata 1, 8006 Bodø")
            .await;
        self.client
            .find(Locator::Css(
                "[data-testid=\"new-placement-measure\"] option[value=\"work_training\"]",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.type_into("new-placement-hours", "20").await;
        self.click("new-placement-submit").await;
        self.el("placement-overview").await;
    }

    async fn first_run(&self, role: &str, name: &str, relay: &str) {
        self.el("first-run-form").await;
        self.axe(&format!("first run ({role})")).await;
        if role == "adviser" {
            self.screenshot("first-run").await;
        }
        self.click(&format!("setup-role-{role}")).await;
        self.type_into("setup-name", name).await;
        self.click("setup-protect-passphrase").await;
        self.type_into("setup-passphrase", PASSPHRASE).await;
        self.type_into("setup-passphrase-repeat", PASSPHRASE).await;
        self.type_into("setup-relay", relay).await;
        self.click("first-run-submit").await;
        self.el_css("[data-testid=\"placement-list\"], [data-testid=\"placement-list-empty\"]")
            .await;
        self.axe(&format!("empty placement list ({role})")).await;
    }

    /// The visible text and the whole page source (hidden elements and attributes too).
    async fn everything_shown(&self) -> String {
        format!(
            "{}\n{}",
            self.body_text().await,
            self.client.source().await.unwrap_or_default()
        )
    }

    /// Runs axe-core inside the real webview on what is on screen now: no WCAG 2.2 A/AA
    /// violation may be found.
    async fn axe(&self, screen: &str) {
        // Colours measured mid-transition (a card fading in) are not what the user reads.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let settled = self
                .client
                .execute(
                    "return document.getAnimations().every(a => a.playState !== 'running');",
                    vec![],
                )
                .await
                .unwrap();
            if settled == json!(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let present = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap();
        if present != json!(true) {
            let path = workspace().join("ui/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (npm ci in ui/)", path.display()));
            self.client
                .execute(&format!("{source}\n;return true;"), vec![])
                .await
                .unwrap();
        }
        let script = format!(
            "const done = arguments[arguments.length - 1];
             // target-size (WCAG 2.2, 2.5.8) is off in axe unless asked for by name.
             window.axe.run(document, {{
                 runOnly: {{ type: 'tag', values: {AXE_RULES} }},
                 rules: {{ 'target-size': {{ enabled: true }} }}
               }})
               .then(r => done(r.passes.concat(r.violations, r.incomplete, r.inapplicable).some(v => v.id === 'target-size')
                 ? r.violations.map(v => ({{
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
                 }}))
                 : 'axe did not run target-size'))
               .catch(e => done('axe failed: ' + e));"
        );
        let violations = self.client.execute_async(&script, vec![]).await.unwrap();
        assert_eq!(
            violations,
            json!([]),
            "axe-core found WCAG 2.2 AA violations on {screen}:\n{}",
            serde_json::to_string_pretty(&violations).unwrap()
        );
        eprintln!("axe-core: {screen}: no violations");
    }

    /// With `FOLGESVENN_SCREENSHOTS=<dir>`: the screen at desktop and phone width, taken from the
    /// X display (`import -window root`), as README.md shows them.
    async fn screenshot(&self, name: &str) {
        self.screenshot_at(name, None).await;
    }

    /// As [`Window::screenshot`], with the element `focus` (a test id) scrolled to the middle.
    async fn screenshot_at(&self, name: &str, focus: Option<&str>) {
        let Some(dir) = std::env::var_os("FOLGESVENN_SCREENSHOTS") else {
            return;
        };
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (suffix, w, h) in [("desktop", 1100u32, 760u32), ("phone", 390, 844)] {
            if let Err(e) = self.client.set_window_rect(self.x, 0, w, h).await {
                eprintln!("could not resize the window: {e}");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            if let Some(id) = focus {
                let script = format!(
                    "document.querySelector('[data-testid=\"{id}\"]')\
                     ?.scrollIntoView({{ block: 'center', behavior: 'instant' }});"
                );
                self.client.execute(&script, vec![]).await.ok();
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
            let file = dir.join(format!("{name}-{suffix}.png"));
            let status = Command::new("import")
                .args(["-display", &self.display, "-window", "root", "-crop"])
                .arg(format!("{w}x{h}+{}+0", self.x))
                .arg(&file)
                .status()
                .expect("ImageMagick's import (cargo xtask setup)");
            assert!(status.success(), "import failed for {}", file.display());
        }
        self.client.set_window_rect(self.x, 0, 1100, 800).await.ok();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Pids of this instance's app process (found by its data directory).
    fn app_pids(&self) -> Vec<i32> {
        let needle = format!("FOLGESVENN_DATA_DIR={}", self.data_dir.display());
        let exe = app_binary();
        let mut pids = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let Ok(link) = std::fs::read_link(entry.path().join("exe")) else {
                continue;
            };
            if link != exe {
                continue;
            }
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()) {
                pids.push(pid);
            }
        }
        pids
    }
}

/// Today on this machine's clock (UTC here, as the app's own).
/// A PDF's text as `pdftotext` reads it (what a screen reader or the archive's indexer gets).
fn pdf_text(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext (cargo xtask setup installs poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext {}: {:?}",
        file.display(),
        out
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn today() -> folgesvenn_domain::Day {
    folgesvenn_domain::Moment::from_unix_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    )
    .unwrap()
    .day()
}

/// A day as a person types it into a date field: dd.mm.åååå.
fn typed_day(d: folgesvenn_domain::Day) -> String {
    let iso = d.to_string();
    format!("{}.{}.{}", &iso[8..10], &iso[5..7], &iso[0..4])
}

fn tauri_driver() -> PathBuf {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        return p.into();
    }
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"));
    let p = home.join("bin/tauri-driver");
    if p.exists() { p } else { "tauri-driver".into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, Xvfb and tauri-driver: run by cargo xtask test"]
async fn adviser_and_employer_work_offline_pair_and_answer_a_contact_request() {
    let tmp = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();
    let listen = format!("127.0.0.1:{}", free_port());
    let relay_url = format!("http://{listen}");

    // --- The adviser, with the relay down: a placement, a visit, an invitation. Her device syncs
    // on its own only each minute, as users run it (see the employer's below). ---
    let adviser = Window::open_with(
        &xvfb,
        &tmp.path().join("adviser"),
        &[("FOLGESVENN_SYNC_INTERVAL_MS", "60000")],
    )
    .await;
    adviser
        .first_run("adviser", "Kari Veileder", &relay_url)
        .await;
    adviser
        .new_placement("Ola Nordmann", "Nordlandsbuss AS", Some("new placement"))
        .await;

    adviser.click("record-visit").await;
    adviser.el("visit-summary").await;
    adviser.axe("record a visit").await;
    adviser
        .screenshot_at("record-visit", Some("visit-adviser-note"))
        .await;
    adviser.type_into("visit-summary", SHARED_MARKER).await;
    adviser
        .type_into("visit-adviser-note", PRIVATE_MARKER)
        .await;
    adviser.click("visit-add-action").await;
    adviser.type_into("visit-action-what", ACTION_MARKER).await;
    // Due yesterday: overdue from the start, so «I dag» shows it without a day passing.
    adviser
        .type_into("visit-action-due", &typed_day(today().plus_days(-1)))
        .await;
    adviser.click("visit-submit").await;
    adviser.el("placement-overview").await;
    adviser
        .wait_for_text("the visit in the timeline", |t| t.contains(SHARED_MARKER))
        .await;
    let state = adviser.el("sync-state").await.text().await.unwrap();
    assert!(state.contains("Frakoblet"), "the relay is down: {state}");

    // --- For the case file, offline: the visit report in both versions and the placement
    // summary, made by the app and read back as text. Only the internal report holds her note. ---
    let visit = adviser
        .attr_of_all(
            "[data-testid=\"timeline-item\"][data-kind=\"visit\"]",
            "data-id",
        )
        .await
        .pop()
        .expect("the visit in the timeline");
    let saker = tmp.path().join("saker");
    std::fs::create_dir_all(&saker).unwrap();
    let into = saker.display().to_string();
    let (normal, progress) = adviser
        .export(
            "export_visit_report",
            json!({ "visitId": visit, "internal": false, "into": into }),
        )
        .await;
    assert!(
        progress.iter().any(|p| p["percent"] == 100),
        "the progress reaches the window: {progress:?}"
    );
    let (internal, _) = adviser
        .export(
            "export_visit_report",
            json!({ "visitId": visit, "internal": true, "into": into }),
        )
        .await;
    let this_day = today().to_string();
    let (summary, _) = adviser
        .export(
            "export_placement_summary",
            json!({ "from": this_day, "to": this_day, "into": into }),
        )
        .await;
    let (normal, internal, summary) = (pdf_text(&normal), pdf_text(&internal), pdf_text(&summary));
    assert!(
        normal.contains("Besøksrapport")
            && normal.contains(SHARED_MARKER)
            && normal.contains(ACTION_MARKER),
        "{normal}"
    );
    assert!(
        !normal.contains("HEMMELIG-4f2a"),
        "the normal report: {normal}"
    );
    assert!(
        internal.contains("INTERN VERSJON") && internal.contains(PRIVATE_MARKER),
        "{internal}"
    );
    assert!(
        summary.contains("Oppsummering – ") && summary.contains(SHARED_MARKER),
        "{summary}"
    );
    assert!(!summary.contains("HEMMELIG-4f2a"), "the summary: {summary}");

    // --- No employer without the candidate's consent: the invitation is refused, saying why;
    // the adviser records the consent (offline, in the private document) and invites. ---
    adviser.el("consent-none").await;
    adviser.click("invite-employer").await;
    let refused = adviser.el("invite-error").await.text().await.unwrap();
    assert!(
        refused.contains("samtykke til oppfølging sammen med arbeidsgiveren"),
        "{refused}"
    );
    adviser.click("consent-add").await;
    adviser.click("consent-scope-goals").await;
    adviser.type_into("consent-version", "2026-1").await;
    adviser.axe("recording a consent").await;
    adviser.screenshot_at("consent", Some("consent")).await;
    adviser.click("consent-submit").await;
    let item = adviser.el("consent-item").await.text().await.unwrap();
    assert!(
        item.contains("Oppfølging sammen med arbeidsgiveren") && item.contains("2026-1"),
        "{item}"
    );
    adviser
        .wait_for_attr(
            "[data-testid=\"consent\"]",
            "data-allows-employer",
            "true",
            &[],
        )
        .await;

    adviser.click("invite-employer").await;
    let full_code = adviser
        .el("pairing-full-code")
        .await
        .prop("value")
        .await
        .unwrap()
        .expect("the full code is shown");
    assert!(full_code.starts_with("FS2-"), "{full_code}");
    // The full code is sealed under the short code shown beside it (issue 12, finding 6).
    let short_code = adviser.el("pairing-short-code").await.text().await.unwrap();
    adviser.el("pairing-not-registered").await;
    adviser.el("pairing-qr").await;
    adviser.axe("overview with the pairing code").await;
    adviser
        .screenshot_at("pairing", Some("pairing-panel"))
        .await;

    // --- The employer pairs with the code and logs a day with "contact me", still offline. Its
    // device syncs on its own only each minute, as users run it: what reaches it sooner without
    // a click came by a live update. ---
    let employer = Window::open_with(
        &xvfb,
        &tmp.path().join("employer"),
        &[("FOLGESVENN_SYNC_INTERVAL_MS", "60000")],
    )
    .await;
    employer
        .first_run("employer", "Per Verksmester", &relay_url)
        .await;
    employer.click("join-placement").await;
    employer.el("join-code").await;
    employer.axe("join a placement").await;
    employer.screenshot("join").await;
    // Offline: the short code, and the long code beside it, which it opens.
    employer.type_into("join-code", &short_code).await;
    employer.type_into("join-full-code", &full_code).await;
    employer.click("join-submit").await;
    employer.el("placement-overview").await;
    employer
        .wait_for_text("the placement", |t| t.contains("Ola Nordmann"))
        .await;
    employer.click("daily-log-open").await;
    employer
        .type_into("daily-log-tasks-done", "Vasket bussene")
        .await;
    employer
        .type_into("daily-log-went-well", "Godt humør")
        .await;
    employer.click("daily-log-wants-contact").await;
    employer
        .type_into(
            "daily-log-contact-message",
            "Kan du ringe meg om arbeidstiden?",
        )
        .await;
    employer.axe("daily log").await;
    employer
        .screenshot_at("daily-log", Some("daily-log-wants-contact"))
        .await;
    employer.click("daily-log-save").await;
    employer.el("daily-log-saved").await;

    // --- The relay starts; both sync. ---
    let mut relay = RelayProcess::start_on(&tmp.path().join("relay"), &listen);
    adviser.click("sync-now").await;
    employer.click("sync-now").await;
    // The employer can join only after the adviser has sent the invitation: keep nudging.
    adviser
        .wait_for_attr(
            "[data-testid=\"timeline-item\"]",
            "data-kind",
            "contact_request",
            &[&employer, &adviser],
        )
        .await;
    adviser
        .wait_for_text("synced", |t| t.contains("Synkronisert"))
        .await;
    adviser.axe("overview with a contact request").await;
    adviser
        .screenshot_at("placement-overview", Some("request-status"))
        .await;
    adviser.click_css("[data-testid=\"sync-log\"] button").await;
    adviser.el("sync-log-line").await;
    adviser.axe("overview with the sync log open").await;
    adviser.click("back-to-list").await;
    adviser.el("placement-row").await;
    // «I dag» first: the employer's request not answered yet, and the action past its due day.
    let waiting = adviser
        .attr_of_all("[data-testid=\"today-item\"]", "data-kind")
        .await;
    assert!(
        waiting.iter().any(|k| k == "request") && waiting.iter().any(|k| k == "overdue"),
        "«I dag» shows the request and the overdue action: {waiting:?}"
    );
    adviser.axe("placement list").await;
    adviser.screenshot("placement-list").await;
    adviser.click("placement-link").await;
    adviser.el("placement-overview").await;

    // --- The adviser answers; the employer sees it answered. ---
    adviser.click("request-acknowledge").await;
    adviser
        .type_into("request-resolution", "Ringte Per, avtalte ny turnus.")
        .await;
    adviser.click("request-resolve").await;
    let status = "[data-testid=\"request-status\"]";
    adviser
        .wait_for_attr(status, "data-status", "resolved", &[])
        .await;
    employer
        .wait_for_attr(status, "data-status", "resolved", &[&employer])
        .await;
    employer.el("request-time-taken").await;
    employer
        .axe("employer's overview with the answered request")
        .await;
    employer
        .screenshot_at("employer-overview", Some("request-status"))
        .await;
    let shown = employer.everything_shown().await;
    assert!(
        shown.contains(SHARED_MARKER),
        "the shared summary reached the employer"
    );
    assert!(
        !shown.contains("HEMMELIG-4f2a"),
        "the adviser-only note is on the employer's screen"
    );

    // --- Notes and the training plan: each side writes, the other sees it. ---
    employer.type_into("note-body", NOTE_MARKER).await;
    employer.click("note-submit").await;
    adviser.click("plan-add-open").await;
    adviser.type_into("plan-task-title", TASK_MARKER).await;
    adviser
        .type_into("plan-task-responsible", "Per Verksmester")
        .await;
    adviser.axe("overview with the training plan form").await;
    adviser.click("plan-task-submit").await;
    let deadline = Instant::now() + WAIT;
    loop {
        let (a, e) = (adviser.body_text().await, employer.body_text().await);
        if a.contains(NOTE_MARKER) && e.contains(TASK_MARKER) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the note or the task did not cross:\n{a}\n---\n{e}"
        );
        adviser.click("sync-now").await;
        employer.click("sync-now").await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    employer.el("plan-progress").await;

    // --- The adviser adds a goal to the plan; the employer sees it. ---
    adviser.click("plan-add-goal").await;
    adviser
        .type_into("plan-goal-description", "Fast deltidsjobb MÅL-3b9a")
        .await;
    adviser.axe("adding a goal").await;
    adviser.screenshot_at("plan-add", Some("plan-add")).await;
    adviser.click("plan-goal-submit").await;
    adviser.el("plan-add-saved").await;
    let deadline = Instant::now() + WAIT;
    while !employer.body_text().await.contains("MÅL-3b9a") {
        assert!(Instant::now() < deadline, "the goal did not cross");
        adviser.click("sync-now").await;
        employer.click("sync-now").await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }

    // --- The same field changed on both devices while the relay is down: after it is back, both
    // show the conflict with who wrote each value; the employer picks the adviser's, and the
    // conflict is gone on both. ---
    relay.stop();
    let choose =
        |value: &str| format!("[data-testid=\"plan-task-status\"] option[value=\"{value}\"]");
    adviser.click_css(&choose("can_do")).await;
    employer.click_css(&choose("with_adaptation")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    relay = RelayProcess::start_on(&tmp.path().join("relay"), &listen);
    for w in [&adviser, &employer] {
        w.wait_for_attr(
            "[data-testid=\"conflict-value\"]",
            "data-value",
            "with_adaptation",
            &[&adviser, &employer],
        )
        .await;
    }
    let shown = employer
        .el("overview-conflicts")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("Kari Veileder") && shown.contains("Per Verksmester"),
        "each value names who wrote it: {shown}"
    );
    adviser.axe("a conflict between two devices").await;
    adviser
        .screenshot_at("conflict", Some("overview-conflicts"))
        .await;
    employer
        .click_css("[data-testid=\"conflict-value\"][data-value=\"can_do\"] [data-testid=\"conflict-pick\"]")
        .await;
    let deadline = Instant::now() + WAIT;
    loop {
        let mut left = 0;
        for w in [&adviser, &employer] {
            left += w
                .client
                .find_all(Locator::Css("[data-testid=\"overview-conflicts\"]"))
                .await
                .unwrap_or_default()
                .len();
        }
        if left == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the conflict stayed:\n{}",
            adviser.body_text().await
        );
        adviser.click("sync-now").await;
        employer.click("sync-now").await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    adviser
        .wait_for_attr(
            "[data-testid=\"plan-item\"]",
            "data-status",
            "can_do",
            &[&adviser],
        )
        .await;

    // --- The header's search finds the employer's note across placements and opens the note
    // itself: the overview focuses and marks it. ---
    adviser.type_into("header-search", "NOTAT-5d21").await;
    adviser
        .el("header-search")
        .await
        .send_keys(&fantoccini::key::Key::Enter.to_string())
        .await
        .unwrap();
    let hit = adviser.el_css("[data-testid=\"search-hit\"] a").await;
    let target = hit.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        target.contains("?record="),
        "a hit names its record: {target}"
    );
    hit.click().await.unwrap();
    adviser.el("placement-overview").await;
    let shown = adviser.el_css(".shown-record").await;
    assert!(
        shown.text().await.unwrap().contains(NOTE_MARKER),
        "the hit opened the note itself"
    );
    adviser.screenshot("search-opens-note").await;

    // --- The adviser edits the note; the employer's screen shows the new text with no click on
    // either side: the adviser's save syncs at once, and the employer's device, waiting at the
    // relay, hears of it (live updates) long before its one-minute interval. ---
    adviser
        .click_css(".shown-record [data-testid=\"note-edit-open\"]")
        .await;
    adviser.type_into("note-edit-body", NOTE_EDITED).await;
    adviser.axe("editing a note").await;
    let saved = Instant::now();
    adviser.click("note-edit-save").await;
    while !employer.body_text().await.contains(NOTE_EDITED) {
        assert!(
            saved.elapsed() < Duration::from_secs(20),
            "the edited note did not reach the employer's screen without a click"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "live update: the adviser's edit on the employer's screen after {:?} (save click to paint)",
        saved.elapsed()
    );

    // --- The other way: the employer logs a day, and the adviser's screen shows it with no click
    // on either side, long before her device's one-minute interval. ---
    employer.click("daily-log-open").await;
    employer.type_into("daily-log-tasks-done", DAY_LIVE).await;
    let saved = Instant::now();
    employer.click("daily-log-save").await;
    while !adviser.body_text().await.contains(DAY_LIVE) {
        assert!(
            saved.elapsed() < Duration::from_secs(20),
            "the employer's daily log did not reach the adviser's screen without a click"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let daily_log = saved.elapsed();
    eprintln!(
        "live update: the employer's daily log on the adviser's screen after {daily_log:?} (save click to paint)"
    );
    // `cargo xtask bench` runs this test on the dist build for the daily log's row.
    if let Ok(out) = std::env::var("FOLGESVENN_BENCH_DAILY_LOG") {
        std::fs::write(out, format!("{}", daily_log.as_secs_f64())).unwrap();
    }

    // --- The note's history, on the employer's screen: who wrote it, who changed it, and the
    // text before and after. ---
    employer
        .click_css(
            "[data-testid=\"timeline-item\"][data-kind=\"note\"] \
             [data-testid=\"record-history\"]",
        )
        .await;
    employer.el("history-entries").await;
    let history = employer
        .wait_for_text("the note's history", |t| {
            t.contains("Per Verksmester skrev notatet")
                && t.contains("Kari Veileder endret notatet")
        })
        .await;
    assert!(
        history.contains(NOTE_MARKER) && history.contains(NOTE_EDITED),
        "both texts are in the history"
    );
    employer.axe("a note's history").await;
    employer
        .screenshot_at("note-history", Some("history-entries"))
        .await;

    // --- Editing after the fact: the employer changes its own note (it has no «Rediger» on the
    // adviser's own notes); the adviser changes the goal, the task, a new contact person, the
    // visit's action and the placement's facts. Each reaches the other device. ---
    employer
        .click_css(
            "[data-testid=\"timeline-item\"][data-kind=\"note\"] \
             [data-testid=\"note-edit-open\"]",
        )
        .await;
    employer.type_into("note-edit-body", NOTE_BY_EMPLOYER).await;
    employer.click("note-edit-save").await;

    adviser
        .click_in_page("[data-testid=\"overview-goals\"] [data-testid=\"record-edit-open\"]")
        .await;
    adviser
        .type_into("plan-goal-description", "Fast deltidsjobb MÅL-ENDRET-51c0")
        .await;
    adviser.axe("changing a goal").await;
    adviser
        .screenshot_at("edit-goal", Some("record-edit"))
        .await;
    adviser.click("plan-goal-submit").await;
    adviser
        .wait_for_text("the changed goal", |t| t.contains("MÅL-ENDRET-51c0"))
        .await;
    adviser.gone("record-edit").await;

    adviser
        .click_in_page(
            "[data-testid=\"overview-training-plan\"] [data-testid=\"record-edit-open\"]",
        )
        .await;
    // Inside the edit form itself (the task's own form, not «Legg til oppgave»'s).
    let title = adviser
        .el_css("[data-testid=\"record-edit\"] [data-testid=\"plan-task-title\"]")
        .await;
    title.clear().await.ok();
    title
        .send_keys("Betjene kassa OPPGAVE-ENDRET-2d7e")
        .await
        .unwrap();
    adviser
        .click_in_page("[data-testid=\"record-edit\"] [data-testid=\"plan-task-submit\"]")
        .await;
    adviser
        .wait_for_text("the changed task", |t| t.contains("OPPGAVE-ENDRET-2d7e"))
        .await;
    adviser.gone("record-edit").await;

    adviser.click("plan-add-adaptation").await;
    adviser
        .type_into(
            "plan-adaptation-description",
            "Kortere dager TILRETTELEGGING-3a90",
        )
        .await;
    adviser.click("plan-adaptation-submit").await;
    adviser
        .click_in_page("[data-testid=\"overview-adaptations\"] [data-testid=\"record-edit-open\"]")
        .await;
    adviser
        .click_css("label[for^=\"plan-adaptation-active\"]")
        .await;
    adviser.click("plan-adaptation-submit").await;
    adviser.gone("record-edit").await;

    adviser.click("plan-add-contact").await;
    adviser
        .type_into("plan-contact-name", "Per Verksmester")
        .await;
    adviser.type_into("plan-contact-phone", "900 00 000").await;
    adviser.click("plan-contact-submit").await;
    adviser
        .click_in_page(
            "[data-testid=\"overview-contact-persons\"] [data-testid=\"record-edit-open\"]",
        )
        .await;
    adviser
        .type_into("plan-contact-phone", "KONTAKT-ENDRET-9f10")
        .await;
    adviser.click("plan-contact-submit").await;
    adviser.gone("record-edit").await;

    adviser
        .click_in_page(
            "[data-testid=\"timeline-item\"][data-kind=\"action\"] \
             [data-testid=\"record-edit-open\"]",
        )
        .await;
    adviser
        .type_into("action-what", "Kjøpe vernesko str. 44 TILTAK-ENDRET-6a3f")
        .await;
    adviser.axe("changing an action").await;
    adviser.click("action-submit").await;
    adviser.gone("record-edit").await;

    adviser.click("edit-placement").await;
    adviser.el("new-placement-form").await;
    adviser.type_into("new-placement-hours", "25").await;
    adviser.axe("changing the placement's facts").await;
    adviser.screenshot("edit-placement").await;
    adviser.click("new-placement-submit").await;
    adviser.el("placement-overview").await;

    let edits = [
        "MÅL-ENDRET-51c0",
        "OPPGAVE-ENDRET-2d7e",
        "KONTAKT-ENDRET-9f10",
        "TILTAK-ENDRET-6a3f",
    ];
    let deadline = Instant::now() + WAIT;
    loop {
        let (a, e) = (adviser.body_text().await, employer.body_text().await);
        let hours = employer
            .el("overview-hours")
            .await
            .text()
            .await
            .unwrap_or_default();
        let ended = employer
            .attr_of_all(
                "[data-testid=\"overview-adaptations\"] [data-testid=\"plan-item\"]",
                "data-status",
            )
            .await;
        if edits.iter().all(|m| e.contains(m))
            && ended.iter().any(|s| s == "inactive")
            && hours.trim() == "25"
            && a.contains(NOTE_BY_EMPLOYER)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edits did not cross (hours {hours}):\n{a}\n---\n{e}"
        );
        adviser.click("sync-now").await;
        employer.click("sync-now").await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }

    // --- The candidate's right of access, from the employer's window through the app's own
    // command and capability (the folder dialog before it is the system's): the employer's device
    // writes what it shares, never the adviser's own document. ---
    let into = tmp.path().join("innsyn");
    std::fs::create_dir_all(&into).unwrap();
    employer.el("access-section").await;
    employer.axe("the right of access").await;
    employer
        .screenshot_at("access", Some("access-section"))
        .await;
    let (folder, _) = employer
        .export(
            "export_access",
            json!({ "into": into.display().to_string() }),
        )
        .await;
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["delt.automerge", "innsyn.json", "innsyn.pdf"]);
    let innsyn = std::fs::read_to_string(folder.join("innsyn.json")).unwrap();
    assert!(innsyn.contains("\"private\": null") && !innsyn.contains("HEMMELIG-4f2a"));
    let pdf = pdf_text(&folder.join("innsyn.pdf"));
    assert!(
        pdf.contains("Innsyn – ") && pdf.contains(SHARED_MARKER) && !pdf.contains("HEMMELIG-4f2a"),
        "the employer's PDF holds what it shares, never the adviser's own note:\n{pdf}"
    );

    // --- A second employer device (a tablet, in this process) joins with a new code; the adviser
    // removes it from her window, and it is refused at once. ---
    adviser.click("invite-employer").await;
    let second_code = loop {
        let code = adviser
            .el("pairing-full-code")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        if code.starts_with("FS2-") && code != full_code {
            let short = adviser.el("pairing-short-code").await.text().await.unwrap();
            break (code, short);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let mut tablet = Store::create(
        &tmp.path().join("tablet"),
        folgesvenn_domain::Role::Employer,
        "Per Verksmester",
        Unlock::Key(folgesvenn_store::DbKey::generate()),
    )
    .unwrap();
    let invitation = folgesvenn_sync::open_full_code(&second_code.0, &second_code.1).unwrap();
    folgesvenn_sync::accept(&mut tablet, &invitation).unwrap();
    let client = folgesvenn_sync::SyncClient::new();
    let tablet_member = format!(
        "[data-testid=\"member\"][data-device=\"{}\"]",
        tablet.device_id()
    );
    let deadline = Instant::now() + WAIT;
    loop {
        // The adviser's device sends the invitation to the relay; then the tablet can join, and
        // its signed claim reaches the adviser's window.
        adviser.click("sync-now").await;
        folgesvenn_sync::sync_once(&mut tablet, &client)
            .await
            .unwrap();
        let listed = adviser
            .client
            .find_all(Locator::Css(&tablet_member))
            .await
            .unwrap();
        if !listed.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the tablet never showed among the devices:\n{}",
            adviser.body_text().await
        );
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    adviser
        .click_css(&format!("{tablet_member} [data-testid=\"member-remove\"]"))
        .await;
    adviser.click("member-remove-confirm").await;
    adviser.el("member-removed").await;
    adviser.axe("overview after removing a device").await;
    let deadline = Instant::now() + WAIT;
    loop {
        adviser.click("sync-now").await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        // Refused by the relay, the tablet (it had sent everything) deletes the placement.
        match folgesvenn_sync::sync_once(&mut tablet, &client).await {
            Ok(r) if r.purged == 1 => break,
            other => assert!(
                Instant::now() < deadline,
                "the removed tablet still syncs: {other:?}"
            ),
        }
    }

    // --- The adviser's own second device (a laptop, in this process, set up as hers) takes the
    // two codes her window shows, one after the other, and receives her private note. ---
    adviser.click("own-device-start").await;
    let mut own_codes = Vec::new();
    for step in ["1", "2"] {
        adviser
            .wait_for_attr("[data-testid=\"own-device-step\"]", "data-step", step, &[])
            .await;
        // (The employer's code from earlier is still on screen: look inside this section.)
        let full = adviser
            .el_css("[data-testid=\"own-device\"] [data-testid=\"pairing-full-code\"]")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        let short = adviser
            .el_css("[data-testid=\"own-device\"] [data-testid=\"pairing-short-code\"]")
            .await
            .text()
            .await
            .unwrap();
        if step == "1" {
            adviser.axe("codes for the adviser's own device").await;
            adviser
                .screenshot_at("own-device", Some("own-device"))
                .await;
            adviser.click("own-device-next").await;
        }
        own_codes.push((full, short));
    }
    let mut laptop = Store::create(
        &tmp.path().join("laptop"),
        folgesvenn_domain::Role::Adviser,
        "Kari Veileder",
        Unlock::Key(folgesvenn_store::DbKey::generate()),
    )
    .unwrap();
    assert_ne!(own_codes[0], own_codes[1], "one code per document");
    let mut placement = None;
    for (full, short) in &own_codes {
        let invitation = folgesvenn_sync::open_full_code(full, short).unwrap();
        placement = Some(folgesvenn_sync::accept(&mut laptop, &invitation).unwrap());
    }
    let placement = placement.unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        adviser.click("sync-now").await;
        let _ = folgesvenn_sync::sync_once(&mut laptop, &client).await;
        let has_note = laptop.placement(placement).is_ok_and(|v| {
            v.private
                .is_some_and(|pv| pv.notes.values().any(|n| n.body.as_str() == PRIVATE_MARKER))
        });
        if has_note {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the adviser's second device never got her private note"
        );
        tokio::time::sleep(Duration::from_millis(700)).await;
    }

    // --- One code for all her placements (a device pairing): her window makes it, and a phone
    // of hers (in this process, set up as hers) takes it through the relay. ---
    adviser.click("back-to-list").await;
    adviser.click("new-device-link").await;
    adviser.click("new-device-start").await;
    let device_code = adviser
        .el_css("[data-testid=\"new-device\"] [data-testid=\"pairing-short-code\"]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        adviser
            .client
            .find(Locator::Css("[data-testid=\"pairing-full-code\"]"))
            .await
            .is_err(),
        "a device pairing has no long code"
    );
    adviser.axe("one code for a new device").await;
    adviser
        .screenshot_at("new-device", Some("pairing-short-code"))
        .await;
    let mut phone = Store::create(
        &tmp.path().join("phone"),
        folgesvenn_domain::Role::Adviser,
        "Kari Veileder",
        Unlock::Key(folgesvenn_store::DbKey::generate()),
    )
    .unwrap();
    let joined = folgesvenn_sync::join_with_code(&mut phone, &client, &relay_url, &device_code)
        .await
        .unwrap();
    assert_eq!((joined.placements, joined.missing), (vec![placement], 0));
    assert!(
        phone.placement(placement).is_ok_and(|v| v
            .private
            .is_some_and(|pv| pv.notes.values().any(|n| n.body.as_str() == PRIVATE_MARKER))),
        "the phone holds her private note"
    );
    adviser.click("back-to-list").await;
    adviser.click("placement-link").await;
    adviser.el("placement-overview").await;

    // --- The adviser ends the placement; the employer's window shows when its access ends. ---
    adviser.click("lifecycle-end").await;
    adviser.el("lifecycle-date").await;
    adviser
        .client
        .find(Locator::Css(
            "[data-testid=\"lifecycle-reason\"] option[value=\"got_job\"]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    adviser.axe("ending a placement").await;
    adviser
        .screenshot_at("end-placement", Some("lifecycle"))
        .await;
    adviser.click("lifecycle-save").await;
    adviser.el("lifecycle-saved").await;
    let today = today();
    let access_ends = today.plus_days(EMPLOYER_ACCESS_DAYS).to_string();
    employer
        .wait_for_attr(
            "[data-testid=\"access-ends\"]",
            "data-date",
            &access_ends,
            &[&adviser, &employer],
        )
        .await;
    let notice = employer.el("access-ends").await.text().await.unwrap();
    assert!(
        notice.contains(&access_ends[..4]),
        "the notice gives the date: {notice}"
    );
    employer.axe("overview of an ended placement").await;
    employer
        .screenshot_at("access-ends", Some("access-ends"))
        .await;

    // --- Killed mid-draft: the employer's half-written log is back after a restart. ---
    employer.click("daily-log-open").await;
    employer
        .type_into("daily-log-went-well", DRAFT_MARKER)
        .await;
    // The draft is saved a moment after typing stops.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pids = employer.app_pids();
    assert!(!pids.is_empty(), "the employer's app process was not found");
    for pid in &pids {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    let employer_dir = employer.data_dir.clone();
    employer.close().await;
    // Restarted with a short idle time, so the app's own lock is seen below.
    let employer = Window::open_with(
        &xvfb,
        &employer_dir,
        &[("FOLGESVENN_LOCK_AFTER_MS", "6000")],
    )
    .await;
    employer.el("unlock-form").await;
    employer.axe("unlock").await;
    employer.screenshot("unlock").await;
    employer.type_into("unlock-passphrase", PASSPHRASE).await;
    employer.click("unlock-submit").await;
    employer.click("placement-link").await;
    // The overview opens the daily log by itself when a draft is waiting.
    employer.el("draft-restored").await;
    let went_well = employer
        .el("daily-log-went-well")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(went_well, DRAFT_MARKER, "the draft survived the kill");

    // --- Left unused, the app locks itself: the screens with the candidate's name are gone and
    // only the passphrase opens it again, on the screen the user left, the draft still there. ---
    employer
        .wait_for_text("the app locked itself", |t| {
            t.contains("Følgesvenn er låst")
        })
        .await;
    for gone in ["daily-log-went-well", "placement-overview", "header-user"] {
        assert!(
            employer
                .client
                .find_all(Locator::Css(&Window::css(gone)))
                .await
                .unwrap_or_default()
                .is_empty(),
            "{gone}: nothing of the placement stays on screen"
        );
    }
    employer.axe("locked").await;
    employer.screenshot("locked").await;
    employer.type_into("unlock-passphrase", PASSPHRASE).await;
    employer.click("unlock-submit").await;
    // Back where the user was: the overview, with the daily log's draft restored.
    employer.el("placement-overview").await;
    employer.el("draft-restored").await;
    employer.close().await;
    let adviser_dir = adviser.data_dir.clone();
    adviser.close().await;

    // --- The employer's store (opened with its passphrase) never held the note. ---
    let mut store = Store::open(
        &employer_dir,
        Unlock::Passphrase(zeroize::Zeroizing::new(PASSPHRASE.to_owned())),
    )
    .unwrap();
    let dump = store.projection_dump(true).unwrap().join("\n");
    assert!(
        dump.contains("SYNLIG-7c1e"),
        "the shared visit is in the store"
    );
    assert!(
        !dump.contains("HEMMELIG-4f2a"),
        "the private note is in the employer's store"
    );
    assert!(
        store
            .documents()
            .unwrap()
            .iter()
            .all(|d| d.kind != folgesvenn_store::DocKind::Private),
        "the employer holds no private document"
    );

    // --- 12 weeks and a day after the end the adviser set in her window (the relay's calendar
    // and the employer's clock moved, no sleep): the relay refuses the employer, whose device
    // deletes the placement; the adviser keeps everything. ---
    relay.stop();
    let _relay = RelayProcess::start_with_calendar(
        &tmp.path().join("relay"),
        &listen,
        EMPLOYER_ACCESS_DAYS + 1,
    );
    let later = folgesvenn_domain::Moment::from_unix_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
            + (EMPLOYER_ACCESS_DAYS + 1) * 86_400_000,
    )
    .unwrap();
    store.set_clock(move || (later, later.day()));
    let report = folgesvenn_sync::sync_once(&mut store, &client)
        .await
        .unwrap();
    assert_eq!(report.purged, 1, "{report:?}");
    assert!(store.list_placements().unwrap().is_empty());
    let mut adviser_store = Store::open(
        &adviser_dir,
        Unlock::Passphrase(zeroize::Zeroizing::new(PASSPHRASE.to_owned())),
    )
    .unwrap();
    adviser_store.set_clock(move || (later, later.day()));
    assert!(adviser_store.purge_ended_placements().unwrap().is_empty());
    folgesvenn_sync::sync_once(&mut adviser_store, &client)
        .await
        .unwrap();
    let kept = adviser_store.list_placements().unwrap();
    assert_eq!(kept.len(), 1, "the adviser keeps the placement");
    assert!(
        adviser_store
            .projection_dump(true)
            .unwrap()
            .join("\n")
            .contains(NOTE_BY_EMPLOYER),
        "and the employer's note in it, as the employer last changed it"
    );
    drop(xvfb);
}

// ---------------------------------------------------------------------------------------------
// The app's own figures (`cargo xtask bench`, release binary): measured through the real window.
// Not assertions: these machines are shared and noisy, so the figures go to BENCHMARKS.md.

#[path = "../bench/workload.rs"]
#[allow(dead_code)]
mod workload;

/// Unix milliseconds when a process started. /proc gives it in clock ticks since boot; the boot
/// is taken as now less `/proc/uptime` (to 10 ms), not as `/proc/stat`'s `btime`, which is whole
/// seconds: the fraction it cuts off (0 to 1 s, another at every boot) was added to every cold
/// start measured before 2026-12-06.
fn process_start_ms(pid: i32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let ticks: f64 = after.split(' ').nth(19).unwrap().parse().unwrap();
    let hz: f64 = String::from_utf8(
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap_or(100.0);
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    (now - uptime + ticks / hz) * 1000.0
}

/// The app process and every process below it (WebKit's web and network processes).
fn process_tree(root: i32) -> Vec<i32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let ppid: i32 = stat[close + 2..]
            .split(' ')
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        parents.push((pid, ppid));
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree
}

/// Proportional set size in MiB (shared pages split between the processes that map them).
fn pss_mib(pids: &[i32]) -> f64 {
    let mut kib = 0u64;
    for pid in pids {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
            kib += s
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    kib as f64 / 1024.0
}

/// One process's PSS by kind of mapping (`/proc/PID/smaps`): where its memory goes.
fn pss_by_kind(pid: i32) -> std::collections::BTreeMap<&'static str, f64> {
    let mut kinds = std::collections::BTreeMap::new();
    let Ok(smaps) = std::fs::read_to_string(format!("/proc/{pid}/smaps")) else {
        return kinds;
    };
    let mut kind = "anonymous";
    for line in smaps.lines() {
        if let Some(kib) = line.strip_prefix("Pss:") {
            let kib: f64 = kib
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap_or(0.0);
            *kinds.entry(kind).or_insert(0.0) += kib / 1024.0;
            continue;
        }
        // A mapping's header: address range, permissions, offset, device, inode, path.
        let mut fields = line.split_whitespace();
        let header = fields.next().is_some_and(|range| {
            range.contains('-') && range.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        });
        if !header {
            continue;
        }
        let path = fields.nth(4).unwrap_or("");
        kind = if path.is_empty() || path == "[heap]" {
            "anonymous (heaps, JavaScript)"
        } else if path.contains(".so") {
            "libraries"
        } else if path.starts_with("/memfd:") || path.starts_with("/dev/") {
            "shared memory and devices"
        } else if path.starts_with('[') {
            "stacks and kernel"
        } else {
            "other files"
        };
    }
    kinds
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

impl Window {
    /// Unix milliseconds at which the UI marked `name` painted (`ui/src/hooks/usePaintMark.ts`).
    async fn painted_at(&self, name: &str) -> f64 {
        let script = format!(
            "const m = performance.getEntriesByName('{name}');
             return m.length ? performance.timeOrigin + m[m.length - 1].startTime : null;"
        );
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.client.execute(&script, vec![]).await.unwrap();
            if let Some(ms) = v.as_f64() {
                return ms;
            }
            assert!(Instant::now() < deadline, "{name} was never painted");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Clicks `css` from inside the page and returns the page's clock at the click (Unix ms).
    async fn click_at(&self, css: &str) -> f64 {
        let script = format!(
            "performance.clearMarks();
             const t = performance.timeOrigin + performance.now();
             document.querySelector('{css}').click();
             return t;"
        );
        self.client
            .execute(&script, vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the app's figures: run by cargo xtask bench with the release binary"]
async fn app_figures() {
    use folgesvenn_domain::{Day, Role};
    use rand::SeedableRng;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("adviser");
    let passphrase = "en lang nok passordfrase";

    // An adviser with 500 placements, one of them three years long.
    let t = Instant::now();
    let long;
    {
        let mut store = Store::create(
            &dir,
            Role::Adviser,
            "Kari Veileder",
            Unlock::Passphrase(zeroize::Zeroizing::new(passphrase.to_owned())),
        )
        .unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let start = Day::from_ymd(2023, 9, 1).unwrap();
        long = workload::three_years(&mut store, &mut rng, start);
        for i in 0..499 {
            let day = start.plus_days(i % 900);
            workload::set_day(&mut store, day);
            store
                .create_placement(&workload::placement(&mut rng, day))
                .unwrap();
        }
    }
    // Nothing listens on port 9: the window starts as it would without coverage. Written again
    // before each start: the UI's first command reads it, and that read sets its access time.
    let settings = dir.join("app.json");
    let write_settings =
        || std::fs::write(&settings, r#"{"relay": "http://127.0.0.1:9"}"#).unwrap();
    write_settings();
    eprintln!(
        "seeded 500 placements in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let xvfb = Xvfb::start();
    let (mut to_unlock, mut to_list, mut open, mut idle) = (vec![], vec![], vec![], vec![]);
    let mut command = vec![];
    let mut by_process = std::collections::BTreeMap::<String, f64>::new();
    let mut by_kind = std::collections::BTreeMap::<(String, &str), f64>::new();
    let (mut split, mut whole, mut to_page) = (vec![], vec![], vec![]);
    let mut to_command = vec![];
    for _ in 0..3 {
        write_settings();
        let w = Window::open(&xvfb, &dir).await;
        let pids = w.app_pids();
        let pid = *pids.iter().min().expect("the app process");
        let started = process_start_ms(pid);
        to_unlock.push(w.painted_at("painted:unlock").await - started);
        to_command.extend(first_read_ms(&settings).map(|at| at - started));
        // When the page began to load: what came before is GTK, WebKit's processes and the
        // app's own set-up; what came after, the bundle and the first screen.
        let origin = w
            .client
            .execute("return performance.timeOrigin;", vec![])
            .await
            .unwrap();
        to_page.push(origin.as_f64().expect("a time origin") - started);
        w.type_into("unlock-passphrase", passphrase).await;
        let clicked = w.click_at("[data-testid=\"unlock-submit\"]").await;
        to_list.push(w.painted_at("painted:placement-list").await - clicked);
        for _ in 0..5 {
            w.el("placement-row").await;
            let css = format!("[data-testid=\"placement-link\"][href=\"#/placements/{long}\"]");
            // The list draws 60 cards at first; reveal more until the long placement is drawn.
            while w.client.find(Locator::Css(&css)).await.is_err() {
                w.click("list-more").await;
            }
            let clicked = w.click_at(&css).await;
            let painted = w.painted_at("painted:overview").await;
            open.push(painted - clicked);
            whole.push(w.painted_at("painted:overview-whole").await - clicked);
            let (asked, answered, rendered) = (
                w.painted_at("asked:overview").await,
                w.painted_at("answered:overview").await,
                w.painted_at("rendered:overview").await,
            );
            split.push([
                asked - clicked,
                answered - asked,
                rendered - answered,
                painted - rendered,
            ]);
            w.client
                .execute("window.location.hash = '#/';", vec![])
                .await
                .unwrap();
            w.painted_at("painted:placement-list").await;
        }
        // Where the opening time goes: the command alone (IPC, store, JSON), without React.
        for _ in 0..5 {
            let script = format!(
                "const done = arguments[arguments.length - 1];
                 const t = performance.now();
                 window.__TAURI_INTERNALS__.invoke('placement_overview', {{ placementId: '{long}' }})
                   .then(() => done(performance.now() - t), e => done('failed: ' + e));"
            );
            let v = w.client.execute_async(&script, vec![]).await.unwrap();
            command.push(v.as_f64().unwrap_or_else(|| panic!("{v}")));
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
        let tree = process_tree(pid);
        idle.push(pss_mib(&tree));
        for p in &tree {
            let name = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
            *by_process.entry(name.trim().to_owned()).or_insert(0.0) += pss_mib(&[*p]) / 3.0;
            for (kind, mib) in pss_by_kind(*p) {
                *by_kind.entry((name.trim().to_owned(), kind)).or_insert(0.0) += mib / 3.0;
            }
        }
        w.close().await;
    }
    // The same start without WebDriver: tauri-driver and WebKitWebDriver open an automation
    // session with the app before its page loads, which a user's start does not. Without them the
    // page's marks cannot be read, so both starts are compared at the UI's first command
    // (`app_state`, the first to read `app.json`).
    let mut direct = vec![];
    for _ in 0..3 {
        write_settings();
        let mut app = Command::new(app_binary())
            .env("DISPLAY", &xvfb.display)
            .env("FOLGESVENN_DATA_DIR", &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let started = process_start_ms(app.id() as i32);
        let deadline = Instant::now() + WAIT;
        let read = loop {
            if let Some(at) = first_read_ms(&settings) {
                break Some(at);
            }
            if Instant::now() > deadline {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        kill_group(&mut app);
        direct.extend(read.map(|at| at - started));
    }
    // Access times not kept (a `noatime` mount): the rows say so rather than guess.
    let ms_or_unknown = |v: Vec<f64>| {
        if v.is_empty() {
            "not measured (no access times here)".to_owned()
        } else {
            format!("{:.0} ms", median(v))
        }
    };
    let size = std::fs::metadata(app_binary()).unwrap().len() as f64 / (1024.0 * 1024.0);
    let table = format!(
        "| Figure (median of 3 starts; opening: of 15) | Measured | Goal |\n\
         |---|---:|---:|\n\
         | Cold start to the unlock screen, painted (process start → paint) | {:.0} ms | ≤ 700 ms |\n\
         | … of which process start → the page begins to load (GTK, WebKit's processes, the app's set-up) | {:.0} ms | — |\n\
         | … of which process start → the UI's first command (`app_state`) | {} | — |\n\
         | The same start without WebDriver (a user's): process start → the UI's first command | {} | — |\n\
         | Unlock (Argon2id, 64 MiB, t = 3) to the list of 500 placements, painted | {:.0} ms | — |\n\
         | Open a three-year placement from the list, its first screenful painted (click → paint) | {:.0} ms | ≤ 100 ms |\n\
         | … the whole overview painted (the timeline's first page and the sections below it follow the first paint) | {:.0} ms | — |\n\
         | … of which the `placement_overview` command alone (IPC + store + JSON) | {:.1} ms | — |\n\
         | … split at the UI's marks (medians): click → command asked (route, list taken down); asked → answered; answered → rendered (React); rendered → painted (style, layout, paint) | {} | — |\n\
         | Idle memory of all the app's processes (PSS, 10 s after use) | {:.0} MiB | ≤ 200 MiB |\n\
         | … by process (mean) | {} | — |\n\
         | … by process and kind of mapping (mean; ≥ 5 MiB) | {} | — |\n\
         | Binary size (`--profile dist`: LTO, one codegen unit, `opt-level = \"s\"`, stripped) | {:.1} MiB | ≤ 15 MiB |\n",
        median(to_unlock),
        median(to_page),
        ms_or_unknown(to_command),
        ms_or_unknown(direct),
        median(to_list),
        median(open),
        median(whole),
        median(command),
        (0..4)
            .map(|i| format!("{:.0} ms", median(split.iter().map(|s| s[i]).collect())))
            .collect::<Vec<_>>()
            .join("; "),
        median(idle),
        by_process
            .iter()
            .filter(|(_, mib)| **mib >= 1.0)
            .map(|(name, mib)| format!("{name} {mib:.0} MiB"))
            .collect::<Vec<_>>()
            .join(", "),
        by_kind
            .iter()
            .filter(|(_, mib)| **mib >= 5.0)
            .map(|((name, kind), mib)| format!("{name}: {kind} {mib:.0} MiB"))
            .collect::<Vec<_>>()
            .join(", "),
        size
    );
    print!("{table}");
    if let Ok(out) = std::env::var("FOLGESVENN_BENCH_OUT") {
        std::fs::write(out, &table).unwrap();
    }
    drop(xvfb);
}

/// When `file` was read after it was last written, in ms since the epoch (its access time, which
/// a `relatime` mount updates on the first read after a write); `None` if it has not been.
fn first_read_ms(file: &Path) -> Option<f64> {
    let meta = std::fs::metadata(file).ok()?;
    let (read, written) = (meta.accessed().ok()?, meta.modified().ok()?);
    (read > written).then(|| {
        read.duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0
    })
}

/// What `dpkg` says of a package: its installed version, or `None`.
fn installed_version(package: &str) -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Status} ${Version}", package])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.strip_prefix("install ok installed ")
        .map(|v| v.trim().to_owned())
}

fn dpkg(args: &[&str]) {
    let out = Command::new("dpkg").args(args).output().expect("dpkg");
    assert!(
        out.status.success(),
        "dpkg {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The .deb as an IT department gets it (`cargo xtask package --check` builds it and runs this,
/// as root, on a machine where it is not installed): the previous package installs, the installed
/// app starts on the first-run screen and keeps its data in the user's home; the new package
/// upgrades it and the data is still there; the bundled relay answers; removing the package takes
/// its files and leaves the user's data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "installs a package with dpkg: run by cargo xtask package --check"]
async fn the_package_installs_starts_upgrades_keeping_the_data_and_uninstalls() {
    let deb = PathBuf::from(std::env::var_os("FOLGESVENN_DEB").expect("FOLGESVENN_DEB: the .deb"));
    let previous = PathBuf::from(
        std::env::var_os("FOLGESVENN_PREVIOUS_DEB")
            .expect("FOLGESVENN_PREVIOUS_DEB: the older .deb"),
    );
    // The name as the package itself gives it (`cargo xtask package` sets it).
    let field = Command::new("dpkg-deb")
        .args(["-f"])
        .arg(&deb)
        .arg("Package")
        .output()
        .expect("dpkg-deb");
    let name = String::from_utf8_lossy(&field.stdout).trim().to_owned();
    assert_eq!(
        name, "folgesvenn",
        "a package name dpkg accepts, the same in both packages"
    );
    const PACKAGE: &str = "folgesvenn";
    assert!(
        installed_version(PACKAGE).is_none(),
        "{PACKAGE} is installed on this machine already; the test installs and removes it, so \
         remove it first (dpkg -r {PACKAGE})"
    );
    // Removed also when the test fails half-way.
    struct Removes;
    impl Drop for Removes {
        fn drop(&mut self) {
            let _ = Command::new("dpkg").args(["-r", PACKAGE]).output();
        }
    }
    let _removes = Removes;

    dpkg(&["-i", previous.to_str().unwrap()]);
    let first = installed_version(PACKAGE).expect("the previous package is installed");
    for file in [
        "/usr/bin/folgesvenn",
        "/usr/bin/folgesvenn-relay",
        "/usr/share/applications/folgesvenn.desktop",
        "/usr/share/icons/hicolor/128x128/apps/folgesvenn.png",
    ] {
        assert!(Path::new(file).exists(), "{file} after dpkg -i");
    }
    // The package is `folgesvenn`; the menu still says «Følgesvenn».
    let desktop = std::fs::read_to_string("/usr/share/applications/folgesvenn.desktop").unwrap();
    assert!(
        desktop.contains("Exec=folgesvenn") && desktop.contains("Name=Følgesvenn"),
        "{desktop}"
    );

    // The relay in the package serves.
    let tmp = tempfile::tempdir().unwrap();
    let mut relay = Command::new("/usr/bin/folgesvenn-relay")
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(tmp.path().join("relay.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(relay.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{line:?}"));
    let relay_url = format!("http://{addr}");
    folgesvenn_sync::transport::install_tls_provider();
    let health = reqwest::get(format!("{relay_url}/healthz")).await.unwrap();
    assert!(health.status().is_success());

    // The installed app, for a user whose home is new: the first-run screen; set up, a placement.
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let home_s = home.display().to_string();
    let data = home.join(".local/share/no.folgesvenn.app");
    let env = [("HOME", home_s.as_str()), ("XDG_DATA_HOME", "")];
    let xvfb = Xvfb::start();
    let app = Path::new("/usr/bin/folgesvenn");
    let window = Window::launch(&xvfb, app, &data, &env).await;
    window
        .first_run("adviser", "Kari Veileder", &relay_url)
        .await;
    window.new_placement("Ola Pakke", "Bakeriet AS", None).await;
    window.close().await;
    assert!(
        data.join("app.json").exists() && std::fs::read_dir(&data).unwrap().count() > 1,
        "the data lives under the user's home: {}",
        data.display()
    );

    // The upgrade: the new package over the old; the same user's data opens, nothing asked again.
    dpkg(&["-i", deb.to_str().unwrap()]);
    let now = installed_version(PACKAGE).expect("the new package is installed");
    assert_ne!(first, now, "an upgrade from {first}");
    let window = Window::launch(&xvfb, app, &data, &env).await;
    window.el("unlock-form").await;
    window.type_into("unlock-passphrase", PASSPHRASE).await;
    window.click("unlock-submit").await;
    window.el("placement-list").await;
    window
        .wait_for_text("the placement made before the upgrade", |t| {
            t.contains("Ola Pakke")
        })
        .await;
    window.close().await;

    // Removed: its files go, the user's data stays (the user's own, as for any desktop app).
    kill_group(&mut relay);
    dpkg(&["-r", PACKAGE]);
    assert!(installed_version(PACKAGE).is_none());
    assert!(!Path::new("/usr/bin/folgesvenn").exists());
    assert!(!Path::new("/usr/bin/folgesvenn-relay").exists());
    assert!(data.join("app.json").exists(), "the user's data is left");
}
