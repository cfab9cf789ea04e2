#!/usr/bin/env python3
"""End-to-end checks of the harness itself: a real private Postfix with
null_milter (bench/null_milter.cpp) attached. They prove that what the dspamd
tests rely on works and can fail: XCLIENT makes the milter see an outside,
trusted or authenticated client; a held message is found with postqueue -j; a
reject is a 5xx at DATA; a milter that is down defers (4xx) and the resent
messages are all delivered; nothing the harness started survives it.

    NULL_MILTER=build/bench/null_milter python3 test/e2e/test_harness.py
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daemons  # noqa: E402
import postfix as pf  # noqa: E402

SHARED = os.environ.get("SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))
CORPUS = os.path.join(SHARED, "corpus", "spamassassin")


def corpus_file(name: str) -> str:
    return os.path.join(CORPUS, "data", name)


def small_message(action: str | None = None, subject: str = "harness") -> bytes:
    lines = ["From: sender@outside.example", "To: bob@example.com", f"Subject: {subject}",
             "Message-ID: <%s@outside.example>" % os.urandom(6).hex()]
    if action:
        lines.append(f"X-E2E-Action: {action}")
    return ("\r\n".join(lines) + "\r\n\r\nHello.\r\n.leading dot\r\n").encode()


class HarnessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        binary = os.environ["NULL_MILTER"]
        cls.dir = tempfile.mkdtemp(prefix="dspamd-harness.")
        os.chmod(cls.dir, 0o755)
        cls.milter = daemons.null_milter(binary, cls.dir)
        cls.milter.start()
        cls.postfix = pf.PostfixInstance(milter=f"unix:{cls.milter.socket_path}")
        try:
            cls.postfix.start()
        except BaseException:
            cls.milter.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.postfix.stop()
        finally:
            cls.milter.stop()
            shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.postfix.sink.clear()

    def eom_lines(self) -> list[str]:
        with open(os.path.join(self.dir, "null_milter.eom")) as f:
            return f.read().splitlines()

    def eom_for(self, queue_id: str) -> str:
        lines = [line for line in self.eom_lines() if f" i={queue_id} " in line]
        self.assertEqual(len(lines), 1, f"one milter line for {queue_id}")
        return lines[0]

    def test_outside_message_is_delivered_unchanged(self):
        data = pf.message_bytes(corpus_file("inmail.1"))
        r = pf.send(self.postfix.port, "sender@outside.example", ["bob@example.com"], data)
        self.assertEqual(r.final, 250, r)
        self.assertIn("client_addr=198.51.100.7 auth_authen= ", self.eom_for(r.queue_id))
        [delivered] = [pf.Delivered.read(p) for p in self.postfix.wait_delivered(1)]
        self.assertEqual(delivered.recipients(), ["bob@example.com"])
        # Postfix's own Received line names the XCLIENT address (the sink adds
        # one more on top).
        self.assertTrue(any("[198.51.100.7]" in r for r in delivered.message.get_all("Received")))
        self.assertEqual(delivered.header("Subject"), "*THE LEGAL CABLE TV DESCRAMBLER*")
        self.assertEqual(delivered.headers("X-DSPAM-"), {})
        # The body arrives byte for byte (the mbox From line removed, dots
        # unstuffed): compare with the corpus file.
        with open(corpus_file("inmail.1"), "rb") as f:
            original = f.read().split(b"\n", 1)[1]
        body = original.split(b"\n\n", 1)[1]
        got = delivered.message.get_payload(decode=False).encode("latin-1")
        self.assertEqual(got.replace(b"\r\n", b"\n").rstrip(b"\n"), body.rstrip(b"\n"))

    def test_xclient_login_is_auth_authen(self):
        r = pf.send(self.postfix.port, "alice@example.com", ["bob@example.com"], small_message(),
                    xclient={"ADDR": "198.51.100.7", "LOGIN": "alice"})
        self.assertEqual(r.final, 250, r)
        self.assertIn("auth_authen=alice ", self.eom_for(r.queue_id))

    def test_trusted_network_address(self):
        r = pf.send(self.postfix.port, "carol@example.com", ["bob@example.com"], small_message(),
                    xclient=pf.TRUSTED)
        self.assertEqual(r.final, 250, r)
        self.assertIn("client_addr=127.0.0.1 auth_authen= ", self.eom_for(r.queue_id))

    def test_unknown_domain_is_refused(self):
        r = pf.send(self.postfix.port, "x@outside.example", ["bob@elsewhere.example"],
                    small_message())
        self.assertEqual(r.final, 554, r)
        self.assertIsNone(r.data)

    def test_header_added_by_milter_is_delivered(self):
        r = pf.send(self.postfix.port, "x@outside.example", ["bob@example.com"],
                    small_message("tag"))
        self.assertEqual(r.final, 250, r)
        [delivered] = [pf.Delivered.read(p) for p in self.postfix.wait_delivered(1)]
        self.assertEqual(delivered.header("X-E2E-Seen"), "yes")

    def test_quarantine_is_in_hold_queue(self):
        r = pf.send(self.postfix.port, "x@outside.example", ["bob@example.com"],
                    small_message("hold"))
        self.assertEqual(r.final, 250, r)
        held = self.postfix.held()
        self.assertIn(r.queue_id, [m["queue_id"] for m in held])
        entry = next(m for m in held if m["queue_id"] == r.queue_id)
        self.assertEqual([x["address"] for x in entry["recipients"]], ["bob@example.com"])
        self.postfix.flush()
        self.postfix.wait_queue_empty(ignore_hold=True)
        self.assertEqual(self.postfix.sink.files(), [], "a held message is not delivered")
        # Released, it is delivered (what a false-positive retrain does).
        self.postfix.postsuper("-H", r.queue_id)
        self.postfix.flush()
        self.postfix.wait_delivered(1)
        self.assertNotIn(r.queue_id, [m["queue_id"] for m in self.postfix.held()])

    def test_reject_is_5xx_at_data(self):
        r = pf.send(self.postfix.port, "x@outside.example", ["bob@example.com"],
                    small_message("reject"))
        self.assertIsNotNone(r.data, "the reply came after DATA")
        self.assertEqual(r.data[0], 550, r)
        self.assertIn("5.7.1 e2e reject", r.data[1])
        self.postfix.wait_queue_empty()
        self.assertEqual(self.postfix.sink.files(), [])

    def test_tempfail_is_4xx(self):
        r = pf.send(self.postfix.port, "x@outside.example", ["bob@example.com"],
                    small_message("tempfail"))
        self.assertEqual(r.final, 451, r)
        self.assertEqual(self.postfix.sink.files(), [])

    def test_milter_down_defers_then_none_lost(self):
        """milter_default_action = tempfail: while the milter is down every
        message gets a 4xx; resent after it is back, all are delivered."""
        self.milter.stop()
        try:
            down = [pf.send(self.postfix.port, "x@outside.example", ["bob@example.com"],
                            small_message(subject=f"down {i}")) for i in range(5)]
            self.assertEqual([r.final // 100 for r in down], [4] * 5, down)
        finally:
            self.milter.start()
        results = [pf.send_until_accepted(self.postfix.port, "x@outside.example",
                                          ["bob@example.com"], small_message(subject=f"down {i}"),
                                          timeout=60)[0] for i in range(5)]
        self.assertEqual([r.final for r in results], [250] * 5)
        delivered = [pf.Delivered.read(p) for p in self.postfix.wait_delivered(5)]
        self.assertEqual(sorted(d.header("Subject") for d in delivered),
                         [f"down {i}" for i in range(5)])


class StopTest(unittest.TestCase):
    def test_stop_leaves_nothing_running(self):
        with pf.PostfixInstance() as p:
            pgid, port, sink_port, base = p.master_pgid, p.port, p.sink.port, p.base
            self.assertTrue(pf.processes_in_group(pgid))
            r = pf.send(p.port, "x@outside.example", ["bob@example.com"], small_message())
            self.assertEqual(r.final, 250)
            p.wait_delivered(1)
        self.assertEqual(pf.processes_in_group(pgid), [])
        self.assertFalse(pf.port_open(port))
        self.assertFalse(pf.port_open(sink_port))
        self.assertFalse(os.path.exists(base))

    def test_stop_after_failed_start(self):
        # A port already taken: Postfix cannot listen; start() must clean up.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            p = pf.PostfixInstance()
            p.port = s.getsockname()[1]
            with self.assertRaises(Exception):
                p.start()
            self.assertFalse(os.path.exists(p.base))
            self.assertFalse(pf.port_open(p.sink.port))


if __name__ == "__main__":
    if not os.access(os.environ.get("NULL_MILTER", ""), os.X_OK):
        print("SKIPPED: null_milter not built:", os.environ.get("NULL_MILTER", "NULL_MILTER unset"))
        sys.exit(77)
    unittest.main(verbosity=2)
