//! The exchange as the contract describes it, on both stores.

use vanthu_edxml::vxp::MessageType;
use vanthu_edxml::{BusinessDocType, StatusCode, package_to_vec, parse_status};

use crate::support::*;

on_both_stores!(send_list_fetch_acknowledge, repeated_send_is_one_message, statuses_come_back_as_last_status);

fn send_list_fetch_acknowledge(backend: Backend) {
    let setup = Setup::new(backend);
    let hub = setup.start();
    let (vpcp, nghe_an, ha_tinh) = (hub.client(VPCP), hub.client(NGHE_AN), hub.client(HA_TINH));
    assert_eq!(hub.anonymous().health(), (200, "ok".to_owned()));

    let (document_id, bytes) = package_sized(VPCP, &[NGHE_AN, HA_TINH], 7816, 200_000);
    let sent = vpcp.send(VPCP, "edoc", &bytes);
    assert_eq!((sent.status, sent.code(), sent.json["status"].as_str()), (200, "0", Some("OK")), "{sent:?}");
    assert!(!sent.duplicate());
    let doc_id = sent.doc_id();

    // Listed for each recipient, with what a station needs to check what it fetches.
    for recipient in [&nghe_an, &ha_tinh] {
        let list = recipient.received(&[]);
        assert_eq!(list.len(), 1, "{list:?}");
        let item = &list[0];
        assert_eq!(item.doc_id, doc_id);
        assert_eq!(item.from, VPCP);
        assert_eq!(item.messagetype, MessageType::Edoc);
        assert_eq!(item.document_id, document_id);
        assert_eq!(item.kind, "edoc:0");
        assert_eq!(item.size, bytes.len() as u64);
        assert_eq!(item.sha256, sha256(&bytes));
        assert!(time::OffsetDateTime::parse(&item.created, &time::format_description::well_known::Rfc3339).is_ok());
        assert!(recipient.received(&[("messagetype", "status")]).is_empty());
    }
    // Nothing waits for the sender.
    assert!(vpcp.received(&[]).is_empty());

    // The bytes exactly as sent, as often as asked, before and after the acknowledgement.
    let (status, content_type, fetched) = nghe_an.fetch(&doc_id);
    assert_eq!((status, content_type.as_str()), (200, "application/xml"));
    assert!(fetched == bytes, "the fetched bytes differ from the sent ones");
    assert_eq!(nghe_an.fetch(&doc_id).2, bytes);

    let ack = nghe_an.acknowledge(&doc_id, "done", None);
    assert_eq!((ack.status, ack.code()), (200, "0"), "{ack:?}");
    assert!(nghe_an.received(&[]).is_empty(), "an acknowledged delivery is no longer listed");
    let again = nghe_an.acknowledge(&doc_id, "done", None);
    assert_eq!((again.status, again.code()), (200, "0"), "acknowledging twice is harmless: {again:?}");
    assert_eq!(nghe_an.fetch(&doc_id).2, bytes, "still fetchable after the acknowledgement");
    // The other recipient's delivery is its own.
    assert_eq!(ha_tinh.received(&[]).len(), 1);

    // A refusal needs its reason, keeps it, and stops the delivery for good.
    ha_tinh.acknowledge(&doc_id, "fail", None).assert_refused("INVALID", 422);
    assert_eq!(ha_tinh.received(&[]).len(), 1, "a refused acknowledgement changes nothing");
    let fail = ha_tinh.acknowledge(&doc_id, "fail", Some("Gửi nhầm cơ quan"));
    assert_eq!((fail.status, fail.code()), (200, "0"), "{fail:?}");
    assert!(ha_tinh.received(&[]).is_empty());
    assert_eq!(ha_tinh.acknowledge(&doc_id, "fail", Some("Gửi nhầm cơ quan")).code(), "0");
    ha_tinh.acknowledge(&doc_id, "done", None).assert_refused("INVALID", 422);

    // The sender sees each recipient's delivery.
    let list = vpcp.sent(&[]);
    assert_eq!(list.len(), 1, "{list:?}");
    let item = &list[0];
    assert_eq!((item.doc_id.as_str(), item.document_id.as_str()), (doc_id.as_str(), document_id.as_str()));
    assert_eq!(
        (item.messagetype, item.kind.as_str(), item.sha256.clone()),
        (MessageType::Edoc, "edoc:0", sha256(&bytes))
    );
    let by_id = |id: &str| item.recipients.iter().find(|r| r.organ_id == id).expect("recipient listed");
    let (first, second) = (by_id(NGHE_AN), by_id(HA_TINH));
    assert_eq!(first.delivery, "done");
    assert!(first.delivered_at.is_some() && first.reason.is_none());
    assert_eq!(second.delivery, "fail");
    assert_eq!(second.reason.as_deref(), Some("Gửi nhầm cơ quan"));
    assert!(second.delivered_at.is_some());
    assert_eq!(item.recipients.len(), 2);
    assert!(nghe_an.sent(&[]).is_empty());

    // The directory.
    let agencies = vpcp.agencies();
    let ids: Vec<_> = agencies.iter().map(|a| a.organ_id.as_str()).collect();
    assert_eq!(ids, [VPCP, NGHE_AN, HA_TINH], "by OrganId");
    assert_eq!(
        agencies.iter().find(|a| a.organ_id == NGHE_AN).map(|a| a.organ_name.as_str()),
        Some("UBND tỉnh Nghệ An")
    );
    assert!(setup.check().is_empty());
}

