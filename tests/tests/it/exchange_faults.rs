//! The exchange under faults (issue 6's fault test): two stations and a hub on loopback, a proxy
//! between them that delays and cuts connections at random and is unplugged and replugged, the hub
//! killed with SIGKILL and restarted, each station's sync process killed mid-pass. 1 000 documents
//! each way, all their statuses (01 at arrival, 03 at registration). At the end every document is
//! registered exactly once at its recipient (by DocumentId), every status has reached its sender,
//! both outboxes are empty and both registers pass `vanthu check`.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vanthu_app::exchange::{InboxRegistration, InboxState};
use vanthu_app::{Clock, Desk, OutgoingDraft, OutgoingInput};
use vanthu_testkit::keyring;
use vanthu_testkit::proxy::{Faults, Proxy};

use crate::exchange::{Station, add_org, one_page_pdf, spawn_hub, start_hub};

const A: &str = "000.00.00.H24";
const B: &str = "000.01.00.H24";
const DOCUMENTS: usize = 1_000;
/// A guard against a hang, not a timing assertion: the run is reported as stuck beyond it.
const STUCK_AFTER: Duration = Duration::from_secs(1_500);

/// Issues `n` outgoing documents at `station` in-process (through the façade) and queues each for `to`.
fn issue_and_send(db: &Path, pdf: &Path, n: usize, to: &str) {
    let desk = Desk::open(db, Clock::System).unwrap().with_actor("văn thư thử tải");
    for i in 0..n {
        let registered = desk
            .register_outgoing(&OutgoingInput {
                draft: OutgoingDraft {
                    type_name: "Công văn".into(),
                    drafting_unit: Some("VP".into()),
                    subject: format!("Về việc trao đổi văn bản điện tử số {i}"),
                    signer: "Lê Văn Đạo".into(),
                    ..Default::default()
                },
                files: vec![pdf.to_owned()],
                ..Default::default()
            })
            .unwrap();
        desk.send_outgoing(&registered.id, &[to.to_owned()]).unwrap();
    }
}

/// The clerk: registers what waits in the inbox (the PDFs are unsigned: the reason is given).
fn register_arrivals(db: &Path) -> usize {
    let desk = Desk::open(db, Clock::System).unwrap().with_actor("văn thư tiếp nhận");
    let waiting = desk.inbox(Some(InboxState::Waiting)).unwrap();
    for item in &waiting {
        let input = InboxRegistration {
            signature_override: Some("Văn bản thử tải, chưa ký số".into()),
            ..Default::default()
        };
        desk.register_from_inbox(item.id, &input).unwrap();
    }
    waiting.len()
}

/// What the register says, read with SQL directly (an independent reading of the tables).
#[derive(Debug, PartialEq, Eq)]
struct Tally {
    incoming: i64,
    distinct_incoming: i64,
    waiting_in_outbox: i64,
    failed_in_outbox: i64,
    arrived_back: i64,
    accepted_back: i64,
}

fn tally(db: &Path) -> Tally {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    Tally {
        incoming: count("SELECT count(*) FROM document WHERE direction = 'incoming'"),
        distinct_incoming: count("SELECT count(DISTINCT exchange_id) FROM document WHERE direction = 'incoming'"),
        waiting_in_outbox: count("SELECT count(*) FROM outbox WHERE state IN ('pending', 'unknown')"),
        failed_in_outbox: count("SELECT count(*) FROM outbox WHERE state = 'failed'"),
        arrived_back: count(
            "SELECT count(DISTINCT s.document_id) FROM exchange_status s JOIN document d ON d.exchange_id = s.document_id
             WHERE s.way = 'in' AND s.code = '01' AND d.direction = 'outgoing'",
        ),
        accepted_back: count(
            "SELECT count(DISTINCT s.document_id) FROM exchange_status s JOIN document d ON d.exchange_id = s.document_id
             WHERE s.way = 'in' AND s.code = '03' AND d.direction = 'outgoing'",
        ),
    }
}

fn done(t: &Tally) -> bool {
    let n = DOCUMENTS as i64;
    t.incoming == n && t.waiting_in_outbox == 0 && t.arrived_back == n && t.accepted_back == n
}

