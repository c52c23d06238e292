"""`cairn agents | frameworks | tasks | state | task log` and `cairn execute --json` against
`cairn local --agents 2`: tables and --json agree with /master/state, task logs come
from the sandbox (also followed to the end), a redirect reaches the leader, and bad
input names what was wrong."""
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)
BOUND = 60  # seconds any one wait may take; no assertion is about time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_table(text):
    """Rows of an aligned table as dicts keyed by its header."""
    lines = [l for l in text.splitlines() if l.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    rows = []
    for line in lines[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == len(header), (header, cells)
        rows.append(dict(zip(header, cells)))
    return rows


def parse_summary(text):
    """`cairn state`'s key/value lines as a dict."""
    return dict(re.split(r"\s{2,}", l.strip(), maxsplit=1) for l in text.splitlines() if l)


def all_tasks(state):
    for group in ("frameworks", "completed_frameworks"):
        for fw in state[group]:
            for key in ("tasks", "completed_tasks"):
                for t in fw.get(key, []):
                    yield fw, t


class Redirector(http.server.BaseHTTPRequestHandler):
    """Answers every GET with 307 to the same path on `target`, as a
    non-leading Mesos master does."""
    target = None
    scheme_relative = True

    def do_GET(self):
        prefix = "//" if self.scheme_relative else "http://"
        self.send_response(307)
        self.send_header("Location", prefix + self.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class ClusterViews(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=2)
        cls.background = []
        try:
            done = cls.local.execute("--name", "cli-done",
                                     "--command", "echo out-1; echo out-2; echo err-1 >&2")
            assert done.returncode == 0, done.stdout + done.stderr
            failed = cls.local.execute("--name", "cli-failed", "--command", "exit 3")
            assert failed.returncode != 0, failed.stdout + failed.stderr
            cls.sleeper = cls.start_execute("cli-sleeper", "echo sleeping; sleep 600")
            cls.wait_for_task("cli-sleeper", "TASK_RUNNING")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for proc, out in cls.background:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            out.close()
        cls.local.stop()

    @classmethod
    def start_execute(cls, name, command):
        out = open(os.path.join(cls.local.work_dir, name + ".execute.out"), "w")
        proc = subprocess.Popen([CAIRN, "execute", "--master", cls.local.address,
                                 "--name", name, "--command", command],
                                stdout=out, stderr=subprocess.STDOUT)
        cls.background.append((proc, out))
        return proc

    @classmethod
    def wait_for_task(cls, name, state=None):
        deadline = time.time() + BOUND
        while time.time() < deadline:
            for _fw, t in all_tasks(cls.local.state()):
                if t["id"] == name and (state is None or t["state"] == state):
                    return
            time.sleep(0.1)
        raise AssertionError("task %s never reached %s" % (name, state or "the master"))

    def cli(self, *args, master=None, bound=BOUND):
        return subprocess.run([CAIRN, *args, "--master", master or self.local.address],
                              capture_output=True, text=True, timeout=bound)

    def ok(self, *args, **kwargs):
        r = self.cli(*args, **kwargs)
        self.assertEqual(r.returncode, 0, "cairn %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r.stdout

    # -- cairn tasks

    def test_tasks_lists_finished_failed_and_running_tasks(self):
        rows = {r["ID"]: r for r in parse_table(self.ok("tasks"))}
        self.assertEqual(rows["cli-done"]["STATE"], "TASK_FINISHED")
        self.assertEqual(rows["cli-failed"]["STATE"], "TASK_FAILED")
        self.assertEqual(rows["cli-sleeper"]["STATE"], "TASK_RUNNING")
        hostnames = {a["hostname"] for a in self.local.state()["slaves"]}
        for name in ("cli-done", "cli-failed", "cli-sleeper"):
            self.assertEqual(rows[name]["NAME"], name)
            self.assertEqual(rows[name]["FRAMEWORK"], "cairn-execute")
            self.assertIn(rows[name]["AGENT"], hostnames)
            self.assertEqual((rows[name]["CPUS"], rows[name]["MEM"]), ("0.1", "32"))

    def test_state_filter_shows_only_tasks_in_that_state(self):
        for spelling in ("RUNNING", "task_running", "Task_Running"):
            ids = [r["ID"] for r in parse_table(self.ok("tasks", "--state", spelling))]
            self.assertEqual(ids, ["cli-sleeper"], spelling)
        ids = [r["ID"] for r in parse_table(self.ok("tasks", "--state", "TASK_FAILED"))]
        self.assertIn("cli-failed", ids)
        self.assertNotIn("cli-done", ids)

    def test_a_state_that_is_not_a_task_state_is_refused_by_name(self):
        r = self.cli("tasks", "--state", "SLEEPY")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("'SLEEPY' is not a Mesos task state", r.stderr)

    def test_framework_filter_takes_an_id(self):
        framework = next(fw["id"] for fw, t in all_tasks(self.local.state())
                         if t["id"] == "cli-done")
        ids = [r["ID"] for r in parse_table(self.ok("tasks", "--framework", framework))]
        self.assertEqual(ids, ["cli-done"])

    def test_tasks_json_agrees_with_the_table(self):
        doc = json.loads(self.ok("tasks", "--json"))
        table = {(r["ID"], r["STATE"]) for r in parse_table(self.ok("tasks"))}
        self.assertEqual({(t["id"], t["state"]) for t in doc["tasks"]}, table)
        running = json.loads(self.ok("tasks", "--json", "--state", "running"))
        self.assertEqual([t["id"] for t in running["tasks"]], ["cli-sleeper"])

    # -- cairn agents, frameworks, state

    def test_agents_shows_what_master_state_says(self):
        state = self.local.state()
        rows = {r["ID"]: r for r in parse_table(self.ok("agents"))}
        self.assertEqual(set(rows), {a["id"] for a in state["slaves"]})
        for a in state["slaves"]:
            row = rows[a["id"]]
            self.assertEqual(row["HOSTNAME"], a["hostname"])
            self.assertEqual(row["ACTIVE"], "true" if a["active"] else "false")
            for column, key in (("CPUS", "cpus"), ("MEM", "mem"), ("DISK", "disk")):
                used, total = (float(x) for x in row[column].split("/"))
                self.assertAlmostEqual(used, a["used_resources"][key], places=2)
                self.assertAlmostEqual(total, a["resources"][key], places=2)
        doc = json.loads(self.ok("agents", "--json"))
        self.assertEqual({a["id"] for a in doc["slaves"]}, set(rows))

    def test_frameworks_shows_what_master_state_says(self):
        state = self.local.state()
        rows = {r["ID"]: r for r in parse_table(self.ok("frameworks"))}
        self.assertEqual(set(rows), {fw["id"] for fw in state["frameworks"]})
        sleeper = next(fw for fw, t in all_tasks(state) if t["id"] == "cli-sleeper")
        self.assertEqual(rows[sleeper["id"]]["NAME"], "cairn-execute")
        self.assertEqual(rows[sleeper["id"]]["ACTIVE"], "true")
        self.assertEqual(rows[sleeper["id"]]["TASKS"], "1")
        self.assertEqual(rows[sleeper["id"]]["CPUS"], "0.1")
        everything = {r["ID"] for r in parse_table(self.ok("frameworks", "--all"))}
        self.assertEqual(everything, {fw["id"] for g in ("frameworks", "completed_frameworks")
                                      for fw in state[g]})
        doc = json.loads(self.ok("frameworks", "--json"))
        self.assertEqual({fw["id"] for fw in doc["frameworks"]}, set(rows))

    def test_state_summarizes_master_state(self):
        state = self.local.state()
        summary = parse_summary(self.ok("state"))
        self.assertEqual(summary["version"], state["version"])
        self.assertEqual(summary["leader"], state["leader"])
        self.assertEqual(summary["agents"], "2 active, 2 total")
        for s in ("TASK_RUNNING", "TASK_FINISHED", "TASK_FAILED"):
            self.assertIn(s, summary["tasks"])
        total_cpus = sum(a["resources"]["cpus"] for a in state["slaves"])
        self.assertTrue(summary["cpus"].endswith("%g total" % total_cpus), summary["cpus"])
        doc = json.loads(self.ok("state", "--json"))
        self.assertEqual(doc["id"], state["id"])
        self.assertEqual({a["id"] for a in doc["slaves"]}, {a["id"] for a in state["slaves"]})

    # -- cairn task log

    def test_task_log_prints_the_tasks_stdout(self):
        self.assertEqual(self.ok("task", "log", "cli-done"), "out-1\nout-2\n")
        self.assertEqual(self.ok("task", "log", "cli-sleeper"), "sleeping\n")

    def test_task_log_stderr_prints_the_tasks_stderr(self):
        out = self.ok("task", "log", "cli-done", "--stderr")
        self.assertIn("err-1\n", out)
        self.assertNotIn("out-1", out)

    def test_follow_prints_every_line_and_ends_with_the_task(self):
        name = "cli-follow"
        lines = ["line-%d" % i for i in range(1, 8)]
        execute = self.start_execute(name, "for i in 1 2 3 4 5 6 7; do echo line-$i; "
                                            "sleep 0.3; done")
        self.wait_for_task(name)
        r = self.cli("task", "log", name, "--follow")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), lines)
        self.assertEqual(execute.wait(timeout=BOUND), 0)

    def test_an_unknown_task_is_named(self):
        r = self.cli("task", "log", "no-such-task")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no task 'no-such-task'", r.stderr)
        self.assertIn(self.local.address, r.stderr)

    # -- where the master is

    def test_an_unreachable_master_is_named(self):
        address = "127.0.0.1:%d" % free_port()
        for command in (["agents"], ["frameworks"], ["tasks"], ["state"],
                        ["task", "log", "cli-done"]):
            r = self.cli(*command, master=address)
            self.assertNotEqual(r.returncode, 0, command)
            self.assertIn("cannot reach the master at " + address, r.stderr, command)
            self.assertIn("cairn task log" if command[0] == "task" else "cairn " + command[0],
                          r.stderr)

    def test_a_redirect_leads_to_the_leading_master(self):
        direct = {r["ID"] for r in parse_table(self.ok("agents"))}
        for scheme_relative in (True, False):
            handler = type("To", (Redirector,), {"target": self.local.address,
                                                  "scheme_relative": scheme_relative})
            server = http.server.HTTPServer(("127.0.0.1", 0), handler)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                address = "127.0.0.1:%d" % server.server_address[1]
                redirected = {r["ID"] for r in parse_table(self.ok("agents", master=address))}
                self.assertEqual(redirected, direct)
                self.assertEqual(self.ok("task", "log", "cli-done", master=address),
                                 "out-1\nout-2\n")
            finally:
                server.shutdown()
                server.server_close()

    # -- cairn execute --json

    def test_execute_json_prints_one_status_object_a_line(self):
        r = self.local.execute("--json", "--name", "cli-json", "--command", "echo j")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        updates = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertIn("TASK_RUNNING", [u["state"] for u in updates])
        self.assertEqual(updates[-1]["state"], "TASK_FINISHED")
        self.assertEqual(updates[-1]["task_id"]["value"], "cli-json")


if __name__ == "__main__":
    unittest.main(verbosity=2)
