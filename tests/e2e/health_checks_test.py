"""Health checks and checks through `cairn execute --task` on `cairn local`: an
HTTP server that stops serving turns healthy, then unhealthy, then
TASK_KILLED healthy=false; a COMMAND `exit 1` and a TCP check of a closed
port go straight to unhealthy and the kill; a check reports its result once;
/master/state shows the health; --partition-aware reaches FrameworkInfo.
Sequences of updates only, no timings."""
import json
import os
import socket
import sys
import tempfile
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)
PORTS = (31000, 31099)


def free_port():
    """A port of the agent's range that nothing listens on now."""
    for port in range(PORTS[0], PORTS[1] + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in the agent's range")


def resources(port=None):
    res = [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
           {"name": "mem", "type": "SCALAR", "scalar": {"value": 64}}]
    if port is not None:
        res.append({"name": "ports", "type": "RANGES",
                    "ranges": {"range": [{"begin": port, "end": port}]}})
    return res


def task(task_id, command, port=None, **extra):
    info = {"name": task_id, "task_id": {"value": task_id},
            "agent_id": {"value": "ignored, as mesos-execute ignores it"},
            "command": {"value": command}, "resources": resources(port)}
    info.update(extra)
    return info


def summary(statuses):
    """(state, healthy or None, reason or None) of each update."""
    return [(s["state"], s.get("healthy"), s.get("reason")) for s in statuses]


class HealthChecks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1, extra=(
            "--resources", "cpus:2;mem:2048;disk:1000;ports:[%d-%d]" % PORTS))

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def run_task(self, info, *more):
        r = self.local.execute("--task", json.dumps(info), "--json", *more, bound=300)
        statuses = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        self.assertTrue(statuses, r.stdout + r.stderr + self.local.logs())
        return r, statuses

    def master_statuses(self, task_id):
        state = self.local.state()
        for fw in state["frameworks"] + state["completed_frameworks"]:
            for t in fw.get("tasks", []) + fw.get("completed_tasks", []):
                if t["id"] == task_id:
                    return t["statuses"]
        self.fail("%s is not in /master/state" % task_id)

    def test_http_healthy_then_unhealthy_then_killed(self):
        port = free_port()
        # Serves for 5 s, then the port closes and the task runs on.
        command = ("timeout 5 /usr/bin/python3 -m http.server %d --bind 127.0.0.1; "
                   "exec sleep 600" % port)
        info = task("http-health", command, port, health_check={
            "type": "HTTP", "http": {"port": port, "path": "/"},
            "delay_seconds": 0, "interval_seconds": 0.5, "timeout_seconds": 2,
            "grace_period_seconds": 60, "consecutive_failures": 2})
        r, statuses = self.run_task(info)
        self.assertEqual(summary(statuses), [
            ("TASK_STARTING", None, None),
            ("TASK_RUNNING", None, None),
            ("TASK_RUNNING", True, "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"),
            ("TASK_RUNNING", False, "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"),
            ("TASK_RUNNING", False, "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"),
            ("TASK_KILLED", False, None)], r.stdout)
        self.assertNotEqual(r.returncode, 0)
        # The master keeps the latest update of each state, with its health.
        shown = [(s["state"], s.get("healthy")) for s in self.master_statuses("http-health")]
        self.assertEqual(shown[-2:], [("TASK_RUNNING", False), ("TASK_KILLED", False)])

    def test_command_exit_1_is_unhealthy_at_once_and_killed(self):
        info = task("command-health", "exec sleep 600", health_check={
            "type": "COMMAND", "command": {"value": "exit 1"},
            "delay_seconds": 0, "interval_seconds": 0.2, "grace_period_seconds": 0,
            "consecutive_failures": 3})
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(info, f)  # --task also takes a file
        r, statuses = self.run_task(info)
        r2 = self.local.execute("--task", f.name, "--json", bound=300)
        os.unlink(f.name)
        unhealthy = ("TASK_RUNNING", False, "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED")
        expected = [("TASK_STARTING", None, None), ("TASK_RUNNING", None, None),
                    unhealthy, unhealthy, unhealthy, ("TASK_KILLED", False, None)]
        self.assertEqual(summary(statuses), expected, r.stdout)
        from_file = [json.loads(l) for l in r2.stdout.splitlines() if l.startswith("{")]
        self.assertEqual(summary(from_file), expected, r2.stdout + r2.stderr)

    def test_tcp_to_a_closed_port_is_unhealthy_and_killed(self):
        port = free_port()
        info = task("tcp-health", "exec sleep 600", health_check={
            "type": "TCP", "tcp": {"port": port},
            "delay_seconds": 0, "interval_seconds": 0.2, "timeout_seconds": 1,
            "grace_period_seconds": 0, "consecutive_failures": 2})
        r, statuses = self.run_task(info)
        unhealthy = ("TASK_RUNNING", False, "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED")
        self.assertEqual(summary(statuses), [
            ("TASK_STARTING", None, None), ("TASK_RUNNING", None, None),
            unhealthy, unhealthy, ("TASK_KILLED", False, None)], r.stdout)

    def test_health_check_command_flag_has_mesos_defaults(self):
        # 15 s delay, 10 s grace, every 10 s, killed after 3 failures.
        r = self.local.execute("--name", "flag-health", "--command", "exec sleep 600",
                               "--health-check-command", "exit 1", "--json", bound=300)
        statuses = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
        unhealthy = ("TASK_RUNNING", False, "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED")
        self.assertEqual(summary(statuses), [
            ("TASK_STARTING", None, None), ("TASK_RUNNING", None, None),
            unhealthy, unhealthy, unhealthy, ("TASK_KILLED", False, None)], r.stdout + r.stderr)

    def test_a_check_reports_its_result_once_on_every_update(self):
        info = task("command-check", "sleep 3", check={
            "type": "COMMAND", "command": {"command": {"value": "exit 3"}},
            "delay_seconds": 0, "interval_seconds": 0.2})
        r, statuses = self.run_task(info)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual([(s["state"], s.get("reason"), s.get("check_status")) for s in statuses], [
            ("TASK_STARTING", None, {"type": "COMMAND", "command": {}}),
            ("TASK_RUNNING", None, {"type": "COMMAND", "command": {}}),
            ("TASK_RUNNING", "REASON_TASK_CHECK_STATUS_UPDATED",
             {"type": "COMMAND", "command": {"exit_code": 3}}),
            ("TASK_FINISHED", None, {"type": "COMMAND", "command": {}})])
        self.assertTrue(all("healthy" not in s for s in statuses))

    def test_invalid_checks_and_mixed_flags_are_refused(self):
        info = task("bad-health", "true", health_check={"type": "HTTP", "http": {
            "port": 80, "scheme": "gopher"}})
        r, statuses = self.run_task(info)
        self.assertEqual(statuses[-1]["state"], "TASK_ERROR")
        self.assertEqual(statuses[-1]["message"], "Task uses invalid health check: "
                         "Unsupported HTTP health check scheme: 'gopher'")
        r = self.local.execute("--task", json.dumps(task("x", "true")), "--command", "true")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--task carries the whole task", r.stderr)
        r = self.local.execute("--task", '{"name": "no-id"}')
        self.assertEqual(r.returncode, 2)
        self.assertIn("no task_id", r.stderr)
        r = self.local.execute("--task", "/nonexistent/task.json")
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot read /nonexistent/task.json", r.stderr)

    def test_partition_aware_subscribes_with_the_capability(self):
        r = self.local.execute("--name", "aware", "--command", "true", "--partition_aware")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        state = self.local.state()
        caps = [fw.get("capabilities", []) for fw in state["frameworks"] +
                state["completed_frameworks"]
                if any(t["id"] == "aware" for t in fw.get("tasks", []) +
                       fw.get("completed_tasks", []))]
        self.assertEqual(len(caps), 1, state)
        self.assertIn("PARTITION_AWARE", caps[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
