"""The test PKI of the signing tests: made fresh for each test run, never committed.

    python make_pki.py OUT_DIR

writes into OUT_DIR (PEM certificates, PKCS#8 keys, DER CRLs) and `pki.json`, the manifest the Rust
test kit reads. Made with `cryptography`, an implementation independent of the Rust crates under test.

- `root`: the trust anchor the organisation configures ("Vanthu Test Root CA").
- `sub`: an intermediate CA under `root` that issues the signers and publishes `sub.crl`.
- signers under `sub`: `org-rsa` (RSA-2048, PKCS#1 v1.5), `org-pss` (RSA-2048, used with RSA-PSS),
  `org-ec` (ECDSA P-256), `person` (the competent person's own certificate, RSA-2048), `revoked`
  (listed in `sub.crl`, revoked a day before the run), `expired` (valid 2020-2021).
- `rogue`: a signer under `rogue-root`, a CA the organisation does not trust.
- `tsa`: a timestamping certificate under `root` (extendedKeyUsage timeStamping, critical).
"""

import datetime
import json
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
DAY = datetime.timedelta(days=1)


def name(common: str, org: str = "Vanthu Test") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


class Issued:
    def __init__(self, key, cert):
        self.key = key
        self.cert = cert


SERIAL = [100]


def issue(subject, key, issuer: "Issued | None", *, ca=False, tsa=False, not_before=None, not_after=None, crl_url=None):
    SERIAL[0] += 1
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(public)
        .serial_number(SERIAL[0])
        .not_valid_before(not_before or NOW - 30 * DAY)
        .not_valid_after(not_after or NOW + (3650 if ca else 730) * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    signing_key = issuer.key if issuer else key
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
    )
    if ca:
        usage = dict(key_cert_sign=True, crl_sign=True, digital_signature=False, content_commitment=False)
    else:
        usage = dict(key_cert_sign=False, crl_sign=False, digital_signature=True, content_commitment=True)
    builder = builder.add_extension(
        x509.KeyUsage(
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            encipher_only=False,
            decipher_only=False,
            **usage,
        ),
        critical=True,
    )
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
            ),
            critical=False,
        )
    return Issued(key, builder.sign(signing_key, hashes.SHA256()))


def crl(issuer: Issued, revoked: list[Issued]) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW - DAY)
        .next_update(NOW + 30 * DAY)
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    for item in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(item.cert.serial_number)
            .revocation_date(NOW - DAY)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    crl_url = "http://127.0.0.1:9/sub.crl"
    root = issue(name("Vanthu Test Root CA"), rsa_key(), None, ca=True)
    sub = issue(name("Vanthu Test Sub CA"), rsa_key(), root, ca=True)
    rogue_root = issue(name("Rogue Root CA", "Unknown"), rsa_key(), None, ca=True)
    org = "UBND xã Tân Phú"
    signers = {
        "org-rsa": issue(name("UBND xã Tân Phú", org), rsa_key(), sub, crl_url=crl_url),
        "org-pss": issue(name("UBND xã Tân Phú (PSS)", org), rsa_key(), sub, crl_url=crl_url),
        "org-ec": issue(name("UBND xã Tân Phú (EC)", org), ec_key(), sub, crl_url=crl_url),
        "person": issue(name("Nguyễn Văn Đức", org), rsa_key(), sub, crl_url=crl_url),
        "revoked": issue(name("Chứng thư bị thu hồi", org), rsa_key(), sub, crl_url=crl_url),
        "expired": issue(
            name("Chứng thư hết hạn", org),
            rsa_key(),
            sub,
            not_before=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
            not_after=datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc),
        ),
        "rogue": issue(name("Kẻ mạo danh", "Unknown"), rsa_key(), rogue_root),
    }
    tsa = issue(name("Vanthu Test TSA"), rsa_key(), root, tsa=True)

    def write_cert(label: str, item: Issued) -> None:
        (out / f"{label}.pem").write_bytes(item.cert.public_bytes(serialization.Encoding.PEM))
        (out / f"{label}.der").write_bytes(item.cert.public_bytes(serialization.Encoding.DER))

    def write_key(label: str, item: Issued) -> None:
        (out / f"{label}.key.pem").write_bytes(
            item.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    for label, item in [("root", root), ("sub", sub), ("rogue-root", rogue_root), ("tsa", tsa)]:
        write_cert(label, item)
    write_key("tsa", tsa)
    for label, item in signers.items():
        write_cert(label, item)
        write_key(label, item)
    (out / "sub.crl").write_bytes(crl(sub, [signers["revoked"]]))
    (out / "root.crl").write_bytes(crl(root, []))
    manifest = {
        "signers": list(signers),
        "kinds": {
            label: ("ec" if label == "org-ec" else "rsa") for label in signers
        },
        "made_at": NOW.isoformat(),
    }
    (out / "pki.json").write_text(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
