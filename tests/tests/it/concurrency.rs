//! Two writers on one register at the same time — separate processes, and separate connections in one
//! process — get distinct consecutive numbers, or a clear "busy" that the caller retries. Never a duplicate.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::support::{init_register as init, run_json, vanthu};

#[test]
fn two_processes_registering_at_once_never_share_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(dir.path().join("register.sqlite3"));
    init(&db);
    const PER_WRITER: usize = 30;
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                let mut got = Vec::new();
                for i in 0..PER_WRITER {
                    loop {
                        let out = vanthu(&db, None)
                            .args(["outgoing", "add", "--type", "Công văn", "--unit", "VP", "--signer", "Nguyễn Văn A"])
                            .arg("--subject")
                            .arg(format!("Người ghi {w}, văn bản {i}"))
                            .output()
                            .unwrap();
                        match out.status.code() {
                            Some(0) => {
                                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                                got.push(v["code_number"].as_str().unwrap().parse::<u32>().unwrap());
                                break;
                            }
                            // "Register busy": a clear refusal that the caller retries.
                            Some(5) => continue,
                            other => panic!("writer {w}: exit {other:?}: {}", String::from_utf8_lossy(&out.stderr)),
                        }
                    }
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in writers {
        all.extend(w.join().unwrap());
    }
    let distinct: BTreeSet<u32> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "no number given twice");
    assert_eq!(distinct, (1..=(2 * PER_WRITER) as u32).collect(), "numbers are consecutive");
    assert_eq!(run_json(vanthu(&db, None).arg("check"))["ok"], true);
}

#[test]
fn two_desks_in_one_process_never_share_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite3");
    init(&db);
    let threads: Vec<_> = (0..2)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                // Each thread has its own Desk: its own writer connection, like another process.
                let desk = vanthu_app::Desk::open(&db, vanthu_app::Clock::System).unwrap();
                (0..40)
                    .map(|i| {
                        let input = vanthu_app::IncomingInput {
                            draft: vanthu_app::IncomingDraft {
                                organ_name: "Sở Y tế".into(),
                                type_name: "Báo cáo".into(),
                                subject: format!("Luồng {w}, báo cáo {i}"),
                                ..Default::default()
                            },
                            ..Default::default()
                        };
                        desk.register_incoming(&input).unwrap().arrival_number
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<i64> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    all.sort();
    assert_eq!(all, (1..=80).collect::<Vec<_>>());
}
