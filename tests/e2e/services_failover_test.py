"""The services framework rides out the leading master's death mid-deployment:
three `cairn master` processes, one agent and a standalone `cairn services`;
a rolling restart of 4 instances (COMMAND checks that pass about 2 s after a
start, minimumHealthCapacity 0.5) is under way when the leader gets SIGKILL.
Once another master leads, both apps are still there, the deployment
finishes with 4 healthy instances of the new version, the 2 instances of an
app no deployment touched are the same tasks as before, and no task was
reported lost or failed on /v2/events."""
import http.client
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

from marathon_calls import MarathonCalls, healthy_tasks
from processes import kill_processes_under, kill_processes_with, Process, free_base, get, tail_logs

CAIRN = sys.argv.pop(1)
BAD_STATES = {"TASK_LOST", "TASK_FAILED", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE",
              "TASK_UNREACHABLE", "TASK_UNKNOWN", "TASK_GONE_BY_OPERATOR"}


class Cluster:
    """What MarathonCalls asks of its `local`: the services API's address and logs."""

    def __init__(self, procs):
        self.procs = procs
        self.services_address = None

    def logs(self):
        return tail_logs(self.procs)


class EventLog:
    """Every event /v2/events streams, collected by a thread; it connects
    again when the stream breaks (the services process restarted)."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.events = []
        self.attached = threading.Event()
        self.stopped = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self.stopped:
            try:
                host, port = self.cluster.services_address.split(":")
                conn = http.client.HTTPConnection(host, int(port), timeout=600)
                conn.request("GET", "/v2/events", headers={"Accept": "text/event-stream"})
                r = conn.getresponse()
                kind = None
                while not self.stopped:
                    line = r.fp.readline().decode()
                    if not line:
                        break
                    line = line.rstrip("\n")
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind:
                        self.events.append((kind, json.loads(line[6:])))
                        if kind == "event_stream_attached":
                            self.attached.set()
                conn.close()
            except (OSError, ValueError, AttributeError, http.client.HTTPException):
                pass
            time.sleep(0.2)

    def bad_updates(self):
        return [d for k, d in self.events
                if k == "status_update_event" and d.get("taskStatus") in BAD_STATES]


class ServicesFailover(MarathonCalls, unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-svcha-")
        self.procs = []
        self.local = Cluster(self.procs)
        base = free_base(3)
        # In every task's command line, to find what a failed run leaves behind.
        self.marker = "cairn-svcha-%d-%d" % (os.getpid(), base)
        self.addresses = ["127.0.0.1:%d" % (base + i) for i in range(3)]
        self.masters = {}
        for i, address in enumerate(self.addresses):
            self.masters[i] = self.start([
                CAIRN, "master", "--ip", "127.0.0.1", "--http-port", address.split(":")[1],
                "--masters", ",".join(self.addresses), "--quorum", "2",
                "--work-dir", "%s/master-%d" % (self.dir, i),
                "--allocation-interval", "100ms", "--framework-heartbeat-interval", "1secs"],
                "master-%d" % i)
        self.start([CAIRN, "agent", "--master", ",".join(self.addresses), "--ip", "127.0.0.1",
                    "--http-port", "0", "--work-dir", "%s/agent" % self.dir,
                    "--resources", "cpus:4;mem:2048;disk:1000"], "agent")
        self.leader()
        self.start_services()
        self.events = EventLog(self.local)
        self.assertTrue(self.events.attached.wait(30), "no /v2/events stream")

    def tearDown(self):
        self.events.stopped = True
        for p in self.procs:
            p.kill()
        # The tasks, and the executors of this checkpointing framework,
        # outlive the agent's SIGKILL; never leak them.
        kill_processes_with(self.marker)
        kill_processes_under(self.dir)
        if not os.environ.get("CAIRN_E2E_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, args, name):
        p = Process(args, os.path.join(self.dir, "%s-%d.log" % (name, len(self.procs))))
        self.procs.append(p)
        return p

    def start_services(self):
        self.services = self.start([CAIRN, "services", "--master", ",".join(self.addresses),
                                    "--ip", "127.0.0.1", "--http-port", "0"], "services")
        line = self.services.lines.get(timeout=60)
        match = re.search(r"listening on http://([\d.]+:\d+)", line)
        self.assertTrue(match, "services did not start: %r\n%s" % (line, self.local.logs()))
        self.local.services_address = match.group(1)
        self.wait_for(lambda: self.call("GET", "/v2/apps")[0] == 200)

    def leader(self, not_in=()):
        """The master every live one names as leader, once it has the agent."""
        def lead():
            for i, address in enumerate(self.addresses):
                if self.masters[i].proc.poll() is not None:
                    continue
                status, body = get(address, "/cairn/endpoint")
                said = json.loads(body)["leader"] if status == 200 else None
                if not said or said in not_in:
                    continue
                status, body = get(said, "/master/state")
                if status == 200 and json.loads(body)["slaves"]:
                    return said
            return None
        return self.wait_for(lead)

    def app_def(self, app_id, instances):
        # Healthy about 2 s after it starts: a roll takes a while.
        return {"id": app_id, "instances": instances, "cpus": 0.1, "mem": 32,
                "cmd": "sleep 2; touch $MESOS_SANDBOX/ready; while sleep 1; do :; done; : "
                       + self.marker,
                "healthChecks": [{"protocol": "COMMAND",
                                  "command": {"value": "test -f $MESOS_SANDBOX/ready"},
                                  "delaySeconds": 0, "intervalSeconds": 2,
                                  "timeoutSeconds": 1, "gracePeriodSeconds": 30,
                                  "maxConsecutiveFailures": 3}],
                "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0}}

    def all_healthy(self, app_id, n, bound=120):
        def check():
            a = self.app(app_id)
            return a if len(healthy_tasks(a)) == n and len(a["tasks"]) == n \
                and not a["deployments"] else None
        return self.wait_for(check, bound)

    def test_leader_killed_mid_rolling_restart(self):
        self.ok("POST", "/v2/apps", self.app_def("roll", 4), want=201)
        self.ok("POST", "/v2/apps", self.app_def("still", 2), want=201)
        old_roll = {t["id"] for t in self.all_healthy("/roll", 4)["tasks"]}
        still = sorted(t["id"] for t in self.all_healthy("/still", 2)["tasks"])
        leader = self.leader()
        answer = self.ok("POST", "/v2/apps/roll/restart")
        # Mid-roll: some old instances gone or going, the deployment not done.
        self.wait_for(lambda: any(t["id"] not in old_roll for t in self.app("/roll")["tasks"]))
        self.assertTrue(self.deployments_of("/roll"), "the roll ended before the kill")
        self.masters[self.addresses.index(leader)].kill(signal.SIGKILL)
        self.assertNotEqual(self.leader(not_in=(leader,)), leader)

        a = self.all_healthy("/roll", 4, bound=180)
        self.assertEqual(self.ok("GET", "/v2/deployments"), [])
        self.assertEqual(a["version"], answer["version"])
        self.assertEqual({t["version"] for t in a["tasks"]}, {answer["version"]}, a["tasks"])
        self.assertFalse(old_roll & {t["id"] for t in a["tasks"]}, a["tasks"])
        self.assertEqual(sorted(t["id"] for t in self.all_healthy("/still", 2)["tasks"]), still,
                         self.local.logs())
        self.assertEqual(sorted(x["id"] for x in self.ok("GET", "/v2/apps")["apps"]),
                         ["/roll", "/still"])
        self.assertEqual(self.events.bad_updates(), [], self.local.logs())
        for app_id in ("/roll", "/still"):
            self.assertNotIn("lastTaskFailure", self.app(app_id))


if __name__ == "__main__":
    unittest.main(verbosity=2)
