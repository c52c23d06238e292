"""An agent restarted after SIGKILL takes back the tasks of checkpointing
frameworks: five `cairn execute --checkpoint` sleeps keep their processes and
stay TASK_RUNNING under the same agent id; an executor SIGKILLed while the
agent was down ends REASON_EXECUTOR_TERMINATED, a SIGSTOPped one
REASON_EXECUTOR_REREGISTRATION_TIMEOUT; a torn checkpoint file is reported,
naming it, and the agent runs on. A short checkpointed task finishes across
a restart with every update delivered; a task of a framework that does not
checkpoint is lost when its agent goes (REASON_AGENT_DISCONNECTED, Mesos'
REASON_SLAVE_DISCONNECTED) and leaves no process behind."""
import os
import signal
import sys
import unittest

from agent_restarts import AgentRestartCase, container_pids
from processes import Framework, get

CAIRN = sys.argv.pop(1)
TASKS = ["sleeper%d" % i for i in range(5)]


class AgentRecovery(AgentRestartCase):
    cairn = CAIRN
    prefix = "cairn-recovery-"

    def test_checkpointed_tasks_survive_agent_restarts(self):
        agent_id = self.wait_for(self.agent_id, 60, "the agent to register")
        runs = {}
        # One after another: the master's registry has been seen to stall
        # on several framework subscriptions at once (not what this tests).
        for name in TASKS:
            runs[name] = self.start(name, [
                CAIRN, "execute", "--master", self.master, "--name", name,
                "--command", "exec sleep 600", "--resources", "cpus:0.1;mem:32",
                "--checkpoint", "--json"], cls=Framework)
            runs[name].wait(lambda s: any(e.get("state") == "TASK_RUNNING" for e in s), 60,
                            name + " running")
        self.wait_for(lambda: all(os.path.exists(self.run_dir(t) + "/pids/forked.pid")
                                  for t in TASKS), 30, "every forked pid checkpointed")
        pids = container_pids(self.agent_work)
        self.assertEqual(len(pids), 2 * len(TASKS), "an executor and a sleep per task")

        # SIGKILL and restart: same agent, same processes, every executor back.
        self.restart_agent()
        self.wait_for(lambda: self.agent_log().count("subscribed again") == len(TASKS), 60,
                      "every executor to subscribe again")
        self.assertEqual(self.wait_for(self.agent_id, 60, "the agent to re-register"), agent_id)
        self.assertIn("re-registered as " + agent_id, self.agent_log())
        self.assertEqual(container_pids(self.agent_work), pids)
        state = self.state()
        running = {t["name"] for f in state["frameworks"] for t in f["tasks"]
                   if t["state"] == "TASK_RUNNING" and t["slave_id"] == agent_id}
        self.assertEqual(running, set(TASKS))

        # While the agent is down one executor is killed, one stopped, and a
        # task's update stream loses its last bytes as a crash would leave it.
        self.agent.kill(signal.SIGKILL)
        killed, stopped, torn = TASKS[0], TASKS[1], TASKS[2]
        os.kill(self.executor_pid(killed), signal.SIGKILL)
        os.kill(self.executor_pid(stopped), signal.SIGSTOP)
        updates = "%s/tasks/%s/task.updates" % (self.run_dir(torn), torn)
        os.truncate(updates, os.path.getsize(updates) - 3)
        self.agent = self.start("agent", self.agent_args)

        ended = runs[killed].wait(
            lambda s: any(e.get("state") == "TASK_FAILED" for e in s), 60, killed + " failed")
        failed = [e for e in ended if e.get("state") == "TASK_FAILED"][0]
        self.assertEqual(failed.get("reason"), "REASON_EXECUTOR_TERMINATED", failed)
        lost = runs[stopped].wait(
            lambda s: any(e.get("state") == "TASK_LOST" for e in s), 60, stopped + " lost")
        lost = [e for e in lost if e.get("state") == "TASK_LOST"][0]
        self.assertEqual(lost.get("reason"), "REASON_EXECUTOR_REREGISTRATION_TIMEOUT", lost)
        log = self.agent_log()
        self.assertIn("checkpoint %s: truncated task.updates" % updates, log)
        self.assertEqual(get(self.agent_http, "/health")[0], 200)
        self.assertEqual(self.wait_for(self.agent_id, 60, "the agent to re-register"), agent_id)
        # The torn stream's task and the others run on.
        state = self.state()
        running = {t["name"] for f in state["frameworks"] for t in f["tasks"]
                   if t["state"] == "TASK_RUNNING"}
        self.assertEqual(running, set(TASKS[2:]))
        for name in TASKS[2:]:
            self.assertIsNone(runs[name].proc.poll(), name + "'s framework ended")
            os.kill(self.executor_pid(name), 0)

    def task_pids(self, name):
        """The processes in the sandbox of executor `name`."""
        return {pid for pid in container_pids(self.agent_work)
                if "/executors/%s/" % name in os.readlink("/proc/%d/cwd" % pid) + "/"}

    def test_a_checkpointed_task_finishes_across_a_restart_and_others_are_lost(self):
        self.wait_for(self.agent_id, 60, "the agent to register")
        short = self.start("short", [
            CAIRN, "execute", "--master", self.master, "--name", "short",
            "--command", "exec sleep 8", "--resources", "cpus:0.1;mem:32",
            "--checkpoint", "--json"], cls=Framework)
        short.wait(lambda s: any(e.get("state") == "TASK_RUNNING" for e in s), 60,
                   "short running")
        plain = self.start("plain", [
            CAIRN, "execute", "--master", self.master, "--name", "plain",
            "--command", "exec sleep 600", "--resources", "cpus:0.1;mem:32", "--json"],
            cls=Framework)
        plain.wait(lambda s: any(e.get("state") == "TASK_RUNNING" for e in s), 60,
                   "plain running")
        self.wait_for(lambda: os.path.exists(self.run_dir("short") + "/pids/forked.pid"), 30,
                      "short's forked pid checkpointed")
        self.assertTrue(self.wait_for(lambda: self.task_pids("plain"), 30, "plain's processes"))

        self.restart_agent()
        lost = plain.wait(lambda s: any(e.get("state") == "TASK_LOST" for e in s), 60,
                          "plain lost")
        lost = [e for e in lost if e.get("state") == "TASK_LOST"][0]
        self.assertEqual(lost.get("reason"), "REASON_AGENT_DISCONNECTED", lost)
        self.wait_for(lambda: not self.task_pids("plain"), 30, "plain's processes to end")
        events = short.wait(lambda s: any(e.get("state") == "TASK_FINISHED" for e in s), 60,
                            "short finished")
        states = [e.get("state") for e in events if e.get("state")]
        self.assertEqual(states.count("TASK_FINISHED"), 1, states)
        self.assertNotIn("TASK_LOST", states)
        self.assertNotIn("TASK_FAILED", states)
        self.assertEqual(short.proc.wait(timeout=30), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
