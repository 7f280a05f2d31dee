//! Crash safety: registrations killed with SIGKILL at random moments never leave a gap, a duplicate,
//! a number without its record or audit entry, or a damaged database.

use std::process::Stdio;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rusqlite::Connection;

use crate::support::{init_register, run_json, vanthu};

const KILLED_RUNS: usize = 220;

#[test]
fn registrations_killed_at_random_moments_leave_the_register_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite3");
    init_register(&db);

    let add = |i: usize| {
        let file = dir.path().join(format!("scan-{i}.pdf"));
        std::fs::write(&file, format!("%PDF-1.4\n% scan {i}\n{}", "x".repeat(i * 97 % 5000))).unwrap();
        let mut cmd = vanthu(&db, None);
        cmd.args(["incoming", "add", "--from", "Sở Tài chính", "--type", "Công văn"])
            .arg("--subject")
            .arg(format!("Về việc số {i} — kiểm tra sự cố"))
            .arg("--file")
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };

    // How long one registration takes here, so that kills land all over its lifetime.
    let mut durations = Vec::new();
    let mut reported: Vec<(String, i64)> = Vec::new();
    for i in 0..5 {
        let start = Instant::now();
        let v = run_json(&mut add(i));
        durations.push(start.elapsed());
        reported.push((v["id"].as_str().unwrap().to_owned(), v["arrival_number"].as_i64().unwrap()));
    }
    durations.sort();
    let typical = durations[2];
    let window_us = (typical.as_micros() as u64 * 13 / 10).max(1000);

    let mut rng = rand::rngs::StdRng::seed_from_u64(20261121);
    let (mut killed, mut finished) = (0, 0);
    for i in 5..5 + KILLED_RUNS {
        let mut child = add(i).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.random_range(0..window_us)));
        let _ = child.kill(); // SIGKILL on Unix
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            finished += 1;
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            reported.push((v["id"].as_str().unwrap().to_owned(), v["arrival_number"].as_i64().unwrap()));
        } else {
            killed += 1;
        }
    }
    eprintln!("crash test: {killed} killed, {finished} finished before the kill (window {window_us} µs)");
    assert!(killed >= 100, "most runs must really be killed mid-way (killed {killed})");

    let n = assert_register_whole(&db, &reported);

    // Numbering carries on at N + 1.
    let next = run_json(&mut add(9999));
    assert_eq!(next["arrival_number"].as_i64().unwrap(), n + 1);
}

/// A writer that does nothing but register is killed at random moments: almost every kill lands in the
/// middle of a registration (file write, transaction, commit, fsync).
#[test]
fn a_busy_writer_killed_mid_registration_leaves_the_register_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite3");
    init_register(&db);
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut seen: Vec<(String, i64)> = Vec::new();
    for _ in 0..40 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_register_loop"))
            .arg(&db)
            .arg(&files)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(20..250)));
        child.kill().unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "killed, not finished");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "the writer failed on its own: {stderr}");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            // A line cut by the kill is not a registration the clerk saw.
            if let Some((id, n)) = line.split_once(' ')
                && let Ok(n) = n.parse::<i64>()
            {
                seen.push((id.to_owned(), n));
            }
        }
    }
    let n = assert_register_whole(&db, &seen);
    eprintln!("busy writer: 40 kills, {n} registrations committed, {} seen by the caller", seen.len());
    assert!(n >= 200, "enough registrations ran to make the kills meaningful ({n})");
}

/// After the kills: the database is sound; the incoming numbers are exactly 1..N with the series counter
/// at N; every number has its record, its file and its audit entry; every registration the caller saw
/// (`seen`: id and number) is there with its number; and `vanthu check` passes. Returns N.
fn assert_register_whole(db: &std::path::Path, seen: &[(String, i64)]) -> i64 {
    let conn = Connection::open(db).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let numbers: Vec<i64> = conn
        .prepare("SELECT number FROM document WHERE direction = 'incoming' ORDER BY number")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let n = numbers.len() as i64;
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>(), "committed numbers are exactly 1..N");
    let last: i64 =
        conn.query_row("SELECT last_number FROM series WHERE series_key = 'den'", [], |r| r.get(0)).unwrap();
    assert_eq!(last, n, "the series counter matches the committed registrations");
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM document d LEFT JOIN audit_log a ON a.seq = d.audit_seq
             WHERE a.seq IS NULL OR a.entity_id != d.id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "every number has its audit entry");
    let without_file: i64 = conn
        .query_row(
            "SELECT count(*) FROM document d
             WHERE NOT EXISTS (SELECT 1 FROM document_file f WHERE f.document_rowid = d.rowid)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(without_file, 0, "every record has its file");
    for (id, number) in seen {
        let stored: i64 = conn.query_row("SELECT number FROM document WHERE id = ?1", [id], |r| r.get(0)).unwrap();
        assert_eq!(stored, *number, "a registration the caller saw is kept with its number");
    }
    drop(conn);
    // The whole check: audit chain, continuity, fixity.
    let check = run_json(vanthu(db, None).arg("check"));
    assert_eq!(check["ok"], true, "{check}");
    n
}
