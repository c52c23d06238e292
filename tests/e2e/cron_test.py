"""The cron framework in `cairn local --failure-retry 1000`: a job due every
2 seconds runs again and again with its history, a dependent job runs after
it; a failing job is tried retries+1 times and counted once; a child of two
parents runs after both and not after one; manual runs, search, unknown jobs
and refusals answer Chronos' codes; FORBID never overlaps, ALLOW does; `cairn
job list|add|run|history|remove` shows and changes the same jobs."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from cairn_local import Local

CAIRN = sys.argv.pop(1)
FAR = "R/2099-01-01T00:00:00Z/P1D"  # never due while the test runs


class Cron(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1, cron=True, extra=["--failure-retry", "1000"])

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://%s%s" % (self.local.cron_address, path),
                                     data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def job(self, name):
        status, body = self.call("GET", "/v1/scheduler/job/" + name)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def history(self, name):
        status, body = self.call("GET", "/v1/scheduler/job/%s/history" % name)
        self.assertEqual(status, 200, body)
        return json.loads(body).get("runs", [])

    def wait_for(self, what, bound=40):
        deadline = time.time() + bound
        while time.time() < deadline:
            value = what()
            if value:
                return value
            time.sleep(0.2)
        self.fail("not within %ss; cron's log:\n%s" % (bound, self.local.logs()))

    def post(self, endpoint, job):
        status, body = self.call("POST", "/v1/scheduler/" + endpoint, job)
        self.assertEqual(status, 204, body)

    def test_a_job_every_2_seconds_and_its_child_run(self):
        self.post("iso8601", {"name": "every2", "command": "echo tick",
                              "schedule": "R//PT2S", "epsilon": "PT30S"})
        self.post("dependency", {"name": "after2", "command": "echo after",
                                 "parents": ["every2"]})
        self.wait_for(lambda: self.job("every2")["successCount"] >= 3)
        self.wait_for(lambda: self.job("after2")["successCount"] >= 1)
        runs = self.history("every2")
        self.assertGreaterEqual(len(runs), 3)
        self.assertTrue(all(r["state"] == "TASK_FINISHED" and r["exitStatus"] == 0
                            for r in runs), runs)
        self.assertEqual(len({r["taskId"] for r in runs}), len(runs))
        self.assertIn("link,every2,after2", self.call("GET", "/scheduler/graph/csv")[1])
        self.assertEqual(self.call("DELETE", "/v1/scheduler/job/every2")[0], 400)  # has a child
        self.assertEqual(self.call("DELETE", "/v1/scheduler/job/after2")[0], 204)
        self.assertEqual(self.call("DELETE", "/v1/scheduler/job/every2")[0], 204)
        self.assertEqual(self.call("GET", "/v1/scheduler/job/every2")[0], 400)

    def test_a_failing_job_is_retried_then_counted_once(self):
        self.post("iso8601", {"name": "fails", "command": "exit 1", "retries": 2,
                              "schedule": "R1//PT1H"})
        job = self.wait_for(lambda: (lambda j: j if j["errorCount"] >= 1 else None)(
            self.job("fails")))
        self.assertEqual(job["errorCount"], 1)
        self.assertEqual(job["errorsSinceLastSuccess"], 1)
        self.assertEqual(job["successCount"], 0)
        self.assertNotEqual(job["lastError"], "")
        runs = self.history("fails")
        self.assertEqual([r.get("attempt", 0) for r in runs], [0, 1, 2])
        self.assertTrue(all(r["state"] == "TASK_FAILED" for r in runs), runs)
        self.assertTrue(job["disabled"])  # R1 used up

    def test_a_child_of_two_parents_runs_after_both_only(self):
        for p in ("p1", "p2"):
            self.post("iso8601", {"name": p, "command": "true", "schedule": FAR})
        self.post("dependency", {"name": "both", "command": "true", "parents": ["p1", "p2"]})
        self.assertEqual(self.call("PUT", "/v1/scheduler/job/p1")[0], 204)
        self.wait_for(lambda: self.job("p1")["successCount"] == 1)
        self.assertEqual(self.history("both"), [])
        self.assertEqual(self.call("PUT", "/scheduler/job/p2")[0], 204)
        self.wait_for(lambda: self.job("both")["successCount"] == 1)
        self.assertEqual(self.call("PUT", "/v1/scheduler/job/p1")[0], 204)
        self.wait_for(lambda: self.job("p1")["successCount"] == 2)
        # Only one parent succeeded again: the child is not queued.
        summary = json.loads(self.call("GET", "/v1/scheduler/jobs/summary")[1])
        state = {j["name"]: j["state"] for j in summary["jobs"]}
        self.assertEqual(state["both"], "idle")
        self.assertEqual(len(self.history("both")), 1)

    def test_search_unknown_jobs_and_refusals(self):
        self.post("iso8601", {"name": "Findable-job", "command": "echo needle",
                              "schedule": FAR})
        status, body = self.call("GET", "/v1/scheduler/jobs/search?any=NEEDLE")
        self.assertEqual(status, 200)
        self.assertEqual([j["name"] for j in json.loads(body)], ["Findable-job"])
        status, body = self.call("GET", "/v1/scheduler/jobs/search?name=nothing-like-it")
        self.assertEqual((status, json.loads(body)), (200, []))
        self.assertEqual(self.call("PUT", "/v1/scheduler/job/no-such-job")[0], 400)
        self.assertEqual(self.call("DELETE", "/v1/scheduler/task/kill/no-such-job")[0], 400)
        status, body = self.call("POST", "/v1/scheduler/iso8601", {
            "name": "docker", "command": "true", "schedule": FAR,
            "container": {"type": "MESOS", "image": "busybox", "network": "BRIDGE"}})
        self.assertEqual(status, 400)
        self.assertIn("host's network", body)
        # A job no offer fits says why in the summary.
        self.post("iso8601", {"name": "huge", "command": "true", "schedule": FAR,
                              "cpus": 1000, "constraints": [["hostname", "EQUALS", "nowhere"]]})
        self.assertEqual(self.call("PUT", "/v1/scheduler/job/huge")[0], 204)

        def waiting():
            status, body = self.call("GET", "/v1/scheduler/jobs/summary")
            entry = [j for j in json.loads(body)["jobs"] if j["name"] == "huge"]
            return entry and entry[0].get("waitingFor")
        self.assertEqual(self.wait_for(waiting), "cpus, constraints")
        self.assertEqual(self.call("DELETE", "/v1/scheduler/job/huge")[0], 204)
        status, body = self.call("POST", "/v1/scheduler/iso8601",
                                 {"name": "bad", "command": "true", "schedule": "hourly"})
        self.assertEqual(status, 400)
        self.assertIn("invalid schedule", body)
        status, body = self.call("POST", "/v1/scheduler/dependency",
                                 {"name": "orphan", "command": "true", "parents": ["ghost"]})
        self.assertEqual(status, 400)
        self.assertIn("ghost", body)
        self.assertEqual(self.call("GET", "/v1/scheduler/job/bad")[0], 400)
        status, body = self.call("GET", "/leader")
        self.assertEqual(json.loads(body)["leader"], self.local.cron_address)

    def max_running(self, name, seconds):
        most = 0
        deadline = time.time() + seconds
        while time.time() < deadline:
            summary = json.loads(self.call("GET", "/v1/scheduler/jobs/summary")[1])
            for j in summary["jobs"]:
                if j["name"] == name and j["state"].endswith(" running"):
                    most = max(most, int(j["state"].split()[0]))
            if most > 1:
                break
            time.sleep(0.1)
        return most

    def test_forbid_never_overlaps_and_allow_does(self):
        self.post("iso8601", {"name": "forbid", "command": "sleep 4", "schedule": "R//PT1S",
                              "epsilon": "PT30S", "concurrencyPolicy": "FORBID"})
        self.assertEqual(self.max_running("forbid", 8), 1)
        self.assertEqual(self.call("DELETE", "/v1/scheduler/job/forbid")[0], 204)
        self.post("iso8601", {"name": "allow", "command": "sleep 4", "schedule": "R//PT1S",
                              "epsilon": "PT30S", "concurrencyPolicy": "ALLOW"})
        self.assertGreater(self.max_running("allow", 30), 1)
        self.assertEqual(self.call("DELETE", "/v1/scheduler/job/allow")[0], 204)

    def test_the_jobs_page_and_the_masters_link_to_it(self):
        with urllib.request.urlopen("http://%s/" % self.local.cron_address, timeout=10) as r:
            self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
            page = r.read().decode()
        # The page reads the API it is served beside: jobs, summary, history.
        for path in ("v1/scheduler", "/jobs/summary", "/history", "nextRunAt", "skipCount"):
            self.assertIn(path, page)
        frameworks = {f["name"]: f for f in self.local.state()["frameworks"]}
        self.assertEqual(frameworks["cron"]["webui_url"],
                         "http://%s/" % self.local.cron_address)

    def cli(self, *args, input=None):
        return subprocess.run([CAIRN, "job", *args, "--cron", self.local.cron_address],
                              capture_output=True, text=True, timeout=60, input=input)

    @staticmethod
    def table(text):
        lines = [l for l in text.splitlines() if l.strip()]
        header = re.split(r"\s{2,}", lines[0].strip())
        return [dict(zip(header, re.split(r"\s{2,}", l.strip()))) for l in lines[1:]]

    def test_the_job_cli(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"name": "cli-job", "command": "echo cli", "schedule": FAR}, f)
        try:
            done = self.cli("add", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual((done.returncode, done.stdout.strip()), (0, "job cli-job added"),
                         done.stderr)
        done = self.cli("add", "-", input=json.dumps({"name": "cli-child", "command": "true",
                                                      "parents": ["cli-job"]}))
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = {r["NAME"]: r for r in self.table(self.cli("list").stdout)}
        self.assertEqual(rows["cli-job"]["SCHEDULE"], self.job("cli-job")["schedule"])
        self.assertEqual(rows["cli-job"]["NEXT RUN"], "2099-01-01T00:00:00.000Z")
        self.assertEqual(rows["cli-job"]["LAST"], "fresh")
        self.assertEqual(rows["cli-child"]["SCHEDULE"], "after cli-job")
        listed = json.loads(self.cli("list", "--json").stdout)
        self.assertIn("cli-job", [j["name"] for j in listed])
        done = self.cli("run", "cli-job")
        self.assertEqual((done.returncode, done.stdout.strip()), (0, "job cli-job started"),
                         done.stderr)
        self.wait_for(lambda: self.job("cli-job")["successCount"] == 1)
        history = self.table(self.cli("history", "cli-job").stdout)
        self.assertEqual([(h["STATE"], h["EXIT"]) for h in history], [("TASK_FINISHED", "0")])
        self.assertEqual(history[0]["TASK"], self.history("cli-job")[0]["taskId"])
        rows = {r["NAME"]: r for r in self.table(self.cli("list").stdout)}
        self.assertEqual((rows["cli-job"]["LAST"], rows["cli-job"]["SUCCESSES"]), ("success", "1"))
        # Refusals name what was wrong and change nothing.
        done = self.cli("run", "no-such-job")
        self.assertEqual(done.returncode, 1)
        self.assertIn("answered 400: no job named 'no-such-job'", done.stderr)
        done = self.cli("add", "-", input="{not json")
        self.assertEqual(done.returncode, 1)
        self.assertIn("is not a job", done.stderr)
        done = self.cli("add", "-", input=json.dumps({"name": "bad", "command": "true",
                                                      "schedule": "hourly"}))
        self.assertEqual(done.returncode, 1)
        self.assertIn("invalid schedule", done.stderr)
        self.assertEqual(self.call("GET", "/v1/scheduler/job/bad")[0], 400)
        self.assertEqual(self.cli("remove", "cli-child").returncode, 0)
        done = self.cli("remove", "cli-job")
        self.assertEqual((done.returncode, done.stdout.strip()), (0, "job cli-job removed"))
        self.assertNotIn("cli-job", self.cli("list").stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
