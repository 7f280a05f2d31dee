//! Every refusal: the contract's code and HTTP status, a Vietnamese description, one line on the
//! hub's stderr and one `event` row — and nothing stored or delivered.

use vanthu_edxml::{StatusCode, write_status};

use crate::support::*;

on_both_stores!(refusals_are_answered_and_logged);

/// The hub's limit in these tests: 1 MiB.
const MAX_BODY: usize = 1 << 20;

fn refusals_are_answered_and_logged(backend: Backend) {
    let setup = Setup::bare(backend, &format!("max_body_bytes = {MAX_BODY}"));
    for (id, name) in ORGANISATIONS {
        setup.add_organisation(id, name);
    }
    let hub = setup.start();
    let (vpcp, nghe_an, ha_tinh) = (hub.client(VPCP), hub.client(NGHE_AN), hub.client(HA_TINH));
    let (_, good) = package(VPCP, &[NGHE_AN], 1);
    // (code, organisation known to the log, what the hub's stderr says)
    let mut expected: Vec<(&str, Option<&str>, &str)> = Vec::new();

    // Credentials: wrong secret, unknown organisation, none at all.
    hub.client_with(VPCP, "không-phải-mật-khẩu").send(VPCP, "edoc", &good).assert_refused("AUTH", 401);
    let wrong = hub.client_with(VPCP, "sai-mật-khẩu-nữa").agencies_reply();
    wrong.assert_refused("AUTH", 401);
    assert_eq!(wrong.json["ErrorDesc"], "Sai mã cơ quan hoặc mật khẩu");
    hub.client_with(STRANGER, &secret(STRANGER)).received_reply(&[]).assert_refused("AUTH", 401);
    hub.anonymous().received_reply(&[]).assert_refused("AUTH", 401);
    expected.extend([("AUTH", None, "sendEdoc AUTH"), ("AUTH", None, "getAgenciesList AUTH")]);
    expected.extend([("AUTH", None, "getReceivedEdocList AUTH"), ("AUTH", None, "getReceivedEdocList AUTH")]);

    // The sender must be the authenticated organisation, in the header and in the package.
    vpcp.send(NGHE_AN, "edoc", &good).assert_refused("FORBIDDEN", 403);
    let (_, forged) = package(NGHE_AN, &[HA_TINH], 2);
    vpcp.send(VPCP, "edoc", &forged).assert_refused("FORBIDDEN", 403);
    let forged_status = status(NGHE_AN, VPCP, "000.00.00.G22,2026/11/20,1/VPCP-TTĐT", StatusCode::Arrived, 1);
    ha_tinh.send(HA_TINH, "status", &forged_status).assert_refused("FORBIDDEN", 403);
    expected.extend([
        ("FORBIDDEN", Some(VPCP), "sendEdoc FORBIDDEN"),
        ("FORBIDDEN", Some(VPCP), "sendEdoc FORBIDDEN"),
        ("FORBIDDEN", Some(HA_TINH), "sendEdoc FORBIDDEN"),
    ]);

    // Recipients must be in the directory.
    let (_, to_stranger) = package(VPCP, &[NGHE_AN, STRANGER], 3);
    let r = vpcp.send(VPCP, "edoc", &to_stranger);
    r.assert_refused("UNKNOWN_RECIPIENT", 422);
    assert!(r.json["ErrorDesc"].as_str().unwrap_or_default().contains(STRANGER), "{r:?}");
    let status_to_stranger = status(NGHE_AN, STRANGER, "000.00.00.H99,2026/11/20,1/X", StatusCode::Arrived, 2);
    nghe_an.send(NGHE_AN, "status", &status_to_stranger).assert_refused("UNKNOWN_RECIPIENT", 422);
    expected.extend([
        ("UNKNOWN_RECIPIENT", Some(VPCP), "sendEdoc UNKNOWN_RECIPIENT"),
        ("UNKNOWN_RECIPIENT", Some(NGHE_AN), "sendEdoc UNKNOWN_RECIPIENT"),
    ]);

    // Not XML; an XML bomb (a DTD declaring entities); a package broken after writing.
    vpcp.send(VPCP, "edoc", b"day khong phai XML <<<").assert_refused("MALFORMED", 400);
    let bomb = concat!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE edXML [\n <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n",
        " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n",
        " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n",
        " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n",
        "]>\n<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">&d;&d;&d;&d;&d;&d;&d;&d;</edXML>\n"
    );
    let r = vpcp.send(VPCP, "edoc", bomb.as_bytes());
    r.assert_refused("MALFORMED", 400);
    assert!(r.json["ErrorDesc"].as_str().unwrap_or_default().contains("DOCTYPE"), "{r:?}");
    let text = String::from_utf8(good.clone()).expect("UTF-8");
    let start = text.find("Subject>").expect("a Subject") + "Subject>".len();
    let end = start + text[start..].find('<').expect("Subject's end");
    let no_subject = format!("{}{}", &text[..start], &text[end..]);
    vpcp.send(VPCP, "edoc", no_subject.as_bytes()).assert_refused("INVALID", 422);
    // A package sent as a status, and a status without a DocumentId to route by.
    vpcp.send(VPCP, "status", &good).assert_refused("MALFORMED", 400);
    let mut unroutable = vanthu_edxml::parse_status(&status(
        NGHE_AN,
        VPCP,
        "000.00.00.G22,2026/11/20,1/VPCP-TTĐT",
        StatusCode::Arrived,
        3,
    ))
    .expect("status");
    unroutable.response_for.document_id = None;
    nghe_an.send(NGHE_AN, "status", &write_status(&unroutable).expect("status")).assert_refused("INVALID", 422);
    expected.extend([
        ("MALFORMED", Some(VPCP), "sendEdoc MALFORMED"),
        ("MALFORMED", Some(VPCP), "DOCTYPE"),
        ("INVALID", Some(VPCP), "sendEdoc INVALID"),
        ("MALFORMED", Some(VPCP), "sendEdoc MALFORMED"),
        ("INVALID", Some(NGHE_AN), "sendEdoc INVALID"),
    ]);

    // Bad headers.
    vpcp.send_with(&[("from", VPCP), ("servicetype", "eDoc")], &good).assert_refused("MALFORMED", 400);
    vpcp.send_with(&[("from", VPCP), ("servicetype", "fax"), ("messagetype", "edoc")], &good)
        .assert_refused("MALFORMED", 400);
    vpcp.send_with(&[("servicetype", "eDoc"), ("messagetype", "edoc")], &good).assert_refused("MALFORMED", 400);
    expected.extend([("MALFORMED", Some(VPCP), "sendEdoc MALFORMED"); 3]);

    // Over the body limit: a raw body, then a real package with a large attachment.
    let oversize = vec![b'<'; MAX_BODY + 4096];
    let r = vpcp.send(VPCP, "edoc", &oversize);
    r.assert_refused("LIMIT", 413);
    let (_, large) = package_sized(VPCP, &[NGHE_AN], 4, MAX_BODY);
    vpcp.send(VPCP, "edoc", &large).assert_refused("LIMIT", 413);
    // Small, but nested beyond the parser's depth limit.
    let deep = format!(
        "<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">{}{}</edXML>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    let r = vpcp.send(VPCP, "edoc", deep.as_bytes());
    r.assert_refused("LIMIT", 413);
    assert!(r.json["ErrorDesc"].as_str().unwrap_or_default().contains("độ sâu"), "{r:?}");
    expected.extend([("LIMIT", Some(VPCP), "sendEdoc LIMIT"); 3]);

    // A message fetched or acknowledged by someone it was not sent to.
    let doc_id = vpcp.send(VPCP, "edoc", &good).doc_id();
    assert_eq!(ha_tinh.fetch(&doc_id).0, 404);
    assert_eq!(vpcp.fetch(&doc_id).0, 404, "not even the sender fetches it back");
    assert_eq!(nghe_an.fetch("999999").0, 404);
    assert_eq!(nghe_an.fetch("không-phải-số").0, 404);
    ha_tinh.acknowledge(&doc_id, "done", None).assert_refused("NOT_FOUND", 404);
    nghe_an.acknowledge_raw(b"{\"docId\": ").assert_refused("MALFORMED", 400);
    expected
        .extend([("NOT_FOUND", Some(HA_TINH), "getEdoc NOT_FOUND"), ("NOT_FOUND", Some(VPCP), "getEdoc NOT_FOUND")]);
    expected.extend([("NOT_FOUND", Some(NGHE_AN), "getEdoc NOT_FOUND"); 2]);
    expected.extend([
        ("NOT_FOUND", Some(HA_TINH), "updateStatus NOT_FOUND"),
        ("MALFORMED", Some(NGHE_AN), "updateStatus MALFORMED"),
    ]);
    // Bad queries.
    nghe_an.received_reply(&[("messagetype", "fax")]).assert_refused("MALFORMED", 400);
    nghe_an.received_reply(&[("limit", "-1")]).assert_refused("MALFORMED", 400);
    expected.extend([("MALFORMED", Some(NGHE_AN), "getReceivedEdocList MALFORMED"); 2]);

    // Only the one good package went through; the hub is fine.
    let list = nghe_an.received(&[]);
    assert_eq!(list.iter().map(|i| i.doc_id.as_str()).collect::<Vec<_>>(), [doc_id.as_str()]);
    assert!(ha_tinh.received(&[]).is_empty() && vpcp.received(&[]).is_empty());
    assert_eq!(vpcp.sent(&[]).len(), 1);
    assert_eq!(hub.anonymous().health().0, 200);

    // Each refusal is an `event` row, in order, and a line on stderr.
    let events = setup.events();
    let got: Vec<_> = events.iter().map(|e| (e.code.as_str(), e.organ_id.as_deref())).collect();
    let want: Vec<_> = expected.iter().map(|(code, organ, _)| (*code, *organ)).collect();
    assert_eq!(got, want, "{events:#?}");
    assert!(
        events
            .iter()
            .all(|e| !e.description.is_empty() && e.peer.as_deref().is_some_and(|p| p.starts_with("127.0.0.1:")))
    );
    assert!(events[0].description.contains("Sai mã cơ quan hoặc mật khẩu"), "{:?}", events[0]);
    assert!(events[2].description.contains(STRANGER), "the log names who tried: {:?}", events[2]);
    assert!(events.iter().all(|e| !e.description.contains("không-phải-mật-khẩu")), "no secret in the log");
    let stderr = hub.stderr();
    let lines: Vec<_> = stderr.lines().filter(|l| l.contains("từ chối")).collect();
    assert_eq!(lines.len(), expected.len(), "{stderr}");
    for (line, (_, _, says)) in lines.iter().zip(&expected) {
        assert!(line.contains(says), "{line:?} should say {says:?}");
    }
    assert!(!stderr.contains("không-phải-mật-khẩu"), "no secret on stderr");
    assert!(setup.check().is_empty());
}
