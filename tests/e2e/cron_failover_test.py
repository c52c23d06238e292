"""A standalone `cairn cron` rides out its own death and the leading
master's: killed for longer than a job's epsilon, it counts the runs it
missed in skipCount when it comes back and runs the next one at its instant;
with three masters and the leader killed just before a job is due, the run
starts once, late but within epsilon, and the later instants run once each,
none missed or doubled (as the job's history shows)."""
import datetime
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from cairn_local import Local
from processes import Process, free_base, get, tail_logs

CAIRN = sys.argv.pop(1)


def call(address, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("http://%s%s" % (address, path), data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return None, str(e)


def due_ms(run):
    """The instant a run was due, from its task id ct:<due ms>:<attempt>:<job>:."""
    return int(run["taskId"].split(":")[1])


def started_ms(run):
    return int(datetime.datetime.strptime(run["start"], "%Y-%m-%dT%H:%M:%S.%fZ")
               .replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


class CronHelpers:
    def start_cron(self, masters, log_name):
        p = Process([CAIRN, "cron", "--master", masters, "--ip", "127.0.0.1", "--http-port", "0",
                     "--failure-retry", "1000"],
                    os.path.join(self.dir, log_name))
        self.procs.append(p)
        line = p.lines.get(timeout=60)
        match = re.search(r"listening on http://([\d.]+:\d+)", line)
        self.assertTrue(match, "cron did not start: %r\n%s" % (line, self.logs()))
        self.cron = match.group(1)
        self.wait_for("cron to read its state back",
                      lambda: call(self.cron, "GET", "/v1/scheduler/jobs")[0] == 200)
        return p

    def wait_for(self, what, check, bound=90):
        deadline = time.time() + bound
        while time.time() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.2)
        self.fail("timed out waiting for %s; logs:\n%s" % (what, self.logs()))

    def job(self, name):
        status, body = call(self.cron, "GET", "/v1/scheduler/job/" + name)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def history(self, name):
        status, body = call(self.cron, "GET", "/v1/scheduler/job/%s/history" % name)
        self.assertEqual(status, 200, body)
        return json.loads(body).get("runs", [])

    def finished(self, name):
        return [r for r in self.history(name) if r["state"] == "TASK_FINISHED"]

    def post(self, job):
        status, body = call(self.cron, "POST", "/v1/scheduler/iso8601", job)
        self.assertEqual(status, 204, body)


class CronRestart(unittest.TestCase, CronHelpers):
    PERIOD_S = 4
    EPSILON_S = 3
    DOWN_S = 14

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-cron-restart-")
        self.procs = []
        os.makedirs(os.path.join(self.dir, "local"))
        self.local = Local(CAIRN, agents=1, work_dir=os.path.join(self.dir, "local"))

    def tearDown(self):
        for p in self.procs:
            p.kill()
        self.local.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self):
        return tail_logs(self.procs) + "\n== local\n" + self.local.logs()

    def test_missed_runs_are_skipped_and_counted_and_the_next_runs_on_time(self):
        cron = self.start_cron(self.local.address, "cron-1.log")
        # ALLOW: a run that ends late must not make the next one a dropped
        # overlap, which is not a skip.
        self.post({"name": "every4", "command": "true", "schedule": "R//PT%dS" % self.PERIOD_S,
                   "epsilon": "PT%dS" % self.EPSILON_S, "concurrencyPolicy": "ALLOW"})
        self.wait_for("two runs", lambda: len(self.finished("every4")) >= 2)
        cron.kill(signal.SIGKILL)
        stopped_ms = time.time() * 1000
        time.sleep(self.DOWN_S)
        self.start_cron(self.local.address, "cron-2.log")
        back_ms = time.time() * 1000
        self.wait_for("a run due after the restart", lambda: any(
            due_ms(r) > back_ms for r in self.finished("every4")))
        runs = sorted(self.history("every4"), key=due_ms)
        dues = [due_ms(r) for r in runs]
        self.assertEqual(len(dues), len(set(dues)), (runs, self.logs()))  # none doubled
        period_ms = self.PERIOD_S * 1000
        self.assertTrue(all((b - a) % period_ms == 0 for a, b in zip(dues, dues[1:])), dues)
        # The gap around the restart: every instant in it was skipped and counted.
        before = [d for d in dues if d <= stopped_ms]
        after = [d for d in dues if d > stopped_ms]
        self.assertTrue(before and after, dues)
        missed = (after[0] - before[-1]) // period_ms - 1
        self.assertGreaterEqual(missed, 1, dues)
        self.assertEqual(self.job("every4")["skipCount"], missed, (dues, self.logs()))
        # The runs after it came back: the first at the first instant after
        # that, each started within epsilon of its instant.
        since_back = [r for r in runs if due_ms(r) > back_ms]
        self.assertLessEqual(due_ms(since_back[0]) - period_ms, back_ms, (dues, self.logs()))
        for r in since_back:
            self.assertLessEqual(started_ms(r) - due_ms(r), self.EPSILON_S * 1000,
                                 (r, back_ms, self.logs()))


    def test_a_run_queued_when_cron_died_is_skipped_beyond_epsilon(self):
        cron = self.start_cron(self.local.address, "cron-1.log")
        # No offer fits it: the manual run stays queued until cron dies.
        self.post({"name": "queued", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D",
                   "epsilon": "PT2S", "cpus": 1000})
        self.assertEqual(call(self.cron, "PUT", "/v1/scheduler/job/queued")[0], 204)
        self.wait_for("the run queued", lambda: any(
            j["name"] == "queued" and j["state"] == "queued"
            for j in json.loads(call(self.cron, "GET", "/v1/scheduler/jobs/summary")[1])["jobs"]))
        cron.kill(signal.SIGKILL)
        time.sleep(4)
        self.start_cron(self.local.address, "cron-2.log")
        self.wait_for("the late run skipped", lambda: self.job("queued")["skipCount"] == 1)
        summary = json.loads(call(self.cron, "GET", "/v1/scheduler/jobs/summary")[1])
        self.assertEqual([j["state"] for j in summary["jobs"] if j["name"] == "queued"], ["idle"])
        self.assertEqual(self.history("queued"), [])


class CronMasterFailover(unittest.TestCase, CronHelpers):
    PERIOD_S = 10
    EPSILON_S = 60
    LATER_RUNS = 2

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-cron-ha-")
        self.procs = []
        base = free_base(3)
        self.addresses = ["127.0.0.1:%d" % (base + i) for i in range(3)]
        self.masters = {}
        for i, address in enumerate(self.addresses):
            self.masters[i] = Process([
                CAIRN, "master", "--ip", "127.0.0.1", "--http-port", address.split(":")[1],
                "--masters", ",".join(self.addresses), "--quorum", "2",
                "--work-dir", "%s/master-%d" % (self.dir, i),
                "--allocation-interval", "100ms", "--framework-heartbeat-interval", "1secs"],
                os.path.join(self.dir, "master-%d.log" % i))
            self.procs.append(self.masters[i])
        self.procs.append(Process([
            CAIRN, "agent", "--master", ",".join(self.addresses), "--ip", "127.0.0.1",
            "--http-port", "0", "--work-dir", "%s/agent" % self.dir,
            "--resources", "cpus:2;mem:1024;disk:1000"], os.path.join(self.dir, "agent.log")))

    def tearDown(self):
        for p in self.procs:
            p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self):
        return tail_logs(self.procs)

    def leader(self):
        def lead():
            for i, address in enumerate(self.addresses):
                if self.masters[i].proc.poll() is not None:
                    continue
                status, body = get(address, "/cairn/endpoint")
                if status == 200 and json.loads(body)["leader"]:
                    said = json.loads(body)["leader"]
                    status, body = get(said, "/master/state")
                    if status == 200 and json.loads(body)["slaves"]:
                        return said
            return None
        return self.wait_for("a leading master with the agent", lead)

    def test_the_leader_killed_before_a_due_instant(self):
        leader = self.leader()
        self.start_cron(",".join(self.addresses), "cron.log")
        # The first instant far enough ahead for cron to be subscribed.
        due = (int(time.time()) + 12) * 1000
        self.post({"name": "ha", "command": "true",
                   "schedule": "R/%s/PT%dS" % (iso(due), self.PERIOD_S),
                   "epsilon": "PT%dS" % self.EPSILON_S,
                   # A late run must not make the next one a dropped overlap.
                   "concurrencyPolicy": "ALLOW"})
        wait_s = due / 1000 - 1.5 - time.time()
        self.assertGreater(wait_s, 0, "the job was posted too late to test the failover")
        time.sleep(wait_s)
        self.masters[self.addresses.index(leader)].kill(signal.SIGKILL)
        last = due + self.LATER_RUNS * self.PERIOD_S * 1000
        self.wait_for("the run due at the kill and %d later ones" % self.LATER_RUNS,
                      lambda: any(due_ms(r) >= last for r in self.finished("ha")),
                      bound=self.EPSILON_S + self.LATER_RUNS * self.PERIOD_S + 60)
        runs = self.history("ha")
        by_due = {}
        for r in runs:
            by_due.setdefault(due_ms(r), []).append(r)
        expected = [due + k * self.PERIOD_S * 1000 for k in range(self.LATER_RUNS + 1)]
        # Each instant once: none missed, none doubled, none skipped.
        self.assertEqual(sorted(d for d in by_due if d <= last), expected, runs)
        for d in expected:
            self.assertEqual(len(by_due[d]), 1, by_due[d])
            r = by_due[d][0]
            self.assertEqual(r["state"], "TASK_FINISHED", r)
            self.assertLessEqual(started_ms(r) - d, self.EPSILON_S * 1000, r)
        self.assertEqual(self.job("ha")["skipCount"], 0)
        self.assertNotEqual(self.leader(), leader)


if __name__ == "__main__":
    unittest.main(verbosity=2)
