"""The control watcher: pause, suspend, resume and a kill with its rollback, as an operator does them."""

import threading
import time
import unittest

from support import AGENTS, OPERATOR_TOKEN, URL, agent, eventually, person, register, unique
from warden import Warden, WardenError


class ControlWatcherTests(unittest.TestCase):
    def setUp(self):
        self.name = AGENTS["control"]["name"]
        self.tool = AGENTS["control"]["tool"]
        self.warden = agent("control")
        self.changes = []
        self.warden.control.on_change(lambda watcher: self.changes.append(watcher.state))
        self.warden.control.start()
        self.addCleanup(self.warden.close)
        self.addCleanup(self.operator, "resume", reason="test cleanup")

    def operator(self, verb, **body):
        status, answer = person(OPERATOR_TOKEN, "POST", f"/api/v1/control/{verb}", {"scope": f"agent:{self.name}", **body})
        self.assertIn(status, (200, 201), answer)
        return answer

    def test_the_watcher_sees_a_pause_and_a_resume_and_acknowledges_each_epoch(self):
        control = self.warden.control
        self.assertEqual(control.state, "running")

        paused = self.operator("pause", reason="deploy freeze")
        self.assertTrue(control.wait_for("paused", timeout=5), f"state is {control.state}")
        self.assertEqual((control.reason, control.epoch), ("deploy freeze", paused["epoch"]))
        self.assertFalse(control.stopped.is_set(), "a pause lets running work finish")
        eventually(lambda: control.acked_epoch == paused["epoch"], timeout=5)

        resumed = self.operator("resume", reason="all clear")
        self.assertTrue(control.wait_for("running", timeout=5), f"state is {control.state}")
        self.assertEqual(control.epoch, resumed["epoch"])
        eventually(lambda: control.acked_epoch == resumed["epoch"], timeout=5)
        self.assertEqual(self.changes[-2:], ["paused", "running"])

    def test_a_suspension_sets_the_stop_event_and_warden_refuses_actions_until_resume(self):
        control = self.warden.control
        self.operator("suspend", reason="incident 42")
        self.assertTrue(control.stopped.wait(5), "the stop event is set within seconds")
        self.assertEqual(control.state, "suspended")
        decision = self.warden.check("scale web to 3", 0.99, tool=self.tool, args={"replicas": 3})
        self.assertEqual((decision.decision, decision.reasons[0]["code"]), ("deny", "control_suspended"))

        self.operator("resume", reason="incident over")
        self.assertTrue(control.wait_for("running", timeout=5))
        self.assertFalse(control.stopped.is_set())

    def test_a_kill_runs_the_registered_undo_and_reports_the_rollback(self):
        replicas = {}

        @self.warden.tool(name=self.tool, action="scale {service} to {count}",
                          undo=lambda service, count, previous: (self.tool, {"service": service, "count": previous, "previous": count}))
        def scale(service, count, previous):
            replicas[service] = count

        register(scale, description="Scales a service")
        service = unique("web")
        scale(service, 5, 2, confidence=0.99)
        self.assertEqual(replicas, {service: 5})

        plan = self.operator("kill-token", rollbackLast=5)
        self.assertEqual(plan["rollbackPlan"][0]["undo"], {"tool": self.tool, "args": {"service": service, "count": 2, "previous": 5}})
        action_id = plan["rollbackPlan"][0]["actionId"]
        status, killed = person(OPERATOR_TOKEN, "POST", "/api/v1/control/kill", {"confirm": plan["token"], "reason": "runaway scaling"})
        self.assertEqual(status, 200, killed)

        self.assertTrue(self.warden.control.stopped.wait(5))
        self.assertEqual(self.warden.control.state, "killed")
        eventually(lambda: replicas[service] == 2, timeout=10)
        eventually(lambda: person(OPERATOR_TOKEN, "GET", f"/api/v1/actions/{action_id}")[1]["status"] == "rolled_back", timeout=10)

    def test_after_an_approver_edits_the_args_the_kill_undoes_what_ran(self):
        replicas = {}

        @self.warden.tool(name=self.tool, action="scale {service} to {count}",
                          undo=lambda service, count, previous: (self.tool, {"service": service, "count": previous, "previous": count}))
        def scale(service, count, previous):
            replicas[service] = count

        register(scale, description="Scales a service")
        service = unique("api")
        # 0.5 waits for a human, who scales to 4 instead of 5.
        worker = threading.Thread(target=lambda: scale(service, 5, 2, confidence=0.5))
        worker.start()
        pending = eventually(lambda: next((a for a in person(OPERATOR_TOKEN, "GET", f"/api/v1/approvals?status=pending&agent={self.name}")[1]["items"]
                                           if service in a["action"]), None), timeout=10)
        status, approved = person(OPERATOR_TOKEN, "POST", f"/api/v1/actions/{pending['id']}/approve",
                                  {"args": {"service": service, "count": 4, "previous": 2}})
        self.assertEqual(status, 200, approved)
        worker.join(10)
        self.assertEqual(replicas, {service: 4})

        plan = self.operator("kill-token", rollbackLast=5)
        self.assertEqual(plan["rollbackPlan"][0]["undo"], {"tool": self.tool, "args": {"service": service, "count": 2, "previous": 4}})


class RefusedWatcherTests(unittest.TestCase):
    def test_a_watcher_with_an_unknown_key_fails_at_once_with_the_401(self):
        warden = Warden(url=URL, key="wdn_agent_not-a-real-key")
        self.addCleanup(warden.close)
        started = time.monotonic()
        with self.assertRaises(WardenError) as raised:
            warden.control.start(timeout=20)
        self.assertEqual(raised.exception.status, 401)
        self.assertLess(time.monotonic() - started, 10)


if __name__ == "__main__":
    unittest.main()
