"""Frameworks given every master ride out the loss of the leading one: with
three `cairn master` processes and two agents, `cairn execute` and the C++
example framework (launch_n) and the Python one (examples/python) see the
leader killed with SIGKILL twice while
their tasks run, follow the new leader, subscribe again as the same
framework, and end with every task finished once: none restarted. The time
from each kill to the framework's new subscription is printed, not asserted.
A leader that is paused (SIGSTOP) long enough to be replaced, and then
resumes, steps down without touching what the new leader took over. The
CLI's views, given every master, answer while one is down."""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from processes import Process, free_base, get, tail_logs

CAIRN = sys.argv.pop(1)
LAUNCH_N = sys.argv.pop(1)
LAUNCH_TASKS_PY = sys.argv.pop(1)
SLEEP_SECONDS = 20
BOUND = 120


class FrameworkFailover(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-failover-")
        self.procs = []
        base = free_base(3)
        self.addresses = ["127.0.0.1:%d" % (base + i) for i in range(3)]
        self.masters = {}
        for i in range(3):
            self.start_master(i)
        for i in range(2):
            self.start([CAIRN, "agent", "--master", ",".join(self.addresses), "--ip", "127.0.0.1",
                        "--http-port", "0", "--work-dir", "%s/agent-%d" % (self.dir, i),
                        "--resources", "cpus:2;mem:1024;disk:100"], "agent-%d" % i)

    def tearDown(self):
        for p in self.procs:
            p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, args, name):
        p = Process(args, os.path.join(self.dir, "%s-%d.log" % (name, len(self.procs))))
        self.procs.append(p)
        return p

    def start_master(self, i):
        address = self.addresses[i]
        self.masters[i] = self.start([
            CAIRN, "master", "--ip", "127.0.0.1", "--http-port", address.split(":")[1],
            "--masters", ",".join(self.addresses), "--quorum", "2",
            "--work-dir", "%s/master-%d" % (self.dir, i),
            "--framework-heartbeat-interval", "1secs"], "master-%d" % i)

    def logs(self):
        return tail_logs(self.procs)

    def wait_for(self, what, check, bound=BOUND, pause=0.1):
        deadline = time.time() + bound
        last = None
        while time.time() < deadline:
            try:
                last = check()
                if last:
                    return last
            except (KeyError, ValueError) as e:
                last = e
            time.sleep(pause)
        raise AssertionError("timed out waiting for %s (last: %r); logs:\n%s"
                             % (what, last, self.logs()))

    def leader(self, not_in=()):
        """The master that leads and serves, as a live one says."""
        def find():
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
            return None
        return self.wait_for("a leading master", find)

    def state(self, leader):
        status, body = get(leader, "/master/state", bound=10)
        return json.loads(body) if status == 200 else None

    def framework(self, leader, name):
        """The framework called `name` on `leader`'s books, once it is subscribed there."""
        s = self.state(leader)
        if s is None:
            return None
        return next((f for f in s["frameworks"]
                     if f["name"] == name and f["active"] and f["connected"]), None)

    def kill_leader_twice(self, name, framework_id, still_running):
        """SIGKILLs the leading master, restarts it once another leads, and
        does it again; returns the seconds from each kill to the framework's
        new subscription. `still_running()` must hold at each kill, or the
        kill would not have been during the run."""
        took = []
        for round in range(2):
            leader = self.leader()
            self.assertTrue(still_running(), "the run ended before kill %d; logs:\n%s"
                            % (round + 1, self.logs()))
            index = self.addresses.index(leader)
            killed_at = time.time()
            self.masters[index].kill(signal.SIGKILL)

            def subscribed_again():
                new_leader = self.leader(not_in={leader})
                f = self.framework(new_leader, name)
                return f is not None and f["id"] == framework_id
            self.wait_for("%s subscribed again after kill %d" % (name, round + 1),
                          subscribed_again, pause=0.05)
            took.append(time.time() - killed_at)
            print("%s: subscribed again %.2fs after kill %d of the leader"
                  % (name, took[-1], round + 1), flush=True)
            # A quorum stays: the killed master comes back before the next kill.
            self.start_master(index)
            self.wait_for("master %s back" % leader,
                          lambda: get(leader, "/cairn/endpoint")[0] == 200)
        return took

    def agent_addresses(self, leader):
        s = self.state(leader)
        return ["%s:%d" % (a["hostname"], a["port"]) for a in s["slaves"]]

    def runs_on_agents(self, agents, framework_id):
        """task id -> executors the agents ran for it (running or completed)."""
        out = {}
        for address in agents:
            status, body = get(address, "/state", bound=10)
            self.assertEqual(status, 200, body)
            doc = json.loads(body)
            for f in doc.get("frameworks", []) + doc.get("completed_frameworks", []):
                if f["id"] != framework_id:
                    continue
                for e in f.get("executors", []) + f.get("completed_executors", []):
                    for t in e.get("tasks", []):
                        out[t["id"]] = out.get(t["id"], 0) + 1
        return out

    def sandboxes(self, framework_id):
        """task id -> sandboxes (runs) under both agents' work dirs."""
        out = {}
        pattern = "%s/agent-*/slaves/*/frameworks/%s/executors/*/runs/*" % (self.dir, framework_id)
        for run in glob.glob(pattern):
            if os.path.islink(run):
                continue  # "latest" points at a run
            task = run.split("/executors/")[1].split("/")[0]
            out[task] = out.get(task, 0) + 1
        return out

    def printed(self, process):
        """The lines `process` printed that were not taken yet, once it has
        exited and its output is read to the end."""
        process.reader.join(timeout=BOUND)
        out = []
        while not process.lines.empty():
            out.append(process.lines.get())
        return out

    def starts(self, path):
        """The lines each task's command wrote when it started."""
        with open(path) as f:
            return sorted(f.read().split())

    def check_ran_once(self, agents, framework_id, tasks):
        self.assertEqual(self.sandboxes(framework_id), {t: 1 for t in tasks})
        self.assertEqual(self.runs_on_agents(agents, framework_id), {t: 1 for t in tasks})

    def test_cairn_execute_follows_the_leader(self):
        leader = self.leader()
        starts = os.path.join(self.dir, "execute-starts")
        execute = self.start([CAIRN, "execute", "--master", ",".join(self.addresses),
                              "--name", "through-failovers",
                              "--command", "echo $MESOS_TASK_ID >> %s; sleep %d"
                              % (starts, SLEEP_SECONDS)], "execute")
        printed = []

        def running():
            while not execute.lines.empty():
                printed.append(execute.lines.get())
            return "TASK_RUNNING" in printed
        self.wait_for("TASK_RUNNING from cairn execute", running)
        f = self.wait_for("cairn-execute on the leader's books",
                          lambda: self.framework(leader, "cairn-execute"))
        agents = self.agent_addresses(leader)
        took = self.kill_leader_twice("cairn-execute", f["id"],
                                      lambda: execute.proc.poll() is None)
        self.assertEqual(execute.proc.wait(timeout=BOUND), 0, self.logs())
        printed += self.printed(execute)
        self.assertEqual(printed[-1], "TASK_FINISHED Command exited with status 0", printed)
        self.assertEqual(self.starts(starts), ["through-failovers"])
        self.check_ran_once(agents, f["id"], ["through-failovers"])
        print("cairn execute re-subscription: %s" % ", ".join("%.2fs" % t for t in took))

    def test_a_paused_leader_that_resumes_changes_nothing(self):
        leader = self.leader()
        starts = os.path.join(self.dir, "paused-starts")
        execute = self.start([CAIRN, "execute", "--master", ",".join(self.addresses),
                              "--name", "past-a-pause",
                              "--command", "echo $MESOS_TASK_ID >> %s; sleep %d"
                              % (starts, SLEEP_SECONDS)], "execute")
        self.wait_for("the task started", lambda: os.path.exists(starts))
        f = self.wait_for("cairn-execute on the leader's books",
                          lambda: self.framework(leader, "cairn-execute"))
        agents = self.agent_addresses(leader)
        paused = self.masters[self.addresses.index(leader)].proc
        paused_at = time.time()
        paused.send_signal(signal.SIGSTOP)
        try:
            # Silent, not gone: the driver notices by missed heartbeats.
            self.wait_for("cairn-execute subscribed to another leader",
                          lambda: self.framework(self.leader(not_in={leader}),
                                                 "cairn-execute"))
            print("cairn-execute: subscribed again %.2fs after the leader was paused"
                  % (time.time() - paused_at), flush=True)
            self.assertIsNone(execute.proc.poll(), "the run ended before the pause ended")
        finally:
            paused.send_signal(signal.SIGCONT)
        # It learns that it no longer leads, and closes what it held.
        self.wait_for("the resumed master to step down", lambda: get(leader, "/cairn/endpoint")[0]
                      == 200 and json.loads(get(leader, "/cairn/endpoint")[1])["port"] == 0)
        self.assertEqual(execute.proc.wait(timeout=BOUND), 0, self.logs())
        self.assertEqual(self.printed(execute)[-1], "TASK_FINISHED Command exited with status 0")
        self.assertEqual(self.starts(starts), ["past-a-pause"])
        self.check_ran_once(agents, f["id"], ["past-a-pause"])

    def test_launch_n_follows_the_leader(self):
        leader = self.leader()
        starts = os.path.join(self.dir, "launch-n-starts")
        count = 4
        launch = self.start([LAUNCH_N, "--master", ",".join(self.addresses),
                             "--count", str(count), "--name", "failover",
                             "--command", "echo $MESOS_TASK_ID >> %s; sleep %d"
                             % (starts, SLEEP_SECONDS)], "launch-n")
        tasks = ["failover-%d" % i for i in range(count)]
        self.wait_for("every task started", lambda: os.path.exists(starts)
                      and len(self.starts(starts)) == count)
        f = self.wait_for("launch_n on the leader's books",
                          lambda: self.framework(leader, "failover"))
        agents = self.agent_addresses(leader)
        took = self.kill_leader_twice("failover", f["id"], lambda: launch.proc.poll() is None)
        self.assertEqual(launch.proc.wait(timeout=BOUND), 0, self.logs())
        printed = self.printed(launch)
        self.assertIn("TASK_FINISHED: %d" % count, printed)
        self.assertEqual(self.starts(starts), tasks)
        self.check_ran_once(agents, f["id"], tasks)
        print("launch_n re-subscription: %s" % ", ".join("%.2fs" % t for t in took))

    def test_python_example_follows_the_leader(self):
        leader = self.leader()
        starts = os.path.join(self.dir, "python-starts")
        count = 2
        launch = self.start(["/usr/bin/python3", LAUNCH_TASKS_PY,
                             "--master", ",".join(self.addresses), "--tasks", str(count),
                             "--command", "echo $MESOS_TASK_ID >> %s; sleep %d"
                             % (starts, SLEEP_SECONDS)], "python")
        tasks = ["python-task-%d" % i for i in range(count)]
        self.wait_for("every task started", lambda: os.path.exists(starts)
                      and len(self.starts(starts)) == count)
        f = self.wait_for("the Python framework on the leader's books",
                          lambda: self.framework(leader, "python-example"))
        agents = self.agent_addresses(leader)
        took = self.kill_leader_twice("python-example", f["id"],
                                      lambda: launch.proc.poll() is None)
        self.assertEqual(launch.proc.wait(timeout=BOUND), 0, self.logs())
        printed = self.printed(launch)
        self.assertIn("all %d tasks finished" % count, printed)
        self.assertEqual(self.starts(starts), tasks)
        self.check_ran_once(agents, f["id"], tasks)
        print("Python example re-subscription: %s" % ", ".join("%.2fs" % t for t in took))

    def test_cli_views_ask_each_master(self):
        leader = self.leader()
        self.wait_for("both agents", lambda: len(self.agent_addresses(leader)) == 2)
        self.masters[self.addresses.index(leader)].kill(signal.SIGKILL)
        new_leader = self.leader(not_in={leader})
        standby = next(a for a in self.addresses if a not in (leader, new_leader))
        # The dead master first, then a standby that redirects to the leader.
        masters = ",".join([leader, standby, new_leader])

        def agents_listed():
            r = subprocess.run([CAIRN, "agents", "--master", masters, "--json"],
                               capture_output=True, text=True, timeout=60)
            return r.returncode == 0 and len(json.loads(r.stdout)["slaves"]) == 2 and r
        self.wait_for("cairn agents through the list", agents_listed)
        r = subprocess.run([CAIRN, "state", "--master", masters, "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["leader"].split("@")[-1], new_leader)
        # With every master down, each is named.
        for m in self.masters.values():
            m.kill(signal.SIGKILL)
        r = subprocess.run([CAIRN, "tasks", "--master", masters], capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        for address in (leader, standby, new_leader):
            self.assertIn("cannot reach the master at " + address, r.stderr)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("framework_failover_test runs agents, which need root")
    unittest.main(verbosity=2)
