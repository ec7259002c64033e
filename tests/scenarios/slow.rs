//! A slow relay holds up no command: while the app waits on the network for an invitation (and the
//! background sync waits too), every other command the window sends answers at once.
//!
//! The relay is the real one, behind a userspace proxy that holds every request for 20 seconds
//! while it is set to slow (the client gives up after 30). The test never measures a duration: it
//! checks that each command returned while the proxy still held the invitation's request, which
//! a command queued behind the network could not have done.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use folgesvenn_app_core::AppCore;
use folgesvenn_app_core::dto::{ConsentInput, NewPlacementInput, NoteInput, Role, SetupInput};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::common::RelayProcess;

const HOLD: Duration = Duration::from_secs(20);

/// Forwards TCP to `target`; while `slow` is true, each chunk a client sends waits up to [`HOLD`]
/// (or until `slow` turns false) before it goes on. `held` lists the first line of each chunk
/// waiting now (for a request, its method and path).
struct SlowProxy {
    url: String,
    slow: watch::Sender<bool>,
    held: Arc<Mutex<Vec<String>>>,
}

async fn hold_while_slow(slow: &mut watch::Receiver<bool>) {
    let _ = tokio::time::timeout(HOLD, slow.wait_for(|s| !*s)).await;
}

type Held = Arc<Mutex<Vec<String>>>;

async fn pipe(client: TcpStream, target: String, slow: watch::Receiver<bool>, held: Held) {
    let Ok(server) = TcpStream::connect(&target).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async move {
        let mut slow = slow;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if *slow.borrow() {
                let line = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                held.lock().unwrap().push(line.clone());
                hold_while_slow(&mut slow).await;
                let mut h = held.lock().unwrap();
                if let Some(at) = h.iter().position(|l| *l == line) {
                    h.remove(at);
                }
            }
            if sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = sw.shutdown().await;
    };
    let down = async move {
        let _ = tokio::io::copy(&mut sr, &mut cw).await;
        let _ = cw.shutdown().await;
    };
    tokio::join!(up, down);
}

impl SlowProxy {
    fn start(runtime: &tokio::runtime::Runtime, target: &str) -> SlowProxy {
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let target = target.trim_start_matches("http://").to_owned();
        let (slow, rx) = watch::channel(false);
        let held: Held = Arc::default();
        let h = held.clone();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(pipe(client, target.clone(), rx.clone(), h.clone()));
            }
        });
        SlowProxy { url, slow, held }
    }

    fn holds(&self, request: &str) -> bool {
        self.held
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with(request))
    }
}

fn placement() -> NewPlacementInput {
    NewPlacementInput {
        candidate_name: "Ola Nordmann".into(),
        employer_name: "Bodø Bakeri AS".into(),
        employer_org_number: "889640782".into(),
        workplace_address: "Storgata 3, 8006 Bodø".into(),
        measure: "work_training".into(),
        start_date: "2026-10-01".into(),
        end_date: None,
        hours_per_week: 20.0,
    }
}

/// Waits for `what`, at most a generous while (liveness, not a timing claim).
fn until(what: &str, ok: impl Fn() -> bool) {
    for _ in 0..1200 {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("gave up waiting: {what}");
}

#[test]
fn commands_answer_at_once_while_the_relay_takes_20_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(&tmp.path().join("relay"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let proxy = SlowProxy::start(&runtime, &relay.url);

    let core = Arc::new(AppCore::new(tmp.path().join("adviser"), |_| {}).unwrap());
    core.setup(SetupInput {
        role: Role::Adviser,
        user_name: "Kari Veileder".into(),
        passphrase: Some("en lang nok passordfrase".into()),
        relay: proxy.url.clone(),
    })
    .unwrap();
    let placement = core.create_placement(placement()).unwrap();
    core.give_consent(
        placement,
        ConsentInput {
            scopes: vec!["follow_up".into()],
            text_version: "2026-1".into(),
        },
    )
    .unwrap();
    // First a sync through the fast proxy: the device is registered and the documents are on
    // the relay, so the invitation below needs only the relay to take it.
    until("the first sync", || {
        core.sync_status().last_success_ms.is_some()
    });

    proxy.slow.send_replace(true);
    let c = core.clone();
    let invite = std::thread::spawn(move || c.invite_employer(placement));
    // The invitation is on its way to the relay, and the relay sits on it.
    until("the invitation at the relay", || {
        proxy.holds("POST /v2/invitations ")
    });

    // Meanwhile, everything the window asks for.
    let _ = core.sync_status();
    core.state().unwrap();
    assert_eq!(core.list_placements().unwrap().len(), 1);
    core.overview(placement).unwrap();
    core.search("bakeri").unwrap();
    core.save_draft("visit.x", r#"{"summary":"Halvskrevet"}"#)
        .unwrap();
    assert!(core.load_draft("visit.x").unwrap().is_some());
    core.add_note(
        placement,
        NoteInput {
            body: "Ringer i morgen".into(),
            reply_to: None,
        },
    )
    .unwrap();
    core.sync_log(placement).unwrap();
    core.members(placement).unwrap();
    core.sync_now();
    assert!(
        !invite.is_finished() && proxy.holds("POST /v2/invitations "),
        "the commands had to wait for the relay"
    );

    // The relay answers again: the invitation is made and on the relay.
    proxy.slow.send_replace(false);
    let pairing = invite.join().unwrap().unwrap();
    assert!(pairing.registered, "the relay took the invitation");
}