fn repeated_send_is_one_message(backend: Backend) {
    let setup = Setup::new(backend);
    let hub = setup.start();
    let (vpcp, nghe_an) = (hub.client(VPCP), hub.client(NGHE_AN));
    let (document_id, bytes) = package(VPCP, &[NGHE_AN], 1);

    let first = vpcp.send(VPCP, "edoc", &bytes);
    assert!(!first.duplicate());
    let doc_id = first.doc_id();
    for _ in 0..3 {
        let again = vpcp.send(VPCP, "edoc", &bytes);
        assert_eq!((again.status, again.code(), again.doc_id(), again.duplicate()), (200, "0", doc_id.clone(), true));
    }
    // The same key with other bytes (a re-written package) is still the same message.
    let mut rewritten = package_of(VPCP, &[NGHE_AN], 1, BusinessDocType::New, 3_000);
    rewritten.header.content = Some("Bản gửi lại".into());
    let rewritten = package_to_vec(&rewritten, &[("cid:1", &attachment_bytes(1, 3_000))]).expect("package");
    let again = vpcp.send(VPCP, "edoc", &rewritten);
    assert_eq!((again.doc_id(), again.duplicate()), (doc_id.clone(), true));

    let list = nghe_an.received(&[]);
    assert_eq!(list.len(), 1, "one delivery: {list:?}");
    assert_eq!(nghe_an.fetch(&doc_id).2, bytes, "the first bytes are kept");
    assert_eq!(vpcp.sent(&[]).len(), 1);

    // Acknowledged, then sent again: still nothing new.
    assert_eq!(nghe_an.acknowledge(&doc_id, "done", None).code(), "0");
    let late = vpcp.send(VPCP, "edoc", &bytes);
    assert_eq!((late.doc_id(), late.duplicate()), (doc_id.clone(), true));
    assert!(nghe_an.received(&[]).is_empty());

    // Another kind for the same document (its recall) is another message.
    let recall = package_of(VPCP, &[NGHE_AN], 1, BusinessDocType::Recall, 0);
    let recall = vpcp.send(VPCP, "edoc", &package_to_vec(&recall, &[]).expect("recall"));
    assert!(!recall.duplicate());
    assert_ne!(recall.doc_id(), doc_id);
    let list = nghe_an.received(&[]);
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].document_id.as_str(), list[0].kind.as_str()), (document_id.as_str(), "edoc:1"));
    let sent = vpcp.sent(&[("documentId", &document_id)]);
    assert_eq!(sent.iter().map(|s| s.kind.as_str()).collect::<Vec<_>>(), ["edoc:0", "edoc:1"]);
    assert!(setup.check().is_empty());
}

