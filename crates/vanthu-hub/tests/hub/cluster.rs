//! Two hub processes on one PostgreSQL database are one hub: they migrate it once, agree on
//! every list, make one message of concurrent identical sends, and follow the store for secrets.

use std::sync::Barrier;
use std::thread;

use crate::support::*;

/// Concurrent senders.
const SENDERS: usize = 12;

#[test]
fn two_hubs_on_one_database_are_one_hub() {
    let setup = Setup::bare(Backend::Postgres, "");
    // Both start together on a fresh database.
    let (a, b) = thread::scope(|s| {
        let a = s.spawn(|| setup.start());
        let b = s.spawn(|| setup.start());
        (a.join().expect("hub a"), b.join().expect("hub b"))
    });
    assert_ne!(a.url, b.url);
    // Organisations added while they run are known to both at once.
    for (id, name) in ORGANISATIONS {
        setup.add_organisation(id, name);
    }
    let list = hub_command().args(["org", "list", "--config"]).arg(&setup.config).output().expect("org list");
    let ids: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids, [VPCP, NGHE_AN, HA_TINH], "{}", text(&list));
    assert_eq!(a.client(VPCP).agencies(), b.client(NGHE_AN).agencies());
    assert_eq!(a.client(HA_TINH).agencies().len(), 3);

    // The same package sent at once through both hubs, and distinct ones beside it.
    let (document_id, shared) = package(VPCP, &[NGHE_AN, HA_TINH], 500);
    let barrier = Barrier::new(SENDERS);
    let replies: Vec<(Reply, Reply)> = thread::scope(|s| {
        let handles: Vec<_> = (0..SENDERS)
            .map(|i| {
                let client = if i % 2 == 0 { a.client(VPCP) } else { b.client(VPCP) };
                let (barrier, shared) = (&barrier, &shared);
                s.spawn(move || {
                    let (_, own) = package(VPCP, &[NGHE_AN], 600 + i as u32);
                    barrier.wait();
                    (client.send(VPCP, "edoc", shared), client.send(VPCP, "edoc", &own))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("sender")).collect()
    });
    let doc_id = replies[0].0.doc_id();
    for (same, own) in &replies {
        assert_eq!((same.status, same.code(), same.doc_id()), (200, "0", doc_id.clone()), "{same:?}");
        assert_eq!((own.code(), own.duplicate()), ("0", false), "{own:?}");
    }
    assert_eq!(replies.iter().filter(|(same, _)| !same.duplicate()).count(), 1, "exactly one first send");
    let own_ids: std::collections::HashSet<_> = replies.iter().map(|(_, own)| own.doc_id()).collect();
    assert_eq!(own_ids.len(), SENDERS);

    // Each recipient sees one delivery of the shared message, whichever hub it asks.
    for recipient in [NGHE_AN, HA_TINH] {
        let via_a = a.client(recipient).received(&[("limit", "1000")]);
        assert_eq!(via_a, b.client(recipient).received(&[("limit", "1000")]));
        assert_eq!(via_a.iter().filter(|i| i.document_id == document_id).count(), 1, "{via_a:?}");
    }
    assert_eq!(a.client(NGHE_AN).received(&[("limit", "1000")]).len(), 1 + SENDERS);
    // Acknowledged through one hub, gone from the other; fetched through either.
    assert_eq!(b.client(NGHE_AN).acknowledge(&doc_id, "done", None).code(), "0");
    assert!(a.client(NGHE_AN).received(&[]).iter().all(|i| i.doc_id != doc_id));
    assert_eq!(a.client(HA_TINH).fetch(&doc_id).2, shared);
    assert_eq!(b.client(HA_TINH).fetch(&doc_id).2, shared);
    let sent = a.client(VPCP).sent(&[("limit", "1000")]);
    assert_eq!(sent, b.client(VPCP).sent(&[("limit", "1000")]));
    assert_eq!(sent.len(), 1 + SENDERS);
    let shared_item = sent.iter().find(|s| s.doc_id == doc_id).expect("the shared message");
    let state = |id: &str| shared_item.recipients.iter().find(|r| r.organ_id == id).map(|r| r.delivery.clone());
    assert_eq!((state(NGHE_AN).as_deref(), state(HA_TINH).as_deref()), (Some("done"), Some("pending")));

    // A secret reset while both run (their caches warm) takes effect on both at once.
    let new_secret = "mật-khẩu-mới-của-VPCP";
    let out = run_with_stdin(
        hub_command().args(["org", "secret", "--config"]).arg(&setup.config).args(["--id", VPCP, "--secret-stdin"]),
        new_secret,
    );
    assert!(out.status.success(), "{}", text(&out));
    a.client(VPCP).agencies_reply().assert_refused("AUTH", 401);
    b.client(VPCP).agencies_reply().assert_refused("AUTH", 401);
    assert_eq!(a.client_with(VPCP, new_secret).agencies().len(), 3);
    assert_eq!(b.client_with(VPCP, new_secret).agencies().len(), 3);

    // Both logged into the one store.
    let events = setup.events();
    assert_eq!(events.iter().filter(|e| e.code == "AUTH").count(), 2);
    assert!(setup.check().is_empty());
}
