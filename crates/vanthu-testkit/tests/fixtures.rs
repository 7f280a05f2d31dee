//! The fixtures themselves work: a token with every signer, a TSA that answers.

use vanthu_testkit::pki::{Pki, SIGNERS, SOFTHSM_MODULE, TOKEN_LABEL, Tsa};

#[test]
fn the_token_holds_every_signer_and_the_tsa_answers() {
    let pki = Pki::new();
    let listing = pki
        .command("pkcs11-tool")
        .args(["--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL, "--login", "--pin", "1234", "-O"])
        .output()
        .expect("pkcs11-tool");
    let listing = String::from_utf8_lossy(&listing.stdout);
    for label in SIGNERS {
        assert!(listing.contains(&format!("label:      {label}")), "{label} missing:\n{listing}");
    }
    let tsa = Tsa::start(&pki);
    // A query made by openssl, answered by the TSA, verified by openssl against the root.
    let data = pki.path("data.bin");
    std::fs::write(&data, b"vanthu").expect("data");
    let query = pki.path("q.tsq");
    let status = std::process::Command::new("openssl")
        .args(["ts", "-query", "-sha256", "-cert", "-data"])
        .arg(&data)
        .arg("-out")
        .arg(&query)
        .status()
        .expect("openssl ts -query");
    assert!(status.success());
    let reply = std::process::Command::new("curl")
        .args(["-s", "--fail", "-H", "Content-Type: application/timestamp-query", "--data-binary"])
        .arg(format!("@{}", query.display()))
        .arg(tsa.url())
        .output()
        .expect("curl");
    assert!(reply.status.success(), "TSA refused");
    let response = pki.path("r.tsr");
    std::fs::write(&response, &reply.stdout).expect("reply");
    let verify = std::process::Command::new("openssl")
        .args(["ts", "-verify", "-in"])
        .arg(&response)
        .arg("-queryfile")
        .arg(&query)
        .arg("-CAfile")
        .arg(pki.root())
        .output()
        .expect("openssl ts -verify");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}
