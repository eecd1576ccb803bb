"""Receive the platform's webhooks, verified with the official Standard Webhooks package.

    pip install standardwebhooks
    WEBHOOK_SECRET=whsec_... PORT=8080 python webhook_receiver.py
"""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

WEBHOOK = Webhook(os.environ["WEBHOOK_SECRET"])  # shown once, when you subscribe
PORT = int(os.environ.get("PORT", "8080"))


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = WEBHOOK.verify(body, dict(self.headers))  # signature and timestamp
        except WebhookVerificationError:
            self.send_response(401)
            self.end_headers()
            return
        # At least once: `webhook-id` (the event id) may come again, skip ids already handled.
        print(event["type"], event["id"], json.dumps(event["data"], ensure_ascii=False),
              flush=True)
        self.send_response(204)  # any 2xx: delivered; anything else is retried
        self.end_headers()


if __name__ == "__main__":
    ThreadingHTTPServer(("", PORT), Receiver).serve_forever()
