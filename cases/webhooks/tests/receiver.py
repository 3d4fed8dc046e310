"""A real HTTP receiver for webhook tests: http.server in a thread, on the test's own ports."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Records every POST (headers, body). Answers `fail_first` 503s, then 200. `hold_first`: the first
    request waits (until `release` is set) before answering, so a sender can be caught mid-POST."""

    def __init__(self, port: int, *, fail_first: int = 0, hold_first: bool = False):
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        self.fail_first = fail_first
        self.hold_first = hold_first
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    first = len(receiver.requests) == 1
                    code = 503 if len(receiver.requests) <= receiver.fail_first else 200
                if first and receiver.hold_first:
                    receiver.holding.set()
                    receiver.release.wait(30)
                with receiver.lock:
                    receiver.answers.append(code)
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass  # quiet test output

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{port}/hooks/mend?src=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def webhook_ids(self) -> list[str]:
        with self.lock:
            return [headers["webhook-id"] for headers, _ in self.requests]
