#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for pairbook's DeliveryTests (aiosmtpd 1.4.6, Python 3.11).

Install: python3 -m pip install aiosmtpd==1.4.6

Usage:
    smtp-test-server.py --dir DIR [--port 0] [--mode plain|starttls|starttls-inject|tls]
                        [--user NAME --password SECRET] [--cert PEM --key PEM]

Listens on 127.0.0.1 only. --port 0 picks a free port. Once listening it prints one line
`READY <port>` on stdout. For every accepted message it writes, in DIR:

    <n>.eml   the message exactly as received after DATA (dot-stuffing undone)
    <n>.json  the envelope and an independent parse by Python's `email` package:
              {"mail_from", "rcpt_tos", "auth_login", "subject", "from", "to", "date", "message_id",
               "text", "attachments": [{"filename", "content_type", "size", "sha256"}], "defects"}

With --user/--password, AUTH PLAIN and LOGIN are offered and required (also without TLS, for tests).
--mode starttls offers STARTTLS and requires it; --mode starttls-inject does the same but sends a plaintext
"250" line right behind its 220 to STARTTLS (a command-injection attempt the client must refuse); --mode tls is implicit TLS (SMTPS); both use --cert/--key,
or a throwaway self-signed certificate made with the openssl CLI when they are not given.
The server stops on SIGTERM or SIGINT, or when its stdin closes (the test process ended).
"""
import argparse
import asyncio
import hashlib
import json
import logging
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import warnings
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class InjectingSMTP(SMTP):
    """--mode starttls-inject: a server (or a man in the middle) that sends a plaintext reply right behind its
    220 to STARTTLS, in the same write, hoping the client reads it as the first reply over TLS (CVE-2011-1575 kind)."""

    async def push(self, status):
        if status.startswith("220 Ready to start TLS"):
            status += "\r\n250 injected before TLS"
        await super().push(status)


class InjectingController(Controller):
    def factory(self):
        return InjectingSMTP(self.handler, **self.SMTP_kwargs)


class SavingHandler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = BytesParser(policy=policy.default).parsebytes(raw)
        body = message.get_body(preferencelist=("plain",))
        attachments = []
        for part in message.iter_attachments():
            data = part.get_payload(decode=True) or b""
            attachments.append({
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            })
        auth = getattr(session, "auth_data", None)
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_login": auth.login.decode() if isinstance(auth, LoginPassword) else None,
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "date": str(message["date"]),
            "message_id": str(message["message-id"]),
            "mime_version": str(message["mime-version"]),
            "text": body.get_content() if body is not None else None,
            "attachments": attachments,
            "defects": [type(d).__name__ for d in message.defects],
        }
        # Write the JSON last (atomically): the test waits for it.
        with open(os.path.join(self.directory, f"{n}.eml"), "wb") as f:
            f.write(raw)
        tmp = os.path.join(self.directory, f".{n}.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
        os.replace(tmp, os.path.join(self.directory, f"{n}.json"))
        return "250 2.0.0 Message accepted"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=["plain", "starttls", "starttls-inject", "tls"], default="plain")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    # AUTH without TLS is what the plain-mode tests exercise on 127.0.0.1; keep stderr for real problems.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.basicConfig(level=logging.DEBUG if os.environ.get("SMTP_TEST_SERVER_DEBUG") else logging.ERROR)
    logging.getLogger("mail.log").setLevel(logging.DEBUG if os.environ.get("SMTP_TEST_SERVER_DEBUG") else logging.ERROR)
    os.makedirs(args.dir, exist_ok=True)
    port = args.port or free_port()
    context = None
    if args.mode != "plain":
        if not (args.cert and args.key):
            # A throwaway self-signed certificate for localhost / 127.0.0.1 (clients in tests skip verification).
            args.cert = os.path.join(args.dir, "server-cert.pem")
            args.key = os.path.join(args.dir, "server-key.pem")
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", args.key, "-out", args.cert,
                 "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        # handled=False: aiosmtpd answers 235 or 535 itself; auth_data lands in session.auth_data.
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    kwargs = dict(hostname="127.0.0.1", port=port, server_hostname="localhost")
    if args.user is not None:
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    if args.mode in ("starttls", "starttls-inject"):
        kwargs.update(tls_context=context, require_starttls=True)
    elif args.mode == "tls":
        kwargs.update(ssl_context=context)
    controller = (InjectingController if args.mode == "starttls-inject" else Controller)(SavingHandler(args.dir), **kwargs)
    controller.start()
    print(f"READY {port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
