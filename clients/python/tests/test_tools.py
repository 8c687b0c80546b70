"""The @warden.tool decorator and check(): the seed's traefik scenario, approvals, refusals."""

import threading
import time
import unittest

from support import AGENTS, APPROVER_TOKEN, YAML_FAILURE, agent, eventually, person, register, unique
from warden import WardenDenied


class TraefikScenario(unittest.TestCase):
    def test_a_failure_reported_by_the_decorator_is_recalled_first_for_b_and_lowers_b_decision(self):
        tool = AGENTS["a"]["tool"]
        a, b = agent("a"), agent("b")
        container = unique("traefik")
        ran = []

        @a.tool(name=tool, scope=["staging/*"], rate_limit="10/minute", action="docker restart {name}", resource="staging/{name}")
        def restart_container(name):
            """Restarts a container on the staging host."""
            ran.append(name)
            raise RuntimeError(YAML_FAILURE)

        registered = register(restart_container)
        self.assertEqual((registered["scopes"], registered["rateLimit"], registered["requiresConfirmation"]), (["staging/*"], "10/minute", False))
        self.assertEqual(registered["description"], "Restarts a container on the staging host.")

        with self.assertRaises(RuntimeError) as raised:
            restart_container(container, confidence=0.97)
        self.assertEqual(str(raised.exception), YAML_FAILURE)
        self.assertEqual(ran, [container], "auto_execute: the function ran once, with its args")

        decision = b.check("restart traefik", 0.97, tool=tool, resource=f"staging/{container}", args={"name": container})
        first = decision.recalled[0]
        self.assertEqual((first["kind"], first["body"], first["agent"]), ("negative_knowledge", YAML_FAILURE, AGENTS["a"]["name"]))
        self.assertIn(container, first["subject"])
        self.assertEqual(decision.decision, "execute_with_notification", "0.97 alone would run on its own")
        self.assertIn("matching_failure", [r["code"] for r in decision.reasons])
        self.assertTrue(decision.allowed)
        self.assertEqual(decision.approved_args, {"name": container})

        # The registry now holds the decorator's scope: Warden itself refuses production.
        refused = b.check("restart traefik", 0.97, tool=tool, resource="production/traefik")
        self.assertEqual((refused.decision, refused.status), ("deny", "denied"))
        self.assertEqual(refused.reasons[0]["code"], "resource_out_of_scope")

    def test_the_declared_scope_and_rate_limit_refuse_before_warden_is_asked(self):
        a = agent("a")
        ran = []

        @a.tool(name=AGENTS["a"]["tool"], scope=["staging/*"], rate_limit="1/minute", resource="staging/{name}")
        def restart_container(name):
            ran.append(name)
            return {"restarted": name}

        production = a.tool(name=AGENTS["a"]["tool"], scope=["staging/*"], resource="production/{name}")(lambda name: ran.append(name))
        with self.assertRaises(WardenDenied) as outside:
            production("db", confidence=0.99)
        self.assertEqual((outside.exception.status, outside.exception.reasons[0]["code"]), ("refused", "resource_out_of_scope"))

        cache = unique("cache")
        self.assertEqual(restart_container(cache, confidence=0.99), {"restarted": cache})
        with self.assertRaises(WardenDenied) as limited:
            restart_container(cache, confidence=0.99)
        self.assertEqual(limited.exception.reasons[0]["code"], "rate_limited")
        self.assertEqual(ran, [cache])


class CheckWithoutATool(unittest.TestCase):
    def test_the_seed_call_works_as_written_and_goes_no_further_than_a_notification(self):
        warden = agent("a")
        container = unique("traefik")
        decision = warden.check(f"docker restart {container}", 0.82)
        self.assertEqual((decision.decision, decision.status, decision.allowed), ("execute_with_notification", "approved", True))
        self.assertIn("no_tool", [r["code"] for r in decision.reasons])
        # 0.99 would run on its own with a tool; without one the policy's cap holds.
        capped = warden.check(f"docker restart {container}", 0.99)
        self.assertEqual(capped.decision, "execute_with_notification")
        warden.report(capped.id, "succeeded")

    def test_without_a_tool_the_patterns_still_send_it_to_a_human(self):
        decision = agent("a").check(f"docker  rm {unique('cache')}", 0.99, wait=False)
        self.assertEqual((decision.decision, decision.status), ("require_approval", "pending_approval"))
        self.assertIn("always_requires_approval", [r["code"] for r in decision.reasons])
        status, _ = person(APPROVER_TOKEN, "POST", f"/api/v1/actions/{decision.id}/reject", {"reason": "test cleanup"})
        self.assertEqual(status, 200)


class ExternalId(unittest.TestCase):
    def test_a_repeated_external_id_returns_the_same_action_as_it_is_now(self):
        warden = agent("a")
        container, call_id = unique("worker"), unique("call")
        first = warden.check(f"docker restart {container}", 0.99, args={"name": container}, external_id=call_id)
        self.assertTrue(first.allowed)
        # Asked again before it ran (a retry, a step run again): the same action, not a second one.
        again = warden.check(f"docker restart {container}", 0.99, args={"name": container}, external_id=call_id)
        self.assertEqual((again.id, again.status), (first.id, "approved"))

        warden.report(first.id, "succeeded", output={"restarted": container})
        after = warden.check(f"docker restart {container}", 0.99, args={"name": container}, external_id=call_id)
        self.assertEqual((after.id, after.status, after.allowed, after.output), (first.id, "succeeded", False, {"restarted": container}))
        # Another id is another call.
        other = warden.check(f"docker restart {container}", 0.99, args={"name": container}, external_id=unique("call"))
        self.assertNotEqual(other.id, first.id)
        warden.report(other.id, "succeeded")


