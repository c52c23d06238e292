"""DOCKER tasks under `cairn local --containerizers=docker,mesos` on a real
Docker engine (started by the test if none runs; image built locally, never
pulled): output in the sandbox, the container named mesos-<ContainerID>,
exit statuses, limits as the engine sees them, a bridge port mapping that
answers, refused port mappings, an OOM kill, a missing image, a container
that cannot start (failed, and not left behind created), and kills
after the KillPolicy's grace period or else the agent's
--executor_shutdown_grace_period."""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import docker_engine
from cairn_local import Local
from v1_scheduler import Scheduler

CAIRN = sys.argv.pop(1)
DOCKER = ("--containerizer", "docker", "--docker-image", docker_engine.IMAGE)


def final_update(result):
    lines = [l for l in result.stdout.splitlines() if l.startswith("{")]
    assert lines, result.stdout + result.stderr
    return json.loads(lines[-1])


def wait_for(what, predicate, bound=60.0):
    deadline = time.time() + bound
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


class DockerTasks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cairn-docker-e2e-")
        cls.dockerd = docker_engine.start_engine(cls.dir)
        docker_engine.build_image()
        # A grace period of its own, to tell it from the KillPolicy's and
        # from the default.
        cls.local = Local(CAIRN, agents=1, extra=("--containerizers", "docker,mesos",
                                                  "--executor_shutdown_grace_period", "2secs"))
        cls.made = []

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()
        cls.local.proc.stdout.close()
        for name in cls.made:
            docker_engine.remove(name)
        if cls.dockerd is not None:
            cls.dockerd.terminate()
            cls.dockerd.wait(timeout=60)

    def execute(self, *args, local=None):
        return (local or self.local).execute("--json", *args)

    def container_of(self, task, local=None):
        """mesos-<ContainerID>, the ContainerID being the name of the task's run."""
        work_dir = (local or self.local).work_dir
        for dirpath, dirs, _files in os.walk(work_dir):
            if dirpath.endswith("/executors/%s/runs" % task):
                ids = [d for d in dirs if d != "latest"]
                if ids:
                    self.made.append("mesos-" + ids[0])
                    return "mesos-" + ids[0]
        raise AssertionError("no run of " + task)

    def test_echo_finishes_with_its_output_in_the_sandbox_and_mesos_env(self):
        r = self.execute("--name", "hello", "--command", "echo hello; env", *DOCKER)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FINISHED")
        self.assertEqual(last["message"], "Container exited with status 0")
        out = self.local.sandbox_file("hello") or ""
        self.assertIn("hello\n", out)
        self.assertIn("MESOS_SANDBOX=/mnt/mesos/sandbox\n", out)
        name = self.container_of("hello")
        self.assertIn("MESOS_CONTAINER_NAME=%s\n" % name, out)
        listed = docker_engine.docker("ps", "-a", "--format", "{{.Names}}").stdout.split()
        self.assertIn(name, listed)

    def test_exit_3_fails_naming_the_status(self):
        r = self.execute("--name", "three", "--command", "echo oops >&2; exit 3", *DOCKER)
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FAILED")
        self.assertEqual(last["message"], "Container exited with status 3")
        # It ran once: its container had ended before its executor came up.
        self.assertEqual((self.local.sandbox_file("three", "stderr") or "").count("oops"), 1)

    def test_limits_as_the_engine_sees_them(self):
        r = self.execute("--name", "limits", "--resources", "cpus:0.5;mem:16",
                         "--command", "true", *DOCKER)
        self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout)
        host = docker_engine.inspect(self.container_of("limits"))["HostConfig"]
        self.assertEqual(host["CpuShares"], 512)
        self.assertEqual(host["Memory"], 33554432)
        self.assertEqual(host["CpuQuota"], 0)
        self.assertEqual(host["NetworkMode"], "host")

    def test_cfs_quota_with_cgroups_enable_cfs(self):
        local = Local(CAIRN, agents=1, extra=("--containerizers", "docker,mesos",
                                              "--cgroups_enable_cfs"))
        try:
            r = self.execute("--name", "cfs", "--resources", "cpus:0.5;mem:16",
                             "--command", "true", *DOCKER, local=local)
            self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout)
            host = docker_engine.inspect(self.container_of("cfs", local))["HostConfig"]
            self.assertEqual(host["CpuQuota"], 50000)
            self.assertEqual(host["CpuPeriod"], 100000)
        finally:
            local.stop()
            local.proc.stdout.close()

    def test_a_bridge_port_mapping_answers_http(self):
        proc = subprocess.Popen(
            [CAIRN, "execute", "--master", self.local.address, "--json", "--name", "web",
             "--command", "mkdir -p /www; exec httpd -f -p 80 -h /www", "--network", "bridge",
             "--port-mapping", "31005:80", *DOCKER],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for line in proc.stdout:
                if json.loads(line)["state"] == "TASK_RUNNING":
                    break
            else:
                self.fail("web never ran: " + proc.stderr.read())
            def answer():
                try:
                    urllib.request.urlopen("http://127.0.0.1:31005/", timeout=2)
                    return 200
                except urllib.error.HTTPError as e:
                    return e.code  # busybox httpd answers 404 for an empty /www
                except OSError:
                    return None
            self.assertIn(wait_for("an HTTP answer on 31005", answer), (200, 404))
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
            docker_engine.docker("kill", self.container_of("web"), check=False)

    def test_a_host_port_outside_the_tasks_ports_fails_the_task(self):
        task = {"name": "badport", "task_id": {"value": "badport"}, "agent_id": {"value": "x"},
                "resources": [
                    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                    {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}},
                    {"name": "ports", "type": "RANGES",
                     "ranges": {"range": [{"begin": 31010, "end": 31010}]}}],
                "command": {"value": "true"},
                "container": {"type": "DOCKER", "docker": {
                    "image": docker_engine.IMAGE, "network": "BRIDGE",
                    "port_mappings": [{"host_port": 31011, "container_port": 80}]}}}
        r = self.execute("--task", json.dumps(task))
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FAILED")
        self.assertIn("Failed to create docker run options: Port [31011] not included in "
                      "resources", last["message"])

    def test_an_oom_kill_fails_with_the_memory_limitation(self):
        r = self.execute("--name", "oom", "--resources", "cpus:0.1;mem:64",
                         "--command", "head -c 300m /dev/zero | tail", *DOCKER)
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FAILED")
        self.assertEqual(last.get("reason"), "REASON_CONTAINER_LIMITATION_MEMORY", last)

    def test_a_missing_image_fails_the_launch_naming_it(self):
        started = time.time()
        r = self.execute("--name", "missing", "--command", "true", "--containerizer", "docker",
                         "--docker-image", "127.0.0.1:1/missing:1")
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FAILED")
        self.assertEqual(last.get("reason"), "REASON_CONTAINER_LAUNCH_FAILED")
        self.assertIn("Failed to launch container: ", last["message"])
        self.assertIn("127.0.0.1:1/missing:1", last["message"])
        self.assertLess(time.time() - started, 60)

    def test_a_container_that_cannot_start_fails_and_is_not_left_created(self):
        # The agent creates the container; the executor's start fails; a
        # container never started is removed once its executor ended.
        task = {"name": "unstartable", "task_id": {"value": "unstartable"},
                "agent_id": {"value": ""},
                "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                              {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}],
                "command": {"shell": False, "value": "/no/such/binary"},
                "container": {"type": "DOCKER", "docker": {"image": docker_engine.IMAGE}}}
        last = final_update(self.execute("--task", json.dumps(task)))
        self.assertEqual(last["state"], "TASK_FAILED")
        self.assertEqual(last.get("reason"), "REASON_CONTAINER_LAUNCH_FAILED", last)
        self.assertIn("Failed to launch container: ", last["message"])
        name = self.container_of("unstartable")
        wait_for(name + " removed", lambda: name not in docker_engine.docker(
            "ps", "-a", "--format", "{{.Names}}").stdout.split())

    def kill_sleeper(self, name, kill_policy):
        """Launches `sleep 600` as DOCKER, kills it; its last status."""
        info = {
            "name": name, "task_id": {"value": name},
            "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                          {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}],
            "command": {"value": "sleep 600"},
            "container": {"type": "DOCKER", "docker": {"image": docker_engine.IMAGE}}}
        if kill_policy:
            info["kill_policy"] = kill_policy
        s = Scheduler(self.local.address)
        try:
            agent_id = s.launch(info)
            s.wait_state(name, {"TASK_RUNNING"})
            container = self.container_of(name)
            self.assertTrue(docker_engine.inspect(container)["State"]["Running"])
            s.call({"type": "KILL", "kill": {"task_id": {"value": name}, "agent_id": agent_id}})
            status = s.wait_state(name, {"TASK_KILLED", "TASK_FAILED", "TASK_FINISHED"})
            self.assertFalse(docker_engine.inspect(container)["State"]["Running"])
            return status
        finally:
            s.close()

    def test_a_kill_stops_the_container_and_ends_task_killed(self):
        status = self.kill_sleeper("sleeper", {"grace_period": {"nanoseconds": 1000000000}})
        self.assertEqual(status["state"], "TASK_KILLED", status)
        # The KillPolicy's grace period, not the agent's.
        self.assertIn("task sleeper: SIGTERM, then SIGKILL after 1secs",
                      self.local.sandbox_file("sleeper", "stderr") or "")

    def test_without_a_kill_policy_the_agents_grace_period_applies(self):
        status = self.kill_sleeper("graceless", None)
        self.assertEqual(status["state"], "TASK_KILLED", status)
        self.assertIn("task graceless: SIGTERM, then SIGKILL after 2secs",
                      self.local.sandbox_file("graceless", "stderr") or "")

    def test_the_mesos_containerizer_still_runs_plain_tasks(self):
        r = self.execute("--name", "plain", "--command", "echo plain")
        self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout)
        self.assertIn("plain", self.local.sandbox_file("plain") or "")

    def test_a_docker_image_for_the_mesos_containerizer_needs_image_providers(self):
        r = self.execute("--name", "unified", "--command", "true",
                         "--docker-image", docker_engine.IMAGE)
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FAILED")
        self.assertIn("--image_providers=docker", last["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
