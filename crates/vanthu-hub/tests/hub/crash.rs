//! A hub killed with SIGKILL among hundreds of concurrent sends restarts on the same store with
//! every answered send delivered exactly once, the others either whole or absent, and nothing
//! half-written.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, mpsc};
use std::thread;

use crate::support::*;

on_both_stores!(killed_among_concurrent_sends_restarts_whole);

const THREADS: usize = 8;
const PER_THREAD: usize = 40;
/// The hub is killed once this many sends were answered.
const KILL_AFTER: usize = 60;

fn killed_among_concurrent_sends_restarts_whole(backend: Backend) {
    let setup = Setup::new(backend);
    let total = THREADS * PER_THREAD;
    let packages: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
        (0..total)
            .map(|i| package_sized(VPCP, &[NGHE_AN, HA_TINH], 1000 + i as u32, 20_000 + i * 997 % 30_000))
            .collect(),
    );
    let index_of: HashMap<String, usize> = packages.iter().enumerate().map(|(i, (id, _))| (id.clone(), i)).collect();

    let hub = setup.start();
    let (answered, answers) = mpsc::channel::<()>();
    let senders: Vec<_> = (0..THREADS)
        .map(|t| {
            let (client, packages, answered) = (hub.client(VPCP), Arc::clone(&packages), answered.clone());
            thread::spawn(move || {
                let mut outcomes = Vec::new();
                for k in 0..PER_THREAD {
                    let i = k * THREADS + t;
                    let outcome = match client.try_send(VPCP, "edoc", &packages[i].1) {
                        Some(r) if r.status == 200 => {
                            assert_eq!((r.code(), r.duplicate()), ("0", false), "{r:?}");
                            let _ = answered.send(());
                            Some(r.doc_id())
                        }
                        Some(r) => panic!("a good package refused: {r:?}"),
                        None => None,
                    };
                    outcomes.push((i, outcome));
                }
                outcomes
            })
        })
        .collect();
    drop(answered);
    for _ in 0..KILL_AFTER {
        answers.recv().expect("the hub answers sends");
    }
    hub.kill();
    let outcomes: Vec<(usize, Option<String>)> =
        senders.into_iter().flat_map(|s| s.join().expect("a sender thread")).collect();
    let ok: BTreeMap<usize, String> = outcomes.into_iter().filter_map(|(i, d)| d.map(|d| (i, d))).collect();
    assert!(ok.len() >= KILL_AFTER);
    assert_eq!(ok.values().collect::<HashSet<_>>().len(), ok.len(), "one DocId per answered send");
    eprintln!("{backend:?}: {} of {total} sends answered before the kill", ok.len());

    // Restarted on the same store: every answered send is there once, whole; nothing else is.
    let hub = setup.start();
    assert!(setup.check().is_empty(), "nothing half-written: {:?}", setup.check());
    for recipient in [NGHE_AN, HA_TINH] {
        let client = hub.client(recipient);
        let list = client.received(&[("limit", "1000")]);
        assert_eq!(list.iter().map(|i| &i.doc_id).collect::<HashSet<_>>().len(), list.len(), "a DocId listed twice");
        assert_eq!(list.iter().map(|i| &i.document_id).collect::<HashSet<_>>().len(), list.len(), "a document twice");
        for (i, doc_id) in &ok {
            let item = list.iter().find(|item| item.doc_id == *doc_id).unwrap_or_else(|| panic!("send {i} lost"));
            assert_eq!(item.document_id, packages[*i].0);
        }
        eprintln!("{backend:?}: {recipient} holds {} messages after the restart", list.len());
        for item in &list {
            let i = index_of[&item.document_id];
            assert_eq!((item.size, item.sha256.clone()), (packages[i].1.len() as u64, sha256(&packages[i].1)));
            let (status, _, bytes) = client.fetch(&item.doc_id);
            assert!(status == 200 && bytes == packages[i].1, "message {} is not what was sent", item.doc_id);
        }
    }

    // The stations send everything again: what was answered is a duplicate with its DocId.
    let vpcp = hub.client(VPCP);
    for (i, (_, bytes)) in packages.iter().enumerate() {
        let r = vpcp.send(VPCP, "edoc", bytes);
        assert_eq!((r.status, r.code()), (200, "0"), "{r:?}");
        if let Some(doc_id) = ok.get(&i) {
            assert_eq!((&r.doc_id(), r.duplicate()), (doc_id, true), "send {i}");
        }
    }
    for recipient in [NGHE_AN, HA_TINH] {
        let list = hub.client(recipient).received(&[("limit", "1000")]);
        assert_eq!(list.len(), total);
        assert_eq!(list.iter().map(|i| &i.document_id).collect::<HashSet<_>>().len(), total);
    }
    assert_eq!(vpcp.sent(&[("limit", "1000")]).len(), total);
    assert!(setup.check().is_empty());
}