class BareDecorator(unittest.TestCase):
    def test_used_bare_the_tool_is_named_after_the_function_and_warden_decides(self):
        warden = agent("a")

        @warden.tool
        def python_client_unregistered_tool(target):
            raise AssertionError("a denied call must not run")

        with self.assertRaises(WardenDenied) as raised:
            python_client_unregistered_tool("x", confidence=0.99)
        self.assertEqual((raised.exception.status, raised.exception.reasons[0]["code"]), ("denied", "unknown_tool"))
        self.assertIn("python_client_unregistered_tool", raised.exception.reasons[0]["message"])


class Approvals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.name = AGENTS["approvals"]["name"]
        cls.warden = agent("approvals")
        cls.ran = []

        @cls.warden.tool(name=AGENTS["approvals"]["tool"], requires_confirmation=True, action="deploy {service} {version}")
        def deploy(service, version):
            cls.ran.append({"service": service, "version": version, "at": time.monotonic()})
            return {"deployed": version}

        cls.deploy = staticmethod(deploy)
        register(deploy, risk="medium")

    def setUp(self):
        self.ran.clear()

    def pending(self, action):
        """The approver's inbox item for ``action``, once it is there."""

        def find():
            status, body = person(APPROVER_TOKEN, "GET", f"/api/v1/approvals?status=pending&agent={self.name}")
            assert status == 200, body
            return next((item for item in body["items"] if item["action"] == action), None)

        return eventually(find)

    def decide_in_background(self, action, verdict, body):
        """An approver who finds ``action`` in the inbox and decides it, as a person would, later."""
        outcome = {}

        def approver():
            item = self.pending(action)
            time.sleep(0.5)  # the agent is now blocked in its wait
            outcome["at"] = time.monotonic()
            outcome["status"], outcome["answer"] = person(APPROVER_TOKEN, "POST", f"/api/v1/actions/{item['id']}/{verdict}", body)
            outcome["id"] = item["id"]

        thread = threading.Thread(target=approver, daemon=True)
        thread.start()
        return thread, outcome

    def test_a_call_waits_for_the_approver_and_runs_the_edited_args(self):
        service = unique("billing")
        thread, outcome = self.decide_in_background(f"deploy {service} 1.4.2", "approve", {"args": {"service": service, "version": "1.4.3"}, "comment": "1.4.2 has the leak"})
        result = self.deploy(service, "1.4.2", confidence=0.99)
        thread.join(10)
        self.assertEqual(outcome["status"], 200, outcome.get("answer"))
        self.assertEqual(result, {"deployed": "1.4.3"})
        self.assertEqual([(r["service"], r["version"]) for r in self.ran], [(service, "1.4.3")], "the approved args, not the proposed ones")
        self.assertGreater(self.ran[0]["at"], outcome["at"], "the function ran only after the approval")
        status, action = person(APPROVER_TOKEN, "GET", f"/api/v1/actions/{outcome['id']}")
        self.assertEqual((status, action["status"], action["argsEdited"]), (200, "succeeded", True))

    def test_a_rejection_raises_with_the_approver_reason_and_nothing_runs(self):
        service = unique("search")
        thread, outcome = self.decide_in_background(f"deploy {service} 2.0.0", "reject", {"reason": "not during the freeze"})
        with self.assertRaises(WardenDenied) as raised:
            self.deploy(service, "2.0.0", confidence=0.99)
        thread.join(10)
        self.assertEqual((raised.exception.status, raised.exception.reason), ("rejected", "not during the freeze"))
        self.assertIn("not during the freeze", str(raised.exception))
        self.assertEqual(self.ran, [])

    def test_approved_args_the_function_cannot_take_are_reported_failed_and_not_run(self):
        service = unique("queue")
        thread, outcome = self.decide_in_background(f"deploy {service} 1.0.0", "approve", {"args": {"service": service, "version": "1.0.1", "region": "eu"}})
        with self.assertRaises(TypeError):
            self.deploy(service, "1.0.0", confidence=0.99)
        thread.join(10)
        self.assertEqual(self.ran, [])
        self.assertEqual(person(APPROVER_TOKEN, "GET", f"/api/v1/actions/{outcome['id']}")[1]["status"], "failed")

    def test_check_returns_a_pending_decision_when_its_wait_runs_out(self):
        service = unique("mail")
        started = time.monotonic()
        decision = self.warden.check(f"deploy {service} 3.0.0", 0.99, tool=AGENTS["approvals"]["tool"], args={"service": service, "version": "3.0.0"}, timeout=1)
        self.assertGreaterEqual(time.monotonic() - started, 1)
        self.assertEqual((decision.decision, decision.status, decision.allowed), ("require_approval", "pending_approval", False))
        self.assertIn("tool_requires_confirmation", [r["code"] for r in decision.reasons])
        self.assertIsNotNone(decision.expires_at)
        status, _ = person(APPROVER_TOKEN, "POST", f"/api/v1/actions/{decision.id}/reject", {"reason": "test cleanup"})
        self.assertEqual(status, 200)
        self.assertEqual(self.warden.wait(decision).status, "rejected")


if __name__ == "__main__":
    unittest.main()
