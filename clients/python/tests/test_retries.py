"""Retries, through a faulty proxy in front of the real Warden: a 503, a 429 with Retry-After, an
answer lost on the way back. Warden itself is never imitated: every request that the proxy lets
through is answered by it."""

import http.server
import threading
import time
import unittest
import urllib.error
import urllib.request

from support import URL, YAML_FAILURE, agent, unique
from warden import Warden, WardenError


class FaultyProxy(http.server.ThreadingHTTPServer):
    """Forwards to Warden; each request first takes the next fault from ``faults``: "503", "429"
    (answered by the proxy, the 429 with Retry-After: 2), "lose" (forwarded, and the connection then closed with no answer),
    or nothing left: forwarded as is. ``seen`` has (method, path, Idempotency-Key) of each."""

    daemon_threads = True

    def __init__(self, faults):
        super().__init__(("127.0.0.1", 0), _Forward)
        self.faults = list(faults)
        self.seen = []
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_fault(self):
        with self.lock:
            return self.faults.pop(0) if self.faults else None


class _Forward(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.forward()

    def do_POST(self):
        self.forward()

    def forward(self):
        server: FaultyProxy = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        server.seen.append((self.command, self.path, self.headers.get("Idempotency-Key")))
        fault = server.next_fault()
        if fault in ("503", "429"):
            return self.answer(int(fault), b'{"error":{"code":"unavailable","message":"injected by the test proxy"}}', {"Retry-After": "2"} if fault == "429" else {})
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type", "idempotency-key")}
        request = urllib.request.Request(URL + self.path, data=body, headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text, replayed = response.status, response.read(), response.headers.get("Idempotent-Replayed")
        except urllib.error.HTTPError as error:
            status, text, replayed = error.code, error.read(), None
        if fault == "lose":
            self.close_connection = True
            return
        self.answer(status, text, {"Idempotent-Replayed": replayed} if replayed else {})

    def answer(self, status, text, headers):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(text)


class RetryTests(unittest.TestCase):
    def through(self, faults, **options):
        proxy = FaultyProxy(faults)
        self.addCleanup(proxy.server_close)
        self.addCleanup(proxy.shutdown)
        return proxy, Warden(url=proxy.url, key=agent("b").key, **options)

    def test_a_lost_answer_is_retried_with_the_same_key_and_warden_creates_nothing_twice(self):
        proxy, warden = self.through(["lose"])
        subject = unique("lost_answer").replace("-", "_")
        recorded = warden.memory.record_negative_knowledge(subject=subject, failure_reason=YAML_FAILURE)
        # Had Warden taken the retry as a second lesson, the entry would have been strengthened.
        self.assertEqual((recorded["created"], recorded["occurrences"]), (True, 1))
        self.assertEqual([m.occurrences for m in agent("b").memory.recall(subject) if m.id == recorded["id"]], [1])
        self.assertEqual(len(proxy.seen), 2)
        keys = {key for _, _, key in proxy.seen}
        self.assertEqual(len(keys), 1, "one Idempotency-Key across the attempts")
        self.assertTrue(keys.pop())

    def test_a_429_waits_what_retry_after_says(self):
        proxy, warden = self.through(["429"])
        started = time.monotonic()
        self.assertIsInstance(warden.memory.recall("traefik restart"), list)
        # The first backoff without Retry-After would be at most 0.75 s.
        self.assertGreaterEqual(time.monotonic() - started, 2.0, "Retry-After: 2 was honoured")
        self.assertEqual(len(proxy.seen), 2)

    def test_a_503_is_retried_after_a_backoff(self):
        proxy, warden = self.through(["503", "503"])
        self.assertEqual(warden.memory.record("pattern", unique("backoff"), "retried twice")["created"], True)
        self.assertEqual(len(proxy.seen), 3)
        self.assertEqual(len({key for _, _, key in proxy.seen}), 1)

    def test_when_the_retries_run_out_the_last_error_is_raised(self):
        proxy, warden = self.through(["503", "503", "503"], retries=2)
        with self.assertRaises(WardenError) as raised:
            warden.memory.record("pattern", "s", "b")
        self.assertEqual((raised.exception.status, raised.exception.code), (503, "unavailable"))
        self.assertEqual(len(proxy.seen), 3)

    def test_a_4xx_is_not_retried(self):
        proxy, warden = self.through([])
        with self.assertRaises(WardenError):
            warden.memory.record("rumour", "s", "b")
        self.assertEqual(len(proxy.seen), 1)


if __name__ == "__main__":
    unittest.main()
