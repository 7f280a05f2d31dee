"""pyHanko as the oracle of our signatures: validate every signature of a PDF, offline.

    python pyhanko_validate.py FILE.pdf --trust root.pem [--other sub.pem …] [--crl sub.crl …]

prints one JSON object per signature, one per line: field, intact, valid, trusted, revoked, coverage,
modification_level, docmdp_ok, summary (pyHanko's own one-word verdicts), bottom_line.
No network: CRLs are given, fetching is off.
"""

import argparse
import json
import logging
import sys

from asn1crypto import crl as asn1_crl
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

logging.disable(logging.CRITICAL)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--trust", action="append", default=[])
    parser.add_argument("--other", action="append", default=[])
    parser.add_argument("--crl", action="append", default=[])
    parser.add_argument("--no-revocation", action="store_true")
    args = parser.parse_args()
    crls = [asn1_crl.CertificateList.load(open(path, "rb").read()) for path in args.crl]
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(p) for p in args.trust],
        other_certs=[load_cert_from_pemder(p) for p in args.other],
        crls=crls,
        allow_fetching=False,
        revocation_mode="soft-fail" if args.no_revocation else "hard-fail",
    )
    with open(args.file, "rb") as f:
        reader = PdfFileReader(f, strict=False)
        for sig in reader.embedded_signatures:
            try:
                if sig.sig_object_type == "/DocTimeStamp":
                    status = validate_pdf_timestamp(sig, validation_context=context)
                    out = {
                        "field": sig.field_name,
                        "kind": "document_timestamp",
                        "intact": bool(status.intact),
                        "valid": bool(status.valid),
                        "trusted": bool(status.trusted),
                        "coverage": status.coverage.name if status.coverage else None,
                        "summary": status.summary(),
                        "bottom_line": bool(status.intact and status.valid and status.trusted),
                    }
                    print(json.dumps(out, ensure_ascii=False))
                    continue
                status = validate_pdf_signature(sig, context)
                out = {
                    "field": sig.field_name,
                    "intact": bool(status.intact),
                    "valid": bool(status.valid),
                    "trusted": bool(status.trusted),
                    "revoked": bool(status.revoked),
                    "coverage": status.coverage.name if status.coverage else None,
                    "modification_level": status.modification_level.name if status.modification_level else None,
                    "docmdp_ok": status.docmdp_ok,
                    "summary": status.summary(),
                    "bottom_line": bool(status.bottom_line),
                }
            except Exception as error:  # a malformed signature is a verdict too
                out = {"field": sig.field_name, "error": f"{type(error).__name__}: {error}"}
            print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