/// `vanthu sync --once` at a station, as a child process.
fn sync_process(station: &Station<'_>) -> Child {
    station.cmd().args(["sync", "--once"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
}

#[test]
fn a_thousand_documents_each_way_survive_a_bad_link_and_killed_processes() {
    // Hundreds of processes on two cores: not beside a desktop test, whose window waits on timeouts.
    let _window = crate::desktop::one_window();
    let dir = tempfile::tempdir().unwrap();
    let keyring = keyring::Session::start();
    let mut hub = start_hub(dir.path());
    add_org(&hub, A, "Ủy ban nhân dân tỉnh Lào Cai", "bí-mật-A");
    add_org(&hub, B, "Sở Nội vụ tỉnh Lào Cai", "bí-mật-B");
    let proxy = Proxy::start(hub.socket(), 20261122);
    let through_proxy = format!("https://{}", proxy.addr());
    let a =
        crate::exchange::station_at(dir.path(), &keyring, &through_proxy, &hub.ca, A, "UBND tỉnh Lào Cai", "bí-mật-A");
    let b = crate::exchange::station_at(dir.path(), &keyring, &through_proxy, &hub.ca, B, "Sở Nội vụ", "bí-mật-B");
    let pdf = dir.path().join("cong-van.pdf");
    one_page_pdf(&pdf);
    issue_and_send(&a.db, &pdf, DOCUMENTS, B);
    issue_and_send(&b.db, &pdf, DOCUMENTS, A);

    let mut rng = StdRng::seed_from_u64(6);
    let started = Instant::now();
    let (mut killed_stations, mut hub_restarts, mut unplugs) = (0, 0, 0);
    for round in 0.. {
        // The link of this round: mostly bad, sometimes unplugged, sometimes clean.
        let faults = match round % 4 {
            0 | 1 => Faults { refuse: 0.05, cut: 0.003, max_delay: Duration::from_millis(3) },
            2 => Faults { refuse: 0.0, cut: 0.0005, max_delay: Duration::from_millis(1) },
            _ => Faults::NONE,
        };
        proxy.set_faults(faults);
        let unplug_now = round % 7 == 3;
        // The hub dies twice, mid-round, and comes back on the same store.
        let kill_hub_now = round == 2 || round == 9;
        let mut children = [sync_process(&a), sync_process(&b)];
        if unplug_now || kill_hub_now {
            std::thread::sleep(Duration::from_millis(rng.random_range(50..400)));
        }
        if unplug_now {
            proxy.set_unplugged(true);
            unplugs += 1;
        }
        if kill_hub_now {
            let (config, ca) = (hub.config.clone(), hub.ca.clone());
            hub.kill();
            hub = spawn_hub(&config, &ca);
            proxy.set_upstream(hub.socket());
            hub_restarts += 1;
        }
        for child in &mut children {
            // Some passes die mid-way: SIGKILL after a random moment.
            if rng.random_bool(0.3) {
                std::thread::sleep(Duration::from_millis(rng.random_range(20..600)));
                if child.try_wait().unwrap().is_none() {
                    killed_stations += 1;
                }
                let _ = child.kill();
            }
            child.wait().unwrap();
        }
        proxy.set_unplugged(false);
        register_arrivals(&a.db);
        register_arrivals(&b.db);
        let (ta, tb) = (tally(&a.db), tally(&b.db));
        println!("round {round}: A {ta:?}, B {tb:?}, proxy damage {:?}", proxy.damage());
        if done(&ta) && done(&tb) && round >= 10 {
            break;
        }
        assert!(started.elapsed() < STUCK_AFTER, "stuck after round {round}: A {ta:?}, B {tb:?}");
    }
    // The run did meet the faults it is about.
    let (cuts, refusals) = proxy.damage();
    assert!(cuts > 0 && refusals > 0, "the proxy cut {cuts} and refused {refusals} connections");
    assert!(killed_stations > 0, "no sync process was killed mid-pass");
    assert_eq!(hub_restarts, 2);
    assert!(unplugs > 0);
    // Exactly once, everything back, nothing left.
    for (station, name) in [(&a, "A"), (&b, "B")] {
        let t = tally(&station.db);
        let n = DOCUMENTS as i64;
        assert_eq!(t.incoming, n, "{name}: every document registered, none twice: {t:?}");
        assert_eq!(t.distinct_incoming, n, "{name}: one registration per DocumentId: {t:?}");
        assert_eq!((t.arrived_back, t.accepted_back), (n, n), "{name}: every 01 and 03 reached it: {t:?}");
        assert_eq!((t.waiting_in_outbox, t.failed_in_outbox), (0, 0), "{name}: outbox empty: {t:?}");
        let check = station.json(&["check"]);
        assert_eq!(check["ok"], true, "{name}: {check}");
    }
    println!(
        "faults: {cuts} connections cut, {refusals} refused, {killed_stations} sync processes killed, \
         {hub_restarts} hub restarts, {unplugs} unplugs"
    );
}
