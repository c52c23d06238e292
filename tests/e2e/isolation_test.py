"""Containers under `cairn local` on the host's real cgroups v1, as root: an OOM kill
is reported as the memory limit, cpu and memory limits land in the cgroups, a
killed task's processes (a `setsid` double fork among them) die and its cgroups
go, a pid namespace shows only the container, pids.max holds, and --user runs
the task as that user."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from cairn_local import Local

CAIRN = sys.argv.pop(1)
HIERARCHY = "/sys/fs/cgroup"
SUBSYSTEMS = ("cpu", "cpuacct", "memory", "freezer", "pids")


def wait_for(what, predicate, bound=30.0):
    deadline = time.time() + bound
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def read(path):
    with open(path) as f:
        return f.read().strip()


def cgroup_dirs(root):
    """Every directory under <hierarchy>/<subsystem>/<root>, deepest first."""
    found = []
    for subsystem in SUBSYSTEMS:
        top = os.path.join(HIERARCHY, subsystem, root)
        if os.path.isdir(top):
            for dirpath, _dirs, _files in os.walk(top):
                found.append(dirpath)
    return sorted(found, key=len, reverse=True)


def remove_cgroups(root):
    """Kills whatever is left in the test's cgroups and removes them."""
    for _ in range(100):
        dirs = cgroup_dirs(root)
        if not dirs:
            return
        for d in dirs:
            try:
                if d.startswith(os.path.join(HIERARCHY, "freezer")):
                    with open(os.path.join(d, "freezer.state"), "w") as f:
                        f.write("THAWED")
                for pid in read(os.path.join(d, "cgroup.procs")).split():
                    os.kill(int(pid), signal.SIGKILL)
                os.rmdir(d)
            except OSError:
                pass
        time.sleep(0.05)


