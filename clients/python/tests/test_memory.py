"""Memory through the client, and API errors as WardenError."""

import os
import unittest
from unittest import mock

from support import AGENTS, URL, YAML_FAILURE, agent, unique
from warden import Warden, WardenError


class MemoryTests(unittest.TestCase):
    def test_negative_knowledge_is_recorded_and_recalled_by_another_agent(self):
        a, b = agent("a"), agent("b")
        word = unique("ingress").replace("-", "")
        subject = f"traefik_restart_{word}"
        recorded = a.memory.record_negative_knowledge(subject=subject, failure_reason=YAML_FAILURE, tags=["traefik"])
        self.assertEqual((recorded["created"], recorded["occurrences"]), (True, 1))

        results = b.memory.recall(f"traefik restart {word}")
        self.assertGreaterEqual(len(results), 1)
        first = results[0]
        self.assertEqual((first.id, first.kind, first.subject, first.body), (recorded["id"], "negative_knowledge", subject, YAML_FAILURE))
        self.assertEqual((first.agent, first.tags, first.occurrences), (AGENTS["a"]["name"], ["traefik"], 1))
        self.assertGreater(first.score, 0)

        again = b.memory.record_negative_knowledge(subject=subject, failure_reason=YAML_FAILURE)
        self.assertEqual((again["id"], again["created"], again["occurrences"]), (recorded["id"], False, 2), "the same lesson is strengthened, not repeated")
        self.assertEqual([m.id for m in a.memory.recall(subject, kind="pattern")], [], "kind filters")

    def test_a_private_pattern_is_recalled_by_its_author_only(self):
        a, b = agent("a"), agent("b")
        subject = unique("private_pattern").replace("-", "_")
        mine = a.memory.record("pattern", subject, "drain the node before an upgrade", scope="private")
        self.assertIn(mine["id"], [m.id for m in a.memory.recall(subject)])
        self.assertNotIn(mine["id"], [m.id for m in b.memory.recall(subject)])


class ErrorTests(unittest.TestCase):
    def assertBadField(self, call, field):
        with self.assertRaises(WardenError) as raised:
            call()
        error = raised.exception
        self.assertEqual((error.status, error.code), (400, "bad_request"), str(error))
        self.assertIn(field, error.fields)
        self.assertIn(field, error.message)
        return error

    def test_bad_input_names_the_field(self):
        warden = agent("b")
        self.assertBadField(lambda: warden.memory.record_negative_knowledge(subject=" ", failure_reason="x"), "subject")
        self.assertBadField(lambda: warden.memory.record("rumour", "s", "b"), "kind")
        self.assertBadField(lambda: warden.memory.recall(""), "query.q")
        self.assertBadField(lambda: warden.check("restart traefik", 1.5, tool=AGENTS["b"]["tool"]), "confidence")
        # A missing tool is allowed (test_tools.CheckWithoutATool); one that is not a tool name is not.
        self.assertBadField(lambda: warden.check("restart traefik", 0.9, tool="Docker Restart!"), "tool")

    def test_an_unknown_key_is_a_401_at_once_not_retried(self):
        warden = Warden(url=URL, key="wdn_agent_not-a-real-key", retries=5)
        with self.assertRaises(WardenError) as raised:
            warden.memory.recall("anything")
        self.assertEqual((raised.exception.status, raised.exception.code), (401, "unauthorized"))

    def test_an_unreachable_warden_is_a_warden_error_after_the_retries(self):
        warden = Warden(url="http://127.0.0.1:9", key="wdn_agent_x", retries=1, timeout=2)
        with self.assertRaises(WardenError) as raised:
            warden.memory.recall("anything")
        self.assertEqual((raised.exception.status, raised.exception.code), (None, "unreachable"))

    def test_a_missing_key_is_said_at_construction(self):
        with mock.patch.dict(os.environ):
            os.environ.pop("WARDEN_KEY", None)
            with self.assertRaises(ValueError):
                Warden(url=URL)


if __name__ == "__main__":
    unittest.main()
