"""Sandboxes and disks on an agent of `cairn local`: a finished task's
sandbox is removed --gc_delay after it ended while a running one stays, with
Mesos' runs/latest link; /monitor/statistics, /containers and GET_CONTAINERS
list what a running task uses; disk/du with --enforce_container_disk_quota
fails a task that writes past its disk; a full work dir fails a launch with
a message naming the disk, not a bare exit status."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from cairn_local import Local
import mesos_v1

CAIRN = sys.argv.pop(1)


def run_dirs(work_dir, task):
    """The run directories of the executor named `task` (the command executor's id is the task's)."""
    found = []
    for root, dirs, _files in os.walk(work_dir):
        if root.endswith("/executors/%s/runs" % task):
            found += [os.path.join(root, d) for d in dirs if d != "latest"]
    return found


def poll(what, bound):
    deadline = time.time() + bound
    while time.time() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.2)
    return what()


class SandboxGc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1,
                          extra=["--gc_delay=5secs", "--disk_watch_interval=1secs"])
        cls.agent = cls.local.state()["slaves"][0]["pid"].split("@")[1]
        cls.running = subprocess.Popen(
            [CAIRN, "execute", "--master", cls.local.address, "--name", "running",
             "--command", "sleep 300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)

    @classmethod
    def tearDownClass(cls):
        cls.running.kill()
        cls.running.wait()
        cls.local.stop()

    def statistics(self, path="/monitor/statistics"):
        with urllib.request.urlopen("http://%s%s" % (self.agent, path), timeout=20) as r:
            return json.loads(r.read())

    def running_entry(self, path="/monitor/statistics"):
        for entry in self.statistics(path):
            if entry["executor_id"] == "running":
                return entry
        return None

    def test_a_finished_sandbox_goes_and_a_running_one_stays(self):
        self.assertTrue(poll(lambda: run_dirs(self.local.work_dir, "running"), 60),
                        self.local.logs())
        r = self.local.execute("--name", "done", "--command", "echo done")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        runs = run_dirs(self.local.work_dir, "done")
        self.assertEqual(len(runs), 1, runs)
        run = runs[0]
        latest = os.path.join(os.path.dirname(run), "latest")
        self.assertTrue(os.path.islink(latest))
        self.assertEqual(os.path.realpath(latest), os.path.realpath(run))
        executor_dir = os.path.dirname(os.path.dirname(run))
        framework_dir = os.path.dirname(os.path.dirname(executor_dir))
        # gc_delay is 5 s: gone well within 15 s (a generous bound, not a timing claim).
        gone = poll(lambda: not os.path.exists(run), 15)
        self.assertTrue(gone, "%s still there\n%s" % (run, self.local.logs()))
        self.assertTrue(poll(lambda: not os.path.exists(executor_dir), 5))
        # `cairn execute` is a framework of one task: its directory goes with it.
        self.assertTrue(poll(lambda: not os.path.exists(framework_dir), 5))
        # The running task's sandbox stays, and so does its latest link.
        still = run_dirs(self.local.work_dir, "running")
        self.assertEqual(len(still), 1)
        self.assertTrue(os.path.isdir(still[0]))
        self.assertTrue(os.path.islink(os.path.join(os.path.dirname(still[0]), "latest")))

    def test_monitor_statistics_lists_the_running_task(self):
        entry = poll(lambda: (lambda e: e if e and e["statistics"].get("processes", 0) >= 1
                              and e["statistics"].get("mem_rss_bytes", 0) > 0 else None)(
                                  self.running_entry()), 60)
        self.assertIsNotNone(entry, self.statistics())
        self.assertEqual(entry["executor_name"], "Command Executor (Task: running)")
        self.assertEqual(entry["source"], "running")
        self.assertTrue(entry["framework_id"])
        stats = entry["statistics"]
        self.assertGreaterEqual(stats["processes"], 1)
        self.assertGreater(stats["mem_rss_bytes"], 0)
        self.assertGreater(stats["timestamp"], 1e9)
        self.assertIn("cpus_user_time_secs", stats)
        # Mesos' other spellings of the same endpoint.
        self.assertIsNotNone(self.running_entry("/monitor/statistics.json"))
        self.assertIsNotNone(self.running_entry("/slave(1)/monitor/statistics"))

    def test_containers_and_get_containers(self):
        entry = poll(lambda: self.running_entry("/containers"), 60)
        self.assertIsNotNone(entry)
        self.assertTrue(entry["container_id"])
        self.assertEqual(entry["status"]["container_id"]["value"], entry["container_id"])
        self.assertGreaterEqual(entry["statistics"]["processes"], 1)
        status, body, _ = mesos_v1.post(self.agent, "/api/v1",
                                        json.dumps({"type": "GET_CONTAINERS"}))
        self.assertEqual(status, 200, body)
        answer = json.loads(body)
        self.assertEqual(answer["type"], "GET_CONTAINERS")
        containers = answer["get_containers"]["containers"]
        mine = [c for c in containers if c["executor_id"]["value"] == "running"]
        self.assertEqual(len(mine), 1, containers)
        self.assertEqual(mine[0]["container_id"]["value"], entry["container_id"])
        self.assertGreaterEqual(mine[0]["resource_statistics"]["processes"], 1)


class DiskQuota(unittest.TestCase):
    def test_a_task_writing_past_its_disk_fails_with_the_disk_reason(self):
        local = Local(CAIRN, agents=1, extra=[
            "--isolation=posix/cpu,posix/mem,disk/du", "--enforce_container_disk_quota",
            "--container_disk_watch_interval=1secs"])
        try:
            r = local.execute("--name", "hog", "--resources", "cpus:0.1;mem:64;disk:1",
                              "--command", "head -c 10485760 /dev/zero > fill && sleep 120")
            self.assertNotEqual(r.returncode, 0)
            last = r.stdout.splitlines()[-1]
            self.assertTrue(last.startswith("TASK_FAILED"), r.stdout)
            self.assertIn("REASON_CONTAINER_LIMITATION_DISK", last)
            self.assertIn("exceeds quota (1MB)", last)
            # Within its disk, a task finishes.
            r = local.execute("--name", "modest", "--resources", "cpus:0.1;mem:64;disk:1",
                              "--command", "head -c 1000 /dev/zero > small")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        finally:
            local.stop()


class ExecutorEnvironment(unittest.TestCase):
    def test_executors_get_exactly_the_given_environment(self):
        os.environ["GC_TEST_MARK"] = "leaked"
        try:
            local = Local(CAIRN, agents=1, extra=[
                "--executor_environment_variables",
                json.dumps({"PATH": "/usr/bin:/bin", "ONLY": "this"})])
        finally:
            del os.environ["GC_TEST_MARK"]
        try:
            r = local.execute("--name", "env", "--command",
                              'echo "only=$ONLY mark=$GC_TEST_MARK."')
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("only=this mark=.", local.sandbox_file("env") or "")
        finally:
            local.stop()


@unittest.skipUnless(os.geteuid() == 0, "mounting a small tmpfs needs root")
class FullDisk(unittest.TestCase):
    def test_a_launch_on_a_full_work_dir_names_the_disk(self):
        work = tempfile.mkdtemp(prefix="cairn-e2e-full-")
        agent_dir = os.path.join(work, "agent-0")
        os.mkdir(agent_dir)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", agent_dir],
                       check=True)
        local = None
        try:
            local = Local(CAIRN, agents=1, work_dir=work,
                          extra=["--resources", "cpus:1;mem:256;disk:100",
                                 "--disk_watch_interval=1secs"])
            # Fill the agent's file system to the last block.
            with open(os.path.join(agent_dir, "filler"), "wb") as f:
                try:
                    while True:
                        f.write(b"x" * 65536)
                        f.flush()
                except OSError:
                    pass
            r = local.execute("--name", "nospace", "--command", "echo hi")
            self.assertNotEqual(r.returncode, 0)
            last = r.stdout.splitlines()[-1]
            self.assertTrue(last.startswith("TASK_FAILED"), r.stdout)
            self.assertIn("REASON_CONTAINER_LAUNCH_FAILED", last)
            self.assertIn("No space left on device", last)
            self.assertIn(agent_dir, last)
            self.assertTrue(poll(lambda: "is full" in local.logs(), 10), local.logs())
            # Room again: the next task runs.
            os.unlink(os.path.join(agent_dir, "filler"))
            r = local.execute("--name", "room", "--command", "echo room")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        finally:
            if local:
                local.stop()
            subprocess.run(["umount", "-l", agent_dir])


if __name__ == "__main__":
    unittest.main(verbosity=2)
