"""A master and one agent as separate processes, for end-to-end tests that
SIGKILL the agent and start it again on the same work dir: the test case
base class that starts them, restarts the agent, reads the master's state,
the agent's log and checkpoints, and afterwards kills what the agent left
running and removes its cgroups. Standard library only."""
import glob
import json
import os
import shutil
import signal
import tempfile
import time
import unittest

from processes import Process, free_base, get, tail_logs

# Long enough for every executor to subscribe again on a loaded machine.
REREGISTRATION = "8secs"


def container_pids(work):
    """Every process whose working directory is a sandbox under `work`."""
    out = set()
    for cwd in glob.glob("/proc/[0-9]*/cwd"):
        try:
            if os.readlink(cwd).startswith(work + "/"):
                out.add(int(cwd.split("/")[2]))
        except OSError:
            pass
    return out


def remove_cgroups(root):
    """The containers' cgroups under `root` in every hierarchy, with what is
    left in them: an agent SIGKILLed while destroying a container leaves it
    frozen, and a frozen process dies only once thawed."""
    tops = glob.glob("/sys/fs/cgroup/*/" + root)
    for top in tops:
        for d in glob.glob(top + "/*/"):
            try:
                if os.path.exists(d + "freezer.state"):
                    with open(d + "freezer.state", "w") as f:
                        f.write("THAWED")
                with open(d + "cgroup.procs") as f:
                    for pid in f.read().split():
                        os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
    deadline = time.time() + 10
    while tops and time.time() < deadline:
        for top in list(tops):
            try:
                for d in glob.glob(top + "/*/"):
                    os.rmdir(d)
                os.rmdir(top)
                tops.remove(top)
            except OSError:
                pass
        time.sleep(0.1)


class AgentRestartCase(unittest.TestCase):
    """setUp starts a master and an agent (self.agent_args, plus what
    agent_extra() returns); restart_agent() SIGKILLs the agent and starts
    it again, with other flags if given."""

    cairn = None  # the cairn binary, set by each test module
    prefix = "cairn-restart-"

    def agent_extra(self):
        return []

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=self.prefix)
        self.procs = []
        base = free_base(2)
        self.master = "127.0.0.1:%d" % base
        self.agent_http = "127.0.0.1:%d" % (base + 1)
        self.agent_work = self.dir + "/agent"
        self.cgroups_root = "%s%d" % (self.prefix, os.getpid())
        self.agent_args = [
            self.cairn, "agent", "--master", self.master, "--ip", "127.0.0.1",
            "--http-port", str(base + 1), "--work-dir", self.agent_work,
            "--resources", "cpus:2;mem:1024;disk:100",
            "--executor_reregistration_timeout", REREGISTRATION,
            # Its own cgroups: recovery removes what no checkpoint names, and
            # other agents on this machine use the default root.
            "--cgroups_root", self.cgroups_root, *self.agent_extra()]
        self.start("master", [self.cairn, "master", "--ip", "127.0.0.1",
                              "--http-port", str(base), "--work-dir", self.dir + "/master"])
        self.agent = self.start("agent", self.agent_args)

    def tearDown(self):
        for p in self.procs:
            p.kill()
        # What the agent left running (it was SIGKILLed) goes too.
        for pid in container_pids(self.agent_work):
            try:
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        remove_cgroups(self.cgroups_root)
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, name, args, cls=Process):
        p = cls(args, os.path.join(self.dir, "%s-%d.log" % (name, len(self.procs))))
        self.procs.append(p)
        return p

    def fail_with_logs(self, message):
        self.fail(message + "\n" + tail_logs(self.procs))

    def state(self):
        code, body = get(self.master, "/master/state")
        return json.loads(body) if code == 200 else None

    def wait_for(self, predicate, bound, what):
        deadline = time.time() + bound
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        self.fail_with_logs("timed out waiting for " + what)

    def agent_id(self):
        state = self.state()
        active = [s for s in (state or {}).get("slaves", []) if s.get("active")]
        return active[0]["id"] if len(active) == 1 else None

    def agent_log(self):
        with open(self.agent.log.name) as f:
            return f.read()

    def restart_agent(self, extra=()):
        self.agent.kill(signal.SIGKILL)
        self.agent = self.start("agent", self.agent_args + list(extra))

    def run_dir(self, task):
        found = glob.glob("%s/meta/slaves/*/frameworks/*/executors/%s/runs/*/tasks/%s" %
                          (self.agent_work, task, task))
        self.assertEqual(len(found), 1, "the checkpoint of task %s: %s" % (task, found))
        return os.path.dirname(os.path.dirname(found[0]))

    def executor_pid(self, task):
        with open(self.run_dir(task) + "/pids/forked.pid") as f:
            return int(f.read())
