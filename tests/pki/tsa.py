"""A local RFC 3161 timestamp authority for the tests: `openssl ts -reply` behind HTTP on loopback.

    python tsa.py PKI_DIR PORT_FILE

listens on 127.0.0.1 on a free port, writes the port to PORT_FILE once it listens, and answers each
POST of an `application/timestamp-query` with `openssl ts -reply` signed by the PKI's `tsa` key (its
certificate issued by `root`, extendedKeyUsage timeStamping). Serial numbers and the policy come from
its own config; the TSA's clock is the machine's.
"""

import http.server
import subprocess
import sys
import tempfile
from pathlib import Path

PKI = Path(sys.argv[1])
CONFIG = PKI / "tsa.cnf"
CONFIG.write_text(
    f"""
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {PKI}
serial = {PKI}/tsa-serial
crypto_device = builtin
signer_cert = {PKI}/tsa.pem
certs = {PKI}/root.pem
signer_key = {PKI}/tsa.key.pem
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""
)
(PKI / "tsa-serial").write_text("01\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(length)
        with tempfile.TemporaryDirectory() as tmp:
            q = Path(tmp) / "q.tsq"
            r = Path(tmp) / "r.tsr"
            q.write_bytes(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(CONFIG), "-queryfile", str(q), "-out", str(r)],
                capture_output=True,
            )
            if done.returncode != 0 or not r.exists():
                self.send_response(400)
                self.end_headers()
                self.wfile.write(done.stderr)
                return
            body = r.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
Path(sys.argv[2]).write_text(str(server.server_address[1]))
server.serve_forever()
