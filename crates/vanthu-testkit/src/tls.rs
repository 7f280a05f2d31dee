//! A test CA and a server certificate it issued for `127.0.0.1` and `localhost` (rcgen), for the
//! hub's TLS in tests: the hub serves the certificate, clients trust only the CA.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The CA and the server's certificate and key, in PEM (and the CA in DER).
pub struct TestTls {
    /// The CA certificate (PEM), what clients trust.
    pub ca_pem: String,
    /// The CA certificate (DER).
    pub ca_der: Vec<u8>,
    /// The server's certificate (PEM).
    pub cert_pem: String,
    /// The server's private key (PEM).
    pub key_pem: String,
}

/// Where [`TestTls::write`] put the files.
pub struct TlsFiles {
    /// `ca.pem`.
    pub ca: PathBuf,
    /// `hub.crt.pem`.
    pub cert: PathBuf,
    /// `hub.key.pem`.
    pub key: PathBuf,
}

impl TestTls {
    /// A fresh CA and server certificate.
    pub fn new() -> TestTls {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "Vanthu hub test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).expect("CA certificate");
        let key = rcgen::KeyPair::generate().expect("server key");
        let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("server parameters");
        leaf.subject_alt_names.push(rcgen::SanType::IpAddress(IpAddr::from([127, 0, 0, 1])));
        leaf.distinguished_name.push(rcgen::DnType::CommonName, "vanthu-hub test");
        let cert = leaf.signed_by(&key, &ca).expect("server certificate");
        TestTls { ca_pem: ca.pem(), ca_der: ca.der().to_vec(), cert_pem: cert.pem(), key_pem: key.serialize_pem() }
    }

    /// Writes `ca.pem`, `hub.crt.pem` and `hub.key.pem` into `dir`.
    pub fn write(&self, dir: &Path) -> TlsFiles {
        let files = TlsFiles { ca: dir.join("ca.pem"), cert: dir.join("hub.crt.pem"), key: dir.join("hub.key.pem") };
        for (path, pem) in [(&files.ca, &self.ca_pem), (&files.cert, &self.cert_pem), (&files.key, &self.key_pem)] {
            std::fs::write(path, pem).expect("write a PEM file");
        }
        files
    }
}

impl Default for TestTls {
    fn default() -> Self {
        TestTls::new()
    }
}
