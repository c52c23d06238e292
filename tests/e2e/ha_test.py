"""Three `cairn master` processes over one replicated log, two agents and a
framework running long tasks, all on loopback. Killing the leading master
with SIGKILL, five times in a row, elects another each time; agents and the framework follow it and no task
is restarted or reported lost; the registry still holds every agent and the
framework. The same holds after all three masters stop and start again."""
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from processes import kill_processes_with, Framework, Process, free_base, get, latest, processes_with, tail_logs

CAIRN = sys.argv.pop(1)
FRAMEWORK = sys.argv.pop(1)
TASKS = 4
KILLS = 5
BAD_STATES = {"TASK_LOST", "TASK_FAILED", "TASK_KILLED", "TASK_KILLING", "TASK_FINISHED",
              "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_UNREACHABLE", "TASK_UNKNOWN"}


class HighAvailability(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-ha-")
        self.procs = []
        base = free_base(3)
        self.addresses = ["127.0.0.1:%d" % (base + i) for i in range(3)]
        self.masters = {}
        for i in range(3):
            self.start_master(i)
        self.marker = "cairn-ha-%d-%d" % (os.getpid(), base)
        for i in range(2):
            self.start([CAIRN, "agent", "--master", ",".join(self.addresses), "--ip", "127.0.0.1",
                        "--http-port", "0", "--work-dir", "%s/agent-%d" % (self.dir, i),
                        "--resources", "cpus:2;mem:1024;disk:100"], "agent-%d" % i)

    def tearDown(self):
        for p in self.procs:
            p.kill()
        # The tasks outlive their agents only if something went wrong; never leak them.
        kill_processes_with(self.marker)
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, args, name, cls=Process):
        p = cls(args, os.path.join(self.dir, "%s-%d.log" % (name, len(self.procs))))
        self.procs.append(p)
        return p

    def start_master(self, i):
        address = self.addresses[i]
        self.masters[i] = self.start([
            CAIRN, "master", "--ip", "127.0.0.1", "--http-port", address.split(":")[1],
            "--masters", ",".join(self.addresses), "--quorum", "2",
            "--work-dir", "%s/master-%d" % (self.dir, i),
            "--framework-heartbeat-interval", "1secs"], "master-%d" % i)

    def leader(self, bound=60, not_in=()):
        """The address of the master that leads and serves, as every live one agrees."""
        deadline = time.time() + bound
        while time.time() < deadline:
            for i, address in enumerate(self.addresses):
                if self.masters[i].proc.poll() is not None:
                    continue
                status, body = get(address, "/cairn/endpoint")
                if status != 200:
                    continue
                said = json.loads(body)["leader"]
                if not said or said in not_in:
                    continue
                status, body = get(said, "/cairn/endpoint")
                if status == 200 and json.loads(body)["port"] != 0:
                    return said
            time.sleep(0.1)
        raise AssertionError("no master leads; logs:\n" + self.logs())

    def state(self, leader):
        status, body = get(leader, "/master/state", bound=10)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def wait_for(self, what, check, bound=90):
        deadline = time.time() + bound
        last = None
        while time.time() < deadline:
            try:
                last = check()
                if last:
                    return last
            except (AssertionError, KeyError, ValueError) as e:
                last = e
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s (last: %r); logs:\n%s"
                             % (what, last, self.logs()))

    def running_tasks(self, state):
        out = {}
        for f in state["frameworks"]:
            for t in f["tasks"]:
                out[t["id"]] = (t["slave_id"], t["state"], f["id"])
        return out

    def logs(self):
        return tail_logs(self.procs)

    def registry(self, leader):
        """What the registry holds that must outlive any master: agents (all
        reachable), frameworks, the key-value store and role weights."""
        status, body = get(leader, "/registrar(1)/registry", bound=10)
        self.assertEqual(status, 200, body)
        r = json.loads(body)
        return ({(a["info"]["id"]["value"], a["reachable"]) for a in r["agents"]},
                {f["info"]["id"]["value"] for f in r["frameworks"]},
                {(e["key"], e["version"], e["value"]) for e in r["kv"]},
                {(w["role"], w["weight"]) for w in r["weights"]})

    def put(self, leader, path, body, headers=None):
        request = urllib.request.Request("http://%s%s" % (leader, path), data=body,
                                         method="PUT", headers=headers or {})
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.read()

    def settled_processes(self):
        """The tasks' processes once the same set is seen twice a moment apart:
        a process caught between fork and exec carries the marker briefly."""
        first = processes_with(self.marker)
        if len(first) < TASKS:
            return None
        time.sleep(0.5)
        return first if processes_with(self.marker).keys() == first.keys() else None

    def check_intact(self, agents, framework_id, tasks, framework, pids, events):
        """Every agent back, the framework subscribed again, every task running where
        it ran, as the very same processes, and nothing bad said about any. Asked
        of whichever master leads at the time: the lead may still move once
        while masters elect."""
        def settled():
            leader = self.leader(bound=10)
            s = self.state(leader)
            active = {a["id"] for a in s["slaves"] if a["active"]}
            f = {x["id"]: x for x in s["frameworks"]}
            if not (active == agents and framework_id in f and f[framework_id]["active"]
                    and self.running_tasks(s) == tasks):
                return None
            self.assertEqual(self.registry(leader), self.stored)
            return s
        state = self.wait_for("agents, framework and tasks", settled)
        self.settled_at = time.time()
        self.assertEqual(state["activated_slaves"], 2)
        self.assertEqual(processes_with(self.marker).keys(), pids.keys())
        events += framework.events(2)
        bad = [e for e in events if e.get("state") in BAD_STATES or e.get("event") == "error"]
        self.assertEqual(bad, [])

    def test_leader_dies_then_all_masters_restart(self):
        leader = self.leader()
        framework = self.start([FRAMEWORK, "--master", ",".join(self.addresses),
                                "--agents", "2", "--tasks-per-agent", "2",
                                "--failover-timeout", "300",
                                "--command", "sleep 3600; : " + self.marker],
                               "framework", cls=Framework)
        events = framework.wait(lambda s: sum(1 for e in latest(s).values()
                                              if e["state"] == "TASK_RUNNING") == TASKS,
                                90, "four running tasks")
        framework_id = next(e["framework_id"] for e in events if e["event"] == "subscribed")
        state = self.wait_for("four tasks in the master's state",
                              lambda: len(self.running_tasks(self.state(leader))) == TASKS
                              and self.state(leader))
        agents = {a["id"] for a in state["slaves"]}
        tasks = self.running_tasks(state)
        self.assertEqual(len(agents), 2)
        self.assertTrue(all(s == "TASK_RUNNING" for _, s, _ in tasks.values()), tasks)
        pids = self.wait_for("the tasks' processes", self.settled_processes)

        written = self.put(leader, "/cairn/kv/apps%2Fweb", b"state of web",
                           {"If-None-Match": "*", "Content-Type": "application/octet-stream"})
        self.assertEqual(json.loads(written)["version"], 1)
        self.put(leader, "/weights", b'[{"role": "web", "weight": 2}]',
                 {"Content-Type": "application/json"})
        self.stored = self.registry(leader)
        self.assertEqual(self.stored, ({(a, True) for a in agents}, {framework_id},
                                       {("apps/web", 1, "c3RhdGUgb2Ygd2Vi")}, {("web", 2)}))

        # Standbys send clients to the leader, once its heartbeats reached them.
        standby = next(a for a in self.addresses if a != leader)
        self.wait_for("a redirect from a standby",
                      lambda: get(standby, "/master/state")[0] == 307, bound=10)
        # The web UI too, so that it reads the state from where it was loaded.
        self.assertEqual(get(standby, "/")[0], 307)
        self.assertEqual(get(leader, "/")[0], 200)

        # The leader dies without a word, five times in a row; each time the
        # dead master comes back from its disk as a standby before the next.
        for kill in range(1, KILLS + 1):
            killed_at = time.time()
            index = self.addresses.index(leader)
            self.masters[index].kill(signal.SIGKILL)
            new_leader = self.leader(not_in={leader})
            print("kill %d: new leader %s after %.2fs" % (kill, new_leader, time.time() - killed_at),
                  flush=True)
            self.assertNotEqual(new_leader, leader)
            self.check_intact(agents, framework_id, tasks, framework, pids, events)
            print("kill %d: agents, framework and tasks back after %.2fs"
                  % (kill, self.settled_at - killed_at), flush=True)
            self.start_master(index)
            leader = self.leader(bound=10)

        # Every master stops, then all start again from their disks.
        for i in range(3):
            self.masters[i].kill(signal.SIGTERM)
        for i in range(3):
            self.start_master(i)
        self.check_intact(agents, framework_id, tasks, framework, pids, events)
        # The framework rode out both without failing.
        self.assertEqual(framework.proc.poll(), None)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("ha_test runs agents, which need root")
    unittest.main(verbosity=2)