def processes_with(marker, besides=()):
    """Pids of processes whose command line or environment holds `marker`
    (but this one and `besides`)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (os.getpid(), *besides):
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmdline = f.read()
            with open("/proc/%s/environ" % entry, "rb") as f:
                environ = f.read()
        except OSError:
            continue
        if marker.encode() in cmdline or marker.encode() in environ:
            pids.append(int(entry))
    return pids


class Cluster:
    """`cairn local` with one agent whose containers live under a cgroup root
    of this test alone, removed again by stop()."""

    def __init__(self, case, *flags):
        self.root = "cairn-test-%d/%s" % (os.getpid(), case)
        self.local = Local(CAIRN, agents=1, extra=("--cgroups_root", self.root, *flags))
        self.running = []

    def execute(self, *args, bound=120):
        return self.local.execute(*args, bound=bound)

    def start(self, name, command, resources, *extra):
        """`cairn execute` in the background; returns it once the task runs."""
        proc = subprocess.Popen(
            [CAIRN, "execute", "--master", self.local.address, "--json", "--name", name,
             "--command", command, "--resources", resources, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.running.append(proc)
        for line in proc.stdout:
            if json.loads(line)["state"] == "TASK_RUNNING":
                return proc
        raise AssertionError("task %s never ran: %s" % (name, proc.stderr.read()))

    def container(self, task):
        """The container id of the task's executor (its run directory's name)."""
        def find():
            for dirpath, dirs, _files in os.walk(self.local.work_dir):
                if dirpath.endswith("/executors/%s/runs" % task):
                    ids = [d for d in dirs if d != "latest"]
                    if ids:
                        return ids[0]
            return None
        return wait_for("the sandbox of " + task, find)

    def cgroup(self, subsystem, container):
        return os.path.join(HIERARCHY, subsystem, self.root, container)

    def kill(self, task):
        """Tears down the framework that runs `task`: its tasks are killed."""
        framework = next(f["id"] for f in self.local.state()["frameworks"]
                         if any(t["name"] == task for t in f.get("tasks", [])))
        body = urllib.parse.urlencode({"frameworkId": framework}).encode()
        request = urllib.request.Request(
            self.local.url("/master/teardown"), data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 200, r.status

    def agent_url(self, path):
        agent = self.local.state()["slaves"][0]
        return "http://%s:%d%s" % (agent["hostname"], agent["port"], path)

    def stop(self):
        for proc in self.running:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        self.local.stop()
        self.local.proc.stdout.close()
        remove_cgroups("cairn-test-%d" % os.getpid())


def final_update(result):
    """The last status update `cairn execute --json` printed."""
    lines = [l for l in result.stdout.splitlines() if l.startswith("{")]
    assert lines, result.stdout + result.stderr
    return json.loads(lines[-1])


class Isolation(unittest.TestCase):
    def cluster(self, case, *flags):
        c = Cluster(case, *flags)
        self.addCleanup(c.stop)
        return c

    def test_an_oom_kill_fails_the_task_with_the_memory_limit_and_the_next_task_runs(self):
        c = self.cluster("oom", "--isolation=cgroups/cpu,cgroups/mem", "--launcher=linux")
        # Several times: the executor sees its task die before the
        # containerizer's poll sees the OOM, and must not win that race.
        for i in range(3):
            r = c.execute("--json", "--name", "oom%d" % i, "--resources", "cpus:0.5;mem:64",
                          "--command", '/usr/bin/python3 -c "b = bytearray(300 << 20)"')
            last = final_update(r)
            self.assertEqual(last["state"], "TASK_FAILED", r.stdout)
            self.assertEqual(last.get("reason"), "REASON_CONTAINER_LIMITATION_MEMORY", r.stdout)
            self.assertTrue(last.get("message", "").startswith("Memory limit exceeded"),
                            r.stdout)
        r = c.execute("--json", "--name", "after", "--resources", "cpus:0.5;mem:64",
                      "--command", "echo fine")
        self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout + r.stderr)
        self.assertEqual(r.returncode, 0)

    def test_cpu_shares_and_memory_limit_without_cfs(self):
        c = self.cluster("shares", "--isolation=cgroups/cpu,cgroups/mem", "--launcher=linux")
        c.start("small", "sleep 1000", "cpus:0.5;mem:16")
        container = c.container("small")
        self.assertEqual(read(c.cgroup("cpu", container) + "/cpu.shares"), "512")
        self.assertEqual(read(c.cgroup("cpu", container) + "/cpu.cfs_quota_us"), "-1")
        # Mesos' floor: never less than 32 MB.
        self.assertEqual(read(c.cgroup("memory", container) + "/memory.limit_in_bytes"),
                         str(32 << 20))

    def test_cfs_quota_holds_two_busy_loops_to_half_a_cpu(self):
        c = self.cluster("cfs", "--isolation=cgroups/cpu,cgroups/mem", "--launcher=linux",
                         "--cgroups_enable_cfs")
        c.start("busy", "while :; do :; done & while :; do :; done", "cpus:0.5;mem:16")
        container = c.container("busy")
        self.assertEqual(read(c.cgroup("cpu", container) + "/cpu.cfs_quota_us"), "50000")
        self.assertEqual(read(c.cgroup("cpu", container) + "/cpu.cfs_period_us"), "100000")
        self.assertEqual(read(c.cgroup("cpu", container) + "/cpu.shares"), "512")
        used = self.cpu_seconds_reader(c, container)
        time.sleep(0.5)  # let both loops start
        start_cpu, start = used(), time.monotonic()
        time.sleep(3.5)
        rate = (used() - start_cpu) / (time.monotonic() - start)
        print("busy loops under a 0.5 cpu quota: %.3f CPU-s/s" % rate)
        self.assertLessEqual(rate, 0.55)
        self.assertGreater(rate, 0.0)  # the loops ran at all

    def cpu_seconds_reader(self, c, container):
        """CPU seconds the container used: from the agent's /monitor/statistics
        when it serves them, else from the cgroup's cpuacct.usage."""
        def from_monitor():
            with urllib.request.urlopen(c.agent_url("/monitor/statistics"), timeout=10) as r:
                entries = json.loads(r.read().decode())
            stats = next(e["statistics"] for e in entries if e.get("executor_id") == "busy")
            return stats["cpus_user_time_secs"] + stats["cpus_system_time_secs"]

        def from_cgroup():
            return int(read(c.cgroup("cpuacct", container) + "/cpuacct.usage")) / 1e9
        try:
            from_monitor()
            print("CPU time from /monitor/statistics")
            return from_monitor
        except (OSError, ValueError, KeyError, StopIteration):
            print("CPU time from cpuacct.usage (no /monitor/statistics)")
            return from_cgroup

    def test_a_killed_tasks_processes_die_with_it_and_its_cgroups_go(self):
        c = self.cluster("kill", "--isolation=cgroups/cpu,cgroups/mem", "--launcher=linux")
        marker = "CAIRN_ISO_MARKER=%d" % os.getpid()
        # Children in the task's group, and a double fork into a session of its
        # own whose sleep no process group signal reaches.
        command = ("export %s; sleep 1000 & sleep 1001 & "
                   "setsid sh -c 'sleep 1002 & sleep 1003 & exit 0'; sleep 1004" % marker)
        execute = c.start("doomed", command, "cpus:0.5;mem:64")
        container = c.container("doomed")
        left = lambda: processes_with(marker, besides=(execute.pid,))
        pids = wait_for("the task's five sleeps", lambda: len(left()) >= 5 and left())
        sessions = {os.getsid(p) for p in pids}
        self.assertGreaterEqual(len(sessions), 2, "the double fork left the task's session")
        self.assertTrue(all(os.path.isdir(c.cgroup(s, container))
                            for s in ("cpu", "memory", "freezer")))
        c.kill("doomed")
        wait_for("no process of the container", lambda: not left())
        wait_for("the container's cgroups to go", lambda: not any(
            os.path.exists(c.cgroup(s, container)) for s in ("cpu", "cpuacct", "memory",
                                                            "freezer")))

    def test_a_pid_namespace_shows_only_the_container(self):
        c = self.cluster("pidns", "--isolation=filesystem/linux,namespaces/pid",
                         "--launcher=linux")
        r = c.execute("--json", "--name", "ps", "--command", "ps ax -o pid=,args=")
        self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout + r.stderr)
        listed = [l.split(None, 1) for l in
                  (c.local.sandbox_file("ps", "stdout") or "").strip().splitlines()]
        by_pid = {int(p[0]): p[1] if len(p) > 1 else "" for p in listed}
        self.assertIn(1, by_pid, listed)
        self.assertIn("executor", by_pid[1])  # the container's first process
        # The executor, the shell and ps: nothing of the agent's machine.
        self.assertLessEqual(len(by_pid), 4, listed)
        self.assertTrue(all(p < 100 for p in by_pid), listed)
        self.assertFalse(any("cairn local" in a for a in by_pid.values()), listed)

    def test_pids_max_bounds_a_task_starting_200_sleeps(self):
        c = self.cluster("pids", "--isolation=cgroups/pids", "--launcher=linux",
                         "--cgroups_pids_max=50")
        proc = c.start("forker", "for i in $(seq 200); do sleep 30 & done; wait",
                       "cpus:0.5;mem:64")
        container = c.container("forker")
        d = c.cgroup("pids", container)
        self.assertEqual(read(d + "/pids.max"), "50")
        most, deadline = 0, time.monotonic() + 4
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                current = int(read(d + "/pids.current"))
                procs = len(read(d + "/cgroup.procs").split())
            except OSError:
                break
            most = max(most, current, procs)
            time.sleep(0.02)
        print("most processes and threads seen: %d" % most)
        self.assertLessEqual(most, 50)
        # It did press against the limit: forks were refused (sampling the
        # count may miss its peak on a loaded machine).
        self.assertGreater(int(read(d + "/pids.events").split()[1]), 0)

    def test_user_nobody_runs_the_task_as_nobody(self):
        # The executor runs as the task's user: a build under a home only
        # root may enter (/root is 0700 on a fresh machine) is out of
        # nobody's reach, so it runs a copy of the executor nobody can
        # execute, from the --launcher_dir a packaged install would give.
        bindir = tempfile.mkdtemp(prefix="cairn-bin-")
        self.addCleanup(shutil.rmtree, bindir, True)
        os.chmod(bindir, 0o755)
        executor = os.path.join(bindir, "cairn-executor")
        shutil.copy2(os.path.join(os.path.dirname(CAIRN), "cairn-executor"), executor)
        os.chmod(executor, 0o755)
        c = self.cluster("user", "--isolation=cgroups/cpu,cgroups/mem", "--launcher=linux",
                         "--launcher_dir", bindir)
        # The sandbox lies under the work dir, which nobody must be able to reach.
        os.chmod(c.local.work_dir, 0o755)
        r = c.execute("--json", "--name", "whoami", "--user", "nobody", "--command", "id -u")
        self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout + r.stderr)
        self.assertEqual((c.local.sandbox_file("whoami", "stdout") or "").strip(), "65534")


if __name__ == "__main__":
    if os.geteuid() != 0 or not os.path.isdir(os.path.join(HIERARCHY, "memory")):
        print("needs root and cgroups v1 at %s" % HIERARCHY)
        sys.exit(77)
    unittest.main(verbosity=2)
