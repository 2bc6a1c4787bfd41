"""A real SMTP server for the notification tests (aiosmtpd, RFC 5321).

Usage: smtp_server.py PORT DIR. Listens on 127.0.0.1:PORT, prints "ready" once it accepts
connections, and writes each accepted message to DIR as JSON (recipients, headers, decoded
body), one file per message, named in arrival order.
"""
import email
import email.policy
import json
import pathlib
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "to": envelope.rcpt_tos,
            "from": envelope.mail_from,
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "idempotency_key": str(message["Idempotency-Key"]),
            "body": message.get_content(),
        }
        name = self.folder / f"{time.time_ns()}.json"
        name.with_suffix(".part").write_text(json.dumps(record))
        name.with_suffix(".part").rename(name)
        return "250 Message accepted"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Keep(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
