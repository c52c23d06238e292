"""The docker containerizer across agent restarts, on a real Docker engine
(started by the test if none runs; image built locally, never pulled): a
checkpointed DOCKER `sleep 15` keeps its container (same id) while its agent
is SIGKILLed and restarted and ends TASK_FINISHED once; a hand-made
`mesos-orphan` is removed at the restart and `other` left alone; under
--no-docker_kill_orphans the orphan stays, while the exited container of a
task that ended before the restart, its framework still on the agent, is
removed after --docker_remove_delay."""
import os
import sys
import tempfile
import unittest

import docker_engine
from agent_restarts import AgentRestartCase
from processes import Framework
from v1_scheduler import Scheduler

CAIRN = sys.argv.pop(1)
DOCKER = ("--containerizer", "docker", "--docker-image", docker_engine.IMAGE)
# Made by hand, as an operator or another program would.
ORPHAN, OTHER = "mesos-orphan", "other"


TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR"}


def task(name, command, docker=False):
    info = {"name": name, "task_id": {"value": name}, "command": {"value": command},
            "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                          {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}]}
    if docker:
        info["container"] = {"type": "DOCKER", "docker": {"image": docker_engine.IMAGE}}
    return info


def states(events):
    return [e.get("state") for e in events if e.get("state")]


class DockerRecovery(AgentRestartCase):
    cairn = CAIRN
    prefix = "cairn-dockrec-"

    @classmethod
    def setUpClass(cls):
        cls.engine_logs = tempfile.mkdtemp(prefix="cairn-dockrec-engine-")
        cls.dockerd = docker_engine.start_engine(cls.engine_logs)
        docker_engine.build_image()

    @classmethod
    def tearDownClass(cls):
        if cls.dockerd is not None:
            cls.dockerd.terminate()
            cls.dockerd.wait(timeout=60)

    def agent_extra(self):
        return ["--containerizers", "docker,mesos"]

    def setUp(self):
        self.made = [ORPHAN, OTHER]
        for name in (ORPHAN, OTHER):  # left by an earlier run that was killed
            docker_engine.remove(name)
        super().setUp()

    def tearDown(self):
        super().tearDown()
        for name in self.made:
            docker_engine.remove(name)

    def launch(self, name, command):
        run = self.start(name, [
            CAIRN, "execute", "--master", self.master, "--name", name, "--command", command,
            "--resources", "cpus:0.1;mem:32", "--checkpoint", "--json", *DOCKER],
            cls=Framework)
        run.wait(lambda s: "TASK_RUNNING" in states(s), 60, name + " running")
        container = "mesos-" + os.path.basename(self.run_dir(name))
        self.made.append(container)
        self.wait_for(lambda: os.path.exists(self.run_dir(name) + "/pids/forked.pid"), 30,
                      name + "'s forked pid checkpointed")
        return run, container

    def make_by_hand(self, *names):
        for name in names:
            docker_engine.docker("run", "-d", "--name", name, docker_engine.IMAGE, "sleep", "600")

    def test_the_container_runs_on_across_a_restart_and_only_orphans_go(self):
        agent_id = self.wait_for(self.agent_id, 60, "the agent to register")
        run, container = self.launch("nap", "sleep 15")
        before = docker_engine.inspect(container)
        self.assertTrue(before["State"]["Running"], before["State"])

        self.agent.kill()
        self.make_by_hand(ORPHAN, OTHER)
        self.assertTrue(docker_engine.inspect(container)["State"]["Running"])
        self.restart_agent()

        self.wait_for(lambda: docker_engine.inspect(ORPHAN) is None, 60,
                      ORPHAN + " to be removed")
        self.assertIn("removing orphan container " + ORPHAN, self.agent_log())
        self.assertTrue(docker_engine.inspect(OTHER)["State"]["Running"])
        self.assertNotIn(OTHER, self.agent_log())
        self.assertEqual(self.wait_for(self.agent_id, 60, "the agent to re-register"), agent_id)

        events = run.wait(lambda s: "TASK_FINISHED" in states(s), 60, "nap finished")
        self.assertEqual(states(events).count("TASK_FINISHED"), 1, events)
        finished = [e for e in events if e.get("state") == "TASK_FINISHED"][0]
        self.assertEqual(finished.get("message"), "Container exited with status 0", finished)
        self.assertEqual(run.proc.wait(timeout=30), 0)
        # The same container, started once, ran its sleep to the end.
        after = docker_engine.inspect(container)
        self.assertIsNotNone(after, "removed before --docker_remove_delay (6hrs)")
        self.assertEqual(after["Id"], before["Id"])
        self.assertEqual(after["State"]["StartedAt"], before["State"]["StartedAt"])
        self.assertEqual(after["RestartCount"], 0)
        self.assertEqual(after["State"]["ExitCode"], 0)

    def test_no_docker_kill_orphans_keeps_them_and_exited_containers_still_go(self):
        self.wait_for(self.agent_id, 60, "the agent to register")
        s = Scheduler(self.master, checkpoint=True)
        try:
            self.ended_container_goes_after_the_delay(s)
        finally:
            s.close()  # the framework goes with its connection

    def ended_container_goes_after_the_delay(self, s):
        # A task that runs on keeps its framework (and so the ended run's
        # checkpoint) on the agent.
        s.launch(task("keeper", "sleep 600"))
        s.wait_state("keeper", {"TASK_RUNNING"})
        s.launch(task("brief", "echo brief", docker=True))
        status = s.wait_state("brief", TERMINAL)
        self.assertEqual(status["state"], "TASK_FINISHED", status)
        container = "mesos-" + os.path.basename(self.run_dir("brief"))
        self.made.append(container)
        # Its run ended before the restart: the removal the agent had set
        # up (6hrs away) dies with it.
        self.wait_for(lambda: os.path.exists(self.run_dir("brief") + "/executor.sentinel"), 30,
                      "brief's run checkpointed as ended")
        self.assertIsNotNone(docker_engine.inspect(container))

        self.agent.kill()
        self.make_by_hand(ORPHAN, OTHER)
        self.restart_agent(["--no-docker_kill_orphans", "--docker_remove_delay", "2secs"])

        self.wait_for(lambda: "keeping orphan container " + ORPHAN in self.agent_log(), 60,
                      "the orphan to be found and kept")
        self.wait_for(lambda: docker_engine.inspect(container) is None, 60,
                      container + " to be removed after --docker_remove_delay")
        self.assertTrue(docker_engine.inspect(ORPHAN)["State"]["Running"])
        self.assertTrue(docker_engine.inspect(OTHER)["State"]["Running"])

if __name__ == "__main__":
    unittest.main(verbosity=2)
