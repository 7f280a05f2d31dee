//! A test driver for the crash test: registers incoming documents through the façade in a tight loop,
//! printing each arrival number (flushed) once its transaction has committed, until killed.
//!
//! Usage: `register_loop DB FILE_DIR` — each registration attaches a new small file from FILE_DIR.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::Write;

fn main() {
    let mut args = std::env::args_os();
    args.next(); // the program's own name
    let db = args.next().expect("DB path");
    let files = std::path::PathBuf::from(args.next().expect("file folder"));
    let desk = vanthu_app::Desk::open(&db, vanthu_app::Clock::System).unwrap().with_actor("crash-test");
    let pid = std::process::id();
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let file = files.join(format!("loop-{pid}-{i}.pdf"));
        std::fs::write(&file, format!("%PDF-1.4\n% {pid} {i}\n")).unwrap();
        let input = vanthu_app::IncomingInput {
            draft: vanthu_app::IncomingDraft {
                organ_name: "Văn phòng Chính phủ".into(),
                type_name: "Công điện".into(),
                subject: format!("Công điện số {i} của tiến trình {pid}"),
                ..Default::default()
            },
            files: vec![file],
            ..Default::default()
        };
        let registered = desk.register_incoming(&input).unwrap();
        writeln!(out, "{} {}", registered.id, registered.arrival_number).unwrap();
        out.flush().unwrap();
    }
}