fn statuses_come_back_as_last_status(backend: Backend) {
    let setup = Setup::new(backend);
    let hub = setup.start();
    let (vpcp, nghe_an, ha_tinh) = (hub.client(VPCP), hub.client(NGHE_AN), hub.client(HA_TINH));
    let (document_id, bytes) = package(VPCP, &[NGHE_AN, HA_TINH], 42);
    let doc_id = vpcp.send(VPCP, "edoc", &bytes).doc_id();
    // Another document of the sender, so that statuses are told apart by DocumentId.
    let (other_id, other) = package(VPCP, &[NGHE_AN], 43);
    vpcp.send(VPCP, "edoc", &other);

    let arrived = status(NGHE_AN, VPCP, &document_id, StatusCode::Arrived, 1);
    let accepted = status(NGHE_AN, VPCP, &document_id, StatusCode::Accepted, 2);
    let arrived_elsewhere = status(HA_TINH, VPCP, &document_id, StatusCode::Arrived, 3);
    let rejected_other = status(NGHE_AN, VPCP, &other_id, StatusCode::Rejected, 4);
    for (client, from, bytes) in
        [(&nghe_an, NGHE_AN, &arrived), (&nghe_an, NGHE_AN, &accepted), (&ha_tinh, HA_TINH, &arrived_elsewhere)]
    {
        let r = client.send(from, "status", bytes);
        assert_eq!((r.status, r.code(), r.duplicate()), (200, "0", false), "{r:?}");
    }
    assert_eq!(nghe_an.send(NGHE_AN, "status", &rejected_other).code(), "0");
    // The same status again is the same message.
    let again = nghe_an.send(NGHE_AN, "status", &accepted);
    assert_eq!((again.code(), again.duplicate()), ("0", true));

    // They wait for the sender, as status messages, and fetch as sent.
    let statuses = vpcp.received(&[("messagetype", "status")]);
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert!(statuses.iter().all(|s| s.messagetype == MessageType::Status));
    assert_eq!(statuses[1].from, NGHE_AN);
    assert_eq!(statuses[1].kind, "status:03@2026/11/21 10:00:02");
    assert_eq!(statuses[1].document_id, document_id);
    let (_, _, fetched) = vpcp.fetch(&statuses[1].doc_id);
    assert_eq!(fetched, accepted);
    assert_eq!(parse_status(&fetched).expect("status parses").code, StatusCode::Accepted);
    assert!(vpcp.received(&[("messagetype", "edoc")]).is_empty());
    assert_eq!(vpcp.received(&[("limit", "2")]).len(), 2);

    // The sender's list shows each recipient's last status about each document.
    let sent = vpcp.sent(&[]);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let last = |item: &vanthu_edxml::vxp::SentItem, id: &str| {
        item.recipients.iter().find(|r| r.organ_id == id).and_then(|r| r.last_status.clone())
    };
    assert_eq!(sent[0].doc_id, doc_id);
    assert_eq!(last(&sent[0], NGHE_AN).as_deref(), Some("03"));
    assert_eq!(last(&sent[0], HA_TINH).as_deref(), Some("01"));
    assert_eq!(sent[1].document_id, other_id);
    assert_eq!(last(&sent[1], NGHE_AN).as_deref(), Some("02"));
    // Filtered by DocumentId and paged by DocId.
    assert_eq!(vpcp.sent(&[("documentId", &other_id)]).len(), 1);
    let page = vpcp.sent(&[("limit", "1")]);
    assert_eq!(page.len(), 1);
    let rest = vpcp.sent(&[("after", &page[0].doc_id)]);
    assert_eq!(rest.iter().map(|s| s.doc_id.as_str()).collect::<Vec<_>>(), [sent[1].doc_id.as_str()]);

    // A recipient's own sent list holds its statuses, addressed to the document's sender.
    let from_nghe_an = nghe_an.sent(&[]);
    assert_eq!(from_nghe_an.len(), 3);
    assert!(from_nghe_an.iter().all(|s| s.messagetype == MessageType::Status
        && s.recipients.len() == 1
        && s.recipients[0].organ_id == VPCP
        && s.recipients[0].last_status.is_none()));

    // An acknowledged status leaves the list; a later status replaces the last one.
    assert_eq!(vpcp.acknowledge(&statuses[0].doc_id, "done", None).code(), "0");
    assert_eq!(vpcp.received(&[("messagetype", "status")]).len(), 3);
    let done = status(NGHE_AN, VPCP, &document_id, StatusCode::Done, 9);
    assert_eq!(nghe_an.send(NGHE_AN, "status", &done).code(), "0");
    assert_eq!(last(&vpcp.sent(&[("documentId", &document_id)])[0], NGHE_AN).as_deref(), Some("06"));
    assert!(setup.check().is_empty());
}
