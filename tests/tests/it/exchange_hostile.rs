//! A hostile hub (compromised, buggy, another vendor's) hands a station packages it must not take
//! (issue 6): not XML, cut short, an XML bomb, a package for another organisation (misrouted, or
//! rewritten), a package whose declared sender is not the account that sent it, a status packet that
//! is not one. The station registers none of them, refuses each at the hub with its reason (so it is
//! never delivered again), writes `exchange.receive_refused` to its audit log, and keeps taking the
//! genuine packages around them. A genuine package delivered again (the same hub message, or a copy
//! under another hub id) is absorbed: one inbox row, one registration.
//!
//! The hostile messages are planted straight into the hub's SQLite store (WAL: beside the running
//! hub), the way a hub that skipped its own checks would hold them.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, params};
use serde_json::Value;
use vanthu_store::FileStore;
use vanthu_testkit::keyring;

use crate::exchange::{Station, add_org, issue, one_page_pdf, start_hub, station, sync};

const A: &str = "000.00.00.H24";
const B: &str = "000.01.00.H24";
const C: &str = "000.02.00.H24";

/// The hub's store, opened beside the running hub.
fn hub_db(dir: &Path) -> Connection {
    let conn = Connection::open(dir.join("hub.sqlite3")).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

/// The hub's message of `sender` about `document_id` (its id and bytes).
fn hub_message(hub: &Connection, sender: &str, document_id: &str) -> (i64, Vec<u8>) {
    hub.query_row(
        "SELECT id, body FROM message WHERE sender = ?1 AND document_id = ?2 AND message_type = 'edoc'",
        params![sender, document_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// A message planted in the hub's store as if `sender` had sent it, delivered to B; returns its
/// hub id. `key` only has to be unique at the hub (it is the hub's key, not the package's).
struct Planter<'a> {
    hub: &'a Connection,
    hashes: FileStore,
}

impl Planter<'_> {
    fn edoc(&self, sender: &str, key: &str, body: &[u8]) -> String {
        self.plant(sender, key, "edoc", None, body)
    }

    fn plant(&self, sender: &str, key: &str, message_type: &str, status_code: Option<&str>, body: &[u8]) -> String {
        let file = self.hashes.put_bytes(body).unwrap();
        let (about, at) = match status_code {
            Some(_) => (Some(B), Some("2026/11/23 09:00:00")),
            None => (None, None),
        };
        let id: i64 = self
            .hub
            .query_row(
                "INSERT INTO message (sender, document_id, kind, message_type, status_code, status_about, status_at,
                                      size, sha256, body, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '2026-11-23T09:00:00+07:00') RETURNING id",
                params![
                    sender,
                    key,
                    format!("{message_type}:0"),
                    message_type,
                    status_code,
                    about,
                    at,
                    file.size as i64,
                    file.sha256,
                    body
                ],
                |r| r.get(0),
            )
            .unwrap();
        self.deliver_to_b(id);
        id.to_string()
    }

    /// A delivery to B of an existing message (the hub misroutes it).
    fn deliver_to_b(&self, message_id: i64) {
        self.hub
            .execute("INSERT INTO delivery (message_id, recipient) VALUES (?1, ?2)", params![message_id, B])
            .unwrap();
    }
}

/// B's delivery of hub message `id`: its state and reason.
fn delivery(hub: &Connection, id: &str) -> (String, Option<String>) {
    hub.query_row(
        "SELECT state, reason FROM delivery WHERE message_id = ?1 AND recipient = ?2",
        params![id.parse::<i64>().unwrap(), B],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// Delivers hub message `id` to B again, as a hub that forgot the acknowledgement would.
fn redeliver(hub: &Connection, id: &str) {
    let n = hub
        .execute(
            "UPDATE delivery SET state = 'pending', delivered_at = NULL, reason = NULL
             WHERE message_id = ?1 AND recipient = ?2",
            params![id.parse::<i64>().unwrap(), B],
        )
        .unwrap();
    assert_eq!(n, 1);
}

/// The station's `exchange.receive_refused` audit entries, as (hub id, what was recorded).
fn refusals(db: &Path) -> Vec<(String, Value)> {
    let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT entity_id, new_json FROM audit_log
             WHERE action = 'exchange.receive_refused' AND entity = 'exchange' ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|row| row.map(|(id, json)| (id, serde_json::from_str(&json).unwrap())))
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
}

/// Incoming documents registered at `db` from DocumentId `document_id`.
fn registrations(db: &Path, document_id: &str) -> i64 {
    let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row(
        "SELECT count(*) FROM document WHERE direction = 'incoming' AND exchange_id = ?1",
        [document_id],
        |r| r.get(0),
    )
    .unwrap()
}

/// Every inbox row, whatever became of it.
fn inbox_all(station: &Station<'_>) -> Vec<Value> {
    station.json(&["inbox", "list", "--all"])["items"].as_array().unwrap().clone()
}

fn document_id(station: &Station<'_>, id: &str) -> String {
    station.json(&["exchange", id])["document_id"].as_str().unwrap().to_owned()
}

/// An OrganId element as the packages write it.
fn organ_id(id: &str) -> String {
    format!("<edXML:OrganId>{id}</edXML:OrganId>")
}

/// Replaces `from` by `to` in `text`, which must hold it exactly `n` times.
fn replace_n(text: &str, from: &str, to: &str, n: usize) -> String {
    assert_eq!(text.matches(from).count(), n, "{from:?} in the package");
    text.replace(from, to)
}

/// The "billion laughs": a DTD whose entities expand to gigabytes.
const BOMB: &str = concat!(
    "<?xml version=\"1.0\"?>\n<!DOCTYPE edXML [\n",
    " <!ENTITY lol \"lol\">\n",
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n",
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n",
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n",
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n",
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n",
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n",
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n",
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n",
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n",
    "]>\n<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">&lol9;</edXML>\n"
);

#[test]
fn a_station_refuses_hostile_deliveries_and_absorbs_replays() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = keyring::Session::start();
    let hub = start_hub(dir.path());
    add_org(&hub, A, "Ủy ban nhân dân tỉnh Lào Cai", "bí-mật-A");
    add_org(&hub, B, "Sở Nội vụ tỉnh Lào Cai", "bí-mật-B");
    add_org(&hub, C, "UBND huyện Bát Xát", "bí-mật-C");
    let a = station(dir.path(), &keyring, &hub, A, "Ủy ban nhân dân tỉnh Lào Cai", "bí-mật-A");
    let b = station(dir.path(), &keyring, &hub, B, "Sở Nội vụ tỉnh Lào Cai", "bí-mật-B");
    let pdf = dir.path().join("cong-van.pdf");
    one_page_pdf(&pdf);

    // A sends a genuine document to B, and another to C.
    let first = issue(&a, &pdf, "Về việc báo cáo công tác văn thư năm 2026");
    a.json(&["outgoing", "send", &first, "--to", B]);
    let for_c = issue(&a, &pdf, "Về việc kiểm tra công tác lưu trữ tại huyện");
    a.json(&["outgoing", "send", &for_c, "--to", C]);
    assert_eq!(sync(&a)["sent"], 2);
    let (first_id, for_c_id) = (document_id(&a, &first), document_id(&a, &for_c));
    let hub_db = hub_db(dir.path());
    let (first_hub, first_body) = hub_message(&hub_db, A, &first_id);
    let (for_c_hub, _) = hub_message(&hub_db, A, &for_c_id);
    let first_text = String::from_utf8(first_body.clone()).unwrap();

    // The hostile deliveries, each with what its refusal must say.
    let planter = Planter { hub: &hub_db, hashes: FileStore::open(dir.path().join("hashes")).unwrap() };
    let mut hostile: Vec<(&str, String, &str)> = Vec::new();
    hostile.push(("not XML", planter.edoc(A, "hostile-not-xml", b"day khong phai XML <<<"), "không đúng định dạng"));
    let cut = &first_body[..first_body.len() / 2];
    hostile.push(("truncated", planter.edoc(A, "hostile-truncated", cut), "bị cắt cụt"));
    hostile.push(("XML bomb", planter.edoc(A, "hostile-bomb", BOMB.as_bytes()), "DOCTYPE"));
    // A root element whose 3,000-character name the parser's message quotes: the reason is shortened
    // for the hub, which would refuse the acknowledgement and deliver it again at every pass.
    let long_name = format!("<{}/>", "A".repeat(3000));
    hostile.push(("long name", planter.edoc(A, "hostile-long-name", long_name.as_bytes()), "phần tử gốc là"));
    // A's genuine package for C, misrouted to B by the hub.
    planter.deliver_to_b(for_c_hub);
    let not_for_b = format!("gói tin không gửi cho cơ quan {B}");
    hostile.push(("misrouted", for_c_hub.to_string(), &not_for_b));
    // A's package to B rewritten to be for C (another DocumentId, so that taking it would show).
    let rewritten = replace_n(&first_text, &organ_id(B), &organ_id(C), 1);
    let rewritten = replace_n(&rewritten, &first_id, &format!("{first_id}-rewritten"), 2);
    hostile.push(("rewritten for C", planter.edoc(A, "hostile-rewritten", rewritten.as_bytes()), &not_for_b));
    // C, authenticated as itself, hands over a package that says it is A's.
    let forged = replace_n(&first_text, &first_id, &format!("{first_id}-forged"), 2);
    let other_sender = format!("khác tài khoản đã gửi ({C})");
    hostile.push(("forged sender", planter.edoc(C, "hostile-forged", forged.as_bytes()), &other_sender));
    // A status packet that is not one.
    let bad_status = planter.plant(A, &first_id, "status", Some("01"), b"<Status>khong phai</Status");
    hostile.push(("bad status", bad_status, "gói trạng thái không hợp lệ"));

    // A message whose bytes are not what the hub lists (its SHA-256 changed in the hub's store): not
    // taken, not acknowledged, and it must not hold back what the hub delivers after it.
    let mismatched = planter.edoc(A, "hostile-mismatched", first_text.replace(&first_id, "khac").as_bytes());
    hub_db.execute("UPDATE message SET sha256 = ?1 WHERE id = ?2", params!["0".repeat(64), mismatched]).unwrap();

    // A second genuine document, queued at the hub after the hostile ones.
    let second = issue(&a, &pdf, "Về việc tăng cường kỷ luật hành chính");
    a.json(&["outgoing", "send", &second, "--to", B]);
    assert_eq!(sync(&a)["sent"], 1);
    let second_id = document_id(&a, &second);

    // B's pass: both genuine documents kept, every hostile one refused, the pass not interrupted.
    let pass = sync(&b);
    assert_eq!(pass["received"], 2, "{pass}");
    assert_eq!(pass["refused"], hostile.len(), "{pass}");
    assert_eq!(pass["repeated"], 0, "{pass}");
    assert_eq!(pass["error"], Value::Null, "{pass}");
    assert_eq!(pass["mismatched"], 1, "{pass}");
    assert_eq!(delivery(&hub_db, &mismatched), ("pending".to_owned(), None), "left for a later pass");
    // The hub's operator removes the damaged message.
    hub_db.execute("DELETE FROM delivery WHERE message_id = ?1", [&mismatched]).unwrap();
    let inbox = inbox_all(&b);
    let mut keys: Vec<(&str, &str, &str)> = inbox
        .iter()
        .map(|i| (i["sender"].as_str().unwrap(), i["document_id"].as_str().unwrap(), i["state"].as_str().unwrap()))
        .collect();
    keys.sort_unstable();
    let mut expected = vec![(A, first_id.as_str(), "waiting"), (A, second_id.as_str(), "waiting")];
    expected.sort_unstable();
    assert_eq!(keys, expected, "only the genuine packages are in B's inbox: {inbox:?}");
    let conn = Connection::open_with_flags(&b.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let incoming: i64 =
        conn.query_row("SELECT count(*) FROM document WHERE direction = 'incoming'", [], |r| r.get(0)).unwrap();
    assert_eq!(incoming, 0, "nothing registered by the pass");
    let statuses_in: i64 =
        conn.query_row("SELECT count(*) FROM exchange_status WHERE way = 'in'", [], |r| r.get(0)).unwrap();
    assert_eq!(statuses_in, 0, "the bad status recorded nothing");
    drop(conn);

    // Each refusal: one audit entry at B with its reason, and the hub's delivery failed with it.
    let audited = refusals(&b.db);
    assert_eq!(audited.len(), hostile.len(), "{audited:?}");
    for (what, hub_id, says) in &hostile {
        let entries: Vec<&Value> = audited.iter().filter(|(id, _)| id == hub_id).map(|(_, v)| v).collect();
        assert_eq!(entries.len(), 1, "{what}: one audit entry for hub message {hub_id}: {audited:?}");
        let reason = entries[0]["reason"].as_str().unwrap();
        assert!(reason.contains(says), "{what}: the reason says {says:?}: {reason}");
        assert!(reason.chars().count() <= 500, "{what}: the reason is short enough for the hub: {reason}");
        let expected_from = if *what == "forged sender" { C } else { A };
        assert_eq!(entries[0]["from"], expected_from, "{what}");
        let (state, hub_reason) = delivery(&hub_db, hub_id);
        assert_eq!(state, "fail", "{what}: refused at the hub");
        assert_eq!(hub_reason.as_deref(), Some(reason), "{what}: the hub keeps the station's reason");
    }
    println!("refusals at B:");
    for (id, entry) in &audited {
        println!("  hub message {id}: {}", entry["reason"]);
    }
    for genuine in [&first_id, &second_id] {
        let (id, _) = hub_message(&hub_db, A, genuine);
        assert_eq!(delivery(&hub_db, &id.to_string()), ("done".to_owned(), None));
    }

    // Nothing is delivered again: the next pass refuses and receives nothing (it sends B's 01s).
    let again = sync(&b);
    assert_eq!(
        (&again["received"], &again["refused"], &again["repeated"]),
        (&0.into(), &0.into(), &0.into()),
        "{again}"
    );
    assert_eq!(again["sent"], 2, "the two 01 statuses: {again}");
    assert_eq!(refusals(&b.db).len(), hostile.len());
    assert_eq!(b.json(&["check"])["ok"], true);
    let pending: i64 = hub_db
        .query_row("SELECT count(*) FROM delivery WHERE recipient = ?1 AND state = 'pending'", [B], |r| r.get(0))
        .unwrap();
    assert_eq!(pending, 0);

    // A replay of the first package (the same hub message, delivered again) while it waits: absorbed.
    let first_hub = first_hub.to_string();
    redeliver(&hub_db, &first_hub);
    let replay = sync(&b);
    assert_eq!(
        (&replay["received"], &replay["repeated"], &replay["refused"]),
        (&0.into(), &1.into(), &0.into()),
        "{replay}"
    );
    assert_eq!(delivery(&hub_db, &first_hub), ("done".to_owned(), None));
    let rows: Vec<Value> = inbox_all(&b).into_iter().filter(|i| i["document_id"] == first_id.as_str()).collect();
    assert_eq!(rows.len(), 1, "one inbox row for the replayed package: {rows:?}");
    assert_eq!(rows[0]["sender"], A);

    // B registers it once; then the same message again, and a copy under another hub id: absorbed.
    let inbox_id = rows[0]["id"].as_i64().unwrap().to_string();
    b.json(&["inbox", "register", &inbox_id, "--override-signature", "Văn bản thử nghiệm, chưa ký số"]);
    assert_eq!(registrations(&b.db, &first_id), 1);
    redeliver(&hub_db, &first_hub);
    let copy = planter.edoc(A, "replayed-copy", &first_body);
    let replay = sync(&b);
    assert_eq!(
        (&replay["received"], &replay["repeated"], &replay["refused"]),
        (&0.into(), &2.into(), &0.into()),
        "{replay}"
    );
    assert_eq!(delivery(&hub_db, &copy), ("done".to_owned(), None));
    assert_eq!(registrations(&b.db, &first_id), 1, "one registration for the replayed package");
    let rows: Vec<Value> = inbox_all(&b).into_iter().filter(|i| i["document_id"] == first_id.as_str()).collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["state"], "registered");
    assert_eq!(inbox_all(&b).len(), 2);
    assert_eq!(b.json(&["inbox", "list"])["items"].as_array().unwrap().len(), 1, "the second still waits");
    let statuses_out: i64 = Connection::open_with_flags(&b.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM exchange_status WHERE way = 'out' AND document_id = ?1 AND code = '01'",
            [&first_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(statuses_out, 1, "one 01 for the first package, however often it came");

    // Still nothing refused beyond the hostile ones, and B's register is whole.
    assert_eq!(refusals(&b.db).len(), hostile.len());
    let check = b.json(&["check"]);
    assert_eq!(check["ok"], true, "{check}");
    let show = b.json(&["hub", "show"]);
    assert_eq!(show["counts"]["failed"], 0, "{show}");
}
