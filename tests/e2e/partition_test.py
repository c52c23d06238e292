"""A cluster over three hosts (network namespaces joined by veth pairs): one
master and two agents, each its own cairn process, and a framework on a fourth
host. Cutting an agent off, bringing it back, failing the framework over and
killing an agent each give the framework exactly the updates Mesos would."""
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

from netns import Network
from processes import Framework, Process, latest

CAIRN = sys.argv.pop(1)
FRAMEWORK = sys.argv.pop(1)
PING = ["--agent-ping-timeout", "1secs", "--max-agent-ping-timeouts", "3"]


class Partition(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-partition-")
        self.net = Network(["master", "agent1", "agent2", "framework"])
        self.procs = []
        a = self.net.addresses
        self.master_address = a["master"] + ":5050"
        self.start("master", [CAIRN, "master", "--ip", a["master"], "--http-port", "5050",
                              "--work-dir", self.dir + "/master",
                              "--framework-heartbeat-interval", "1secs"] + PING)
        self.agents = {}
        for name in ("agent1", "agent2"):
            self.agents[name] = self.start(name, [
                CAIRN, "agent", "--master", self.master_address, "--ip", a[name],
                "--http-port", "5051", "--work-dir", self.dir + "/" + name,
                "--resources", "cpus:2;mem:1024;disk:100"])
        self.wait_for_agents(2)

    def tearDown(self):
        for p in self.procs:
            p.kill()
        self.net.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, host, args, cls=Process):
        p = cls(self.net.prefix(host) + args, os.path.join(self.dir, host + "-%d.log" % len(self.procs)))
        self.procs.append(p)
        return p

    def master_state(self):
        text = self.net.curl("framework", "http://%s/master/state" % self.master_address)
        return json.loads(text) if text else None

    def wait_for_agents(self, n, bound=60):
        deadline = time.time() + bound
        while time.time() < deadline:
            state = self.master_state()
            if state and state["activated_slaves"] == n:
                return
            time.sleep(0.2)
        raise AssertionError("%d agents never registered" % n)

    def agent_id(self, name):
        text = self.net.curl(name, "http://%s:5051/state" % self.net.addresses[name])
        return json.loads(text)["id"]

    def start_framework(self, extra=()):
        return self.start("framework", [FRAMEWORK, "--master", self.master_address,
                                        "--agents", "2", "--tasks-per-agent", "2",
                                        "--partition-aware", "--failover-timeout", "120",
                                        *extra], cls=Framework)

    def test_partition_failover_and_agent_death(self):
        framework = self.start_framework()
        seen = framework.wait(lambda s: sum(1 for e in latest(s).values()
                                            if e["state"] == "TASK_RUNNING") == 4,
                              60, "four running tasks")
        framework_id = next(e["framework_id"] for e in seen if e["event"] == "subscribed")
        tasks = latest(seen)
        agent1, agent2 = self.agent_id("agent1"), self.agent_id("agent2")
        on1 = {t for t, e in tasks.items() if e["agent"] == agent1}
        on2 = {t for t, e in tasks.items() if e["agent"] == agent2}
        self.assertEqual((len(on1), len(on2)), (2, 2), tasks)

        # Cut agent1 off: exactly its tasks become unreachable.
        self.net.cut("agent1")
        seen = framework.wait(lambda s: {e["task"] for e in s if e.get("state") ==
                                         "TASK_UNREACHABLE"} >= on1, 30, "TASK_UNREACHABLE")
        seen += framework.events(3)
        updated = {e["task"] for e in seen if e.get("event") == "update"}
        self.assertEqual(updated, on1, seen)

        # Bring it back: it re-registers and its tasks are running again.
        self.net.restore("agent1")
        seen = framework.wait(lambda s: {e["task"] for e in s if e.get("state") ==
                                         "TASK_RUNNING"} >= on1, 90, "TASK_RUNNING again")
        self.assertTrue(all(e["agent"] == agent1 for e in seen if e.get("event") == "update"))
        self.wait_for_agents(2)

        # The framework dies and comes back as itself: reconciliation tells it
        # every task still runs.
        framework.kill()
        framework = self.start_framework(["--framework-id", framework_id])
        seen = framework.wait(lambda s: {t for t, e in latest(s).items()
                                         if e["state"] == "TASK_RUNNING"} >= on1 | on2,
                              60, "reconciliation")
        self.assertIn({"event": "subscribed", "framework_id": framework_id}, seen)

        # Agent2 dies: its connection breaks, and as the framework does not
        # checkpoint its tasks there cannot outlive the agent: the master
        # reports them lost at once, as Mesos' master does.
        self.agents["agent2"].kill(signal.SIGKILL)
        seen = framework.wait(lambda s: {e["task"] for e in s if e.get("state") ==
                                         "TASK_LOST"} >= on2, 30,
                              "TASK_LOST for agent2's tasks")
        lost = [e for e in seen if e.get("state") == "TASK_LOST"]
        self.assertEqual({e["reason"] for e in lost}, {"REASON_AGENT_DISCONNECTED"})
        self.assertFalse({e["task"] for e in lost} & on1)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("partition_test needs root to make network namespaces")
    unittest.main(verbosity=2)
