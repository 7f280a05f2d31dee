//! A ~200 MB attachment is written and parsed through a pipe, generated on the fly and only
//! hashed on arrival, in a child process whose peak memory is measured.

mod common;

use std::io::{self, BufReader, BufWriter, Write};
use std::process::Command;

use sha2::{Digest, Sha256};
use vanthu_edxml::*;

const SIZE: u64 = 200 << 20;
const CHILD_ENV: &str = "VANTHU_EDXML_STREAMING_CHILD";
const TEST_NAME: &str = "a_200_mb_attachment_streams_in_bounded_memory";

/// Deterministic pseudo-random bytes (xorshift), written in 64 KiB chunks.
fn generate(out: &mut dyn Write, digest: &mut Sha256) -> io::Result<()> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut chunk = vec![0u8; 64 << 10];
    let mut left = SIZE;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = usize::try_from(left.min(chunk.len() as u64)).expect("small");
        digest.update(&chunk[..n]);
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

#[derive(Default)]
struct HashingSink {
    digest: Sha256,
    size: u64,
    begun: Vec<String>,
    ended: usize,
}

impl AttachmentSink for HashingSink {
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<()> {
        self.begun.push(meta.content_id.clone());
        Ok(())
    }

    fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.size += chunk.len() as u64;
        self.digest.update(chunk);
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        self.ended += 1;
        Ok(())
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// The work of the child: write into a pipe on one thread, parse from it on this one.
#[expect(clippy::print_stdout, reason = "the child reports to its parent on stdout")]
fn child() {
    let mut package = common::full_package();
    package.manifest.clear();
    package.attachments.clear();
    package.add_attachment(common::attachment("cid:big", "Hồ sơ lớn.pdf", "application/pdf"));
    let expected = package.clone();
    let (reader, writer) = io::pipe().expect("pipe");
    let producer = std::thread::spawn(move || {
        let mut digest = Sha256::new();
        let mut source = |_: &str, out: &mut dyn Write| generate(out, &mut digest);
        write_package(&package, &mut source, BufWriter::new(writer)).expect("written");
        digest.finalize()
    });
    let mut sink = HashingSink::default();
    let parsed =
        parse_package(BufReader::with_capacity(64 << 10, reader), &Limits::default(), &mut sink).expect("parsed");
    let written_digest = producer.join().expect("producer");
    assert_eq!(parsed, expected);
    assert_eq!(sink.begun, ["cid:big"]);
    assert_eq!(sink.ended, 1);
    println!("SIZE={}", sink.size);
    println!("MATCH={}", sink.digest.finalize() == written_digest);
    println!("VMHWM_KIB={}", peak_rss_kib());
}

#[test]
fn a_200_mb_attachment_streams_in_bounded_memory() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child();
    }
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("child ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let value = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.find(key).map(|at| &l[at + key.len()..]))
            .unwrap_or_else(|| panic!("{key} missing from {stdout}"))
            .to_owned()
    };
    assert_eq!(value("SIZE="), SIZE.to_string());
    assert_eq!(value("MATCH="), "true");
    let peak_kib: u64 = value("VMHWM_KIB=").parse().expect("number");
    assert!(peak_kib < 64 << 10, "peak RSS {peak_kib} KiB for a {SIZE}-byte attachment");
}
