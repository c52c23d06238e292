"""The services framework in `cairn local`: Marathon's tutorial app (a plain
command instead of Docker) is created with Marathon's defaults and runs;
its environment is Marathon's; a killed instance is replaced; it scales
1 -> 5 -> 0; an app too big for any agent waits in /v2/queue with its
offers' reasons; failures back off until DELETE /v2/queue/{id}/delay; a
deployment that cannot finish holds its app (409) until forced or rolled
back; a rolling restart of 4 with minimumHealthCapacity 0.5 keeps 2 healthy
at every look and ends with 4 new ones; /v2/events streams the task's and
the deployment's events; /v2/groups, /v2/info, /v2/leader, 404, 409, 400
and 422 answer as Marathon's; a restarted `cairn services` adopts its
running task."""
import json
import re
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

from cairn_local import Local
from marathon_calls import MarathonCalls, healthy_tasks

CAIRN = sys.argv.pop(1)
TICK = "while sleep 10; do date -u +%T; done"


class Services(MarathonCalls, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=2, services=True,
                          extra=["--resources", "cpus:4;mem:4096;disk:4096;ports:[31000-31200]"])

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def test_1_tutorial_app(self):
        status, app, headers = self.call("POST", "/v2/apps", {
            "id": "cent", "instances": 1, "cpus": 0.5, "mem": 512, "uris": [], "cmd": TICK})
        self.assertEqual(status, 201, app)
        self.assertEqual(headers["Location"], "/v2/apps/cent")
        self.assertEqual(app["id"], "/cent")
        self.assertEqual(app["instances"], 1)
        self.assertEqual(app["backoffSeconds"], 1)
        self.assertEqual(app["backoffFactor"], 1.15)
        self.assertEqual(app["maxLaunchDelaySeconds"], 300)
        self.assertEqual(app["killSelection"], "YOUNGEST_FIRST")
        self.assertEqual(app["upgradeStrategy"],
                         {"minimumHealthCapacity": 1, "maximumOverCapacity": 1})
        self.assertEqual(len(app["portDefinitions"]), 1)
        self.assertGreaterEqual(app["portDefinitions"][0]["port"], 10000)
        self.assertIn("version", app)
        self.assertEqual(app["tasksRunning"], 0)
        self.assertEqual(len(app["deployments"]), 1)
        # Marathon keeps a leading slash in the path: //cent is /cent.
        # The update that runs the task ends the deployment: no answer
        # shows the task running and the app still held (a scale then
        # would be refused with 409).
        deadline = time.time() + 90
        a = self.app("//cent")
        while a["tasksRunning"] == 0 and time.time() < deadline:
            a = self.app("//cent")  # looked at often, so that a late end would be seen
        self.assertEqual(a["tasksRunning"], 1, a)
        self.assertEqual(a["deployments"], [], a)
        self.assertEqual(a["id"], "/cent")
        task = a["tasks"][0]
        self.assertEqual(task["appId"], "/cent")
        self.assertEqual(len(task["ports"]), 1)
        # A duplicate id is a conflict.
        status, answer, _ = self.call("POST", "/v2/apps", {"id": "/cent", "cmd": "true"})
        self.assertEqual(status, 409, answer)

    def test_2_environment(self):
        self.ok("POST", "/v2/apps", {"id": "/team/env", "cpus": 0.1, "mem": 16,
                                     "cmd": 'echo "ENV $MARATHON_APP_ID $PORT0 $PORTS $HOST '
                                            '$MARATHON_APP_VERSION"; sleep 1000'}, want=201)
        a = self.settled("/team/env", 1)
        task = a["tasks"][0]
        self.assertTrue(task["id"].startswith("team_env."), task["id"])
        line = self.wait_for(lambda: next(
            (l for l in (self.local.sandbox_file(task["id"]) or "").splitlines()
             if l.startswith("ENV ")), None))
        self.assertEqual(line.split(), ["ENV", "/team/env", str(task["ports"][0]),
                                        str(task["ports"][0]), task["host"], a["version"]])
        self.ok("DELETE", "/v2/apps/team/env")
        self.wait_for(lambda: self.call("GET", "/v2/apps/team/env")[0] == 404)

    def test_3_killed_instance_is_replaced(self):
        before = self.app("/cent")["tasks"][0]["id"]
        answer = self.ok("POST", "/v2/tasks/delete", {"ids": [before]})
        self.assertEqual([t["id"] for t in answer["tasks"]], [before])
        a = self.wait_for(lambda: (lambda a: a if a["tasksRunning"] == 1 and len(a["tasks"]) == 1
                                   and a["tasks"][0]["id"] != before else None)(self.app("/cent")))
        self.assertNotEqual(a["tasks"][0]["id"], before)
        listed = self.ok("GET", "/v2/tasks")["tasks"]
        self.assertIn(a["tasks"][0]["id"], [t["id"] for t in listed])

    def test_4_scale(self):
        answer = self.ok("PUT", "/v2/apps/cent", {"instances": 5})
        self.assertIn("deploymentId", answer)
        self.assertIn("version", answer)
        a = self.settled("/cent", 5)
        self.assertEqual(a["instances"], 5)
        self.assertEqual(a["cmd"], TICK)  # a PUT changes only what it names
        self.ok("PUT", "/v2/apps/cent", {"instances": 0})
        self.settled("/cent", 0)
        self.assertEqual(self.ok("GET", "/v2/tasks")["tasks"], [])

    def test_5_too_big_waits_in_queue(self):
        self.ok("POST", "/v2/apps", {"id": "huge", "cpus": 100, "mem": 16, "cmd": "sleep 100"},
                want=201)
        def reasons():
            for entry in self.ok("GET", "/v2/queue?embed=lastUnusedOffers")["queue"]:
                if entry["app"]["id"] == "/huge" and entry.get("lastUnusedOffers"):
                    return entry
            return None
        entry = self.wait_for(reasons)
        self.assertEqual(entry["count"], 1)
        self.assertIn("InsufficientCpus", entry["lastUnusedOffers"][0]["reason"])
        self.assertIn("overdue", entry["delay"])
        plain = self.ok("GET", "/v2/queue")["queue"]
        self.assertNotIn("lastUnusedOffers", [k for e in plain for k in e])
        # Waiting for resources that never come holds the app's deployment.
        status, answer, _ = self.call("PUT", "/v2/apps/huge", {"cpus": 99})
        self.assertEqual(status, 409, answer)
        self.assertIn("deployments", answer)
        answer = self.ok("PUT", "/v2/apps/huge?force=true", {"cpus": 99})
        self.assertIn("deploymentId", answer)
        deployments = self.ok("GET", "/v2/deployments")
        mine = [d for d in deployments if "/huge" in d["affectedApps"]]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["currentStep"], 1)
        # A rollback (200) puts cpus 100 back; a forced cancel answers 202.
        rolled = self.ok("DELETE", "/v2/deployments/" + mine[0]["id"])
        self.assertIn("deploymentId", rolled)
        self.wait_for(lambda: self.app("/huge")["cpus"] == 100)
        again = [d for d in self.ok("GET", "/v2/deployments") if "/huge" in d["affectedApps"]]
        self.assertEqual(len(again), 1)
        status, _, _ = self.call("DELETE", "/v2/deployments/%s?force=true" % again[0]["id"])
        self.assertEqual(status, 202)
        self.ok("DELETE", "/v2/apps/huge")

    def test_6_backoff(self):
        self.ok("POST", "/v2/apps", {"id": "failing", "cpus": 0.1, "mem": 16, "cmd": "exit 1",
                                     "backoffSeconds": 600}, want=201)
        def delayed():
            for entry in self.ok("GET", "/v2/queue")["queue"]:
                if entry["app"]["id"] == "/failing" and entry["delay"]["timeLeftSeconds"] > 0:
                    return entry
            return None
        entry = self.wait_for(delayed)
        self.assertFalse(entry["delay"]["overdue"])
        status, _, _ = self.call("DELETE", "/v2/queue/failing/delay")
        self.assertEqual(status, 204)
        self.ok("DELETE", "/v2/apps/failing?force=true")

    def test_7_rolling_restart(self):
        check = {"protocol": "COMMAND", "command": {"value": "true"}, "delaySeconds": 0,
                 "intervalSeconds": 2, "timeoutSeconds": 1, "gracePeriodSeconds": 10}
        self.ok("POST", "/v2/apps", {
            "id": "roll", "instances": 4, "cpus": 0.1, "mem": 16, "cmd": "sleep 1000",
            "healthChecks": [check],
            "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0}},
            want=201)
        a = self.wait_for(lambda: (lambda a: a if len(healthy_tasks(a)) == 4
                                   and not a["deployments"] else None)(self.app("/roll")))
        old = {t["id"] for t in a["tasks"]}
        answer = self.ok("POST", "/v2/apps/roll/restart")
        self.assertIn("deploymentId", answer)
        least = 4
        deadline = time.time() + 120
        while time.time() < deadline:
            a = self.app("/roll")
            least = min(least, len(healthy_tasks(a)))
            new = [t for t in healthy_tasks(a) if t["id"] not in old]
            if len(new) == 4 and len(a["tasks"]) == 4 and not a["deployments"]:
                break
            time.sleep(0.2)
        else:
            self.fail("the rolling restart did not end:\n" + self.local.logs())
        self.assertGreaterEqual(least, 2)
        self.assertFalse(old & {t["id"] for t in a["tasks"]})

    def test_9_events(self):
        import http.client
        host, port = self.local.services_address.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request("GET", "/v2/events?event_type=event_stream_attached"
                            "&event_type=status_update_event&event_type=deployment_success",
                     headers={"Accept": "text/event-stream"})
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/event-stream"))

        def next_event():
            kind, data = None, None
            while True:
                line = r.fp.readline().decode()
                self.assertTrue(line, "the stream ended")
                line = line.rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif line == "" and kind:
                    return kind, data

        self.assertEqual(next_event()[0], "event_stream_attached")
        self.ok("POST", "/v2/apps", {"id": "evented", "cpus": 0.1, "mem": 16,
                                     "cmd": "sleep 1000"}, want=201)
        seen = {}
        while "deployment_success" not in seen or "TASK_RUNNING" not in seen:
            kind, data = next_event()
            self.assertIn(kind, ("status_update_event", "deployment_success"))
            if kind == "status_update_event" and data["appId"] == "/evented":
                seen[data["taskStatus"]] = data
            elif kind == "deployment_success" and "/evented" in data["plan"]["affectedApps"]:
                seen[kind] = data
        self.assertEqual(seen["TASK_RUNNING"]["eventType"], "status_update_event")
        conn.close()
        self.ok("DELETE", "/v2/apps/evented")

    def test_8_info_leader_and_errors(self):
        info = self.ok("GET", "/v2/info")
        for key in ("name", "version", "elected", "leader", "frameworkId"):
            self.assertIn(key, info)
        for key in ("marathon_config", "http_config", "zookeeper_config", "event_subscriber"):
            self.assertIsInstance(info[key], dict, key)
        self.assertEqual(info["leader"], self.local.services_address)
        self.assertTrue(info["elected"])
        self.assertEqual(self.ok("GET", "/v2/leader"), {"leader": self.local.services_address})
        self.assertEqual(self.ok("GET", "/ping"), "pong\n")
        status, answer, _ = self.call("GET", "/v2/apps/nope")
        self.assertEqual((status, answer), (404, {"message": "App '/nope' does not exist"}))
        status, answer, _ = self.call("POST", "/v2/apps", raw=b"{not json")
        self.assertEqual(status, 400, answer)
        status, answer, _ = self.call("POST", "/v2/apps", {"id": "bad", "cmd": "x", "cpus": -1})
        self.assertEqual(status, 422, answer)
        self.assertEqual(answer["message"], "Object is not valid")
        root = self.ok("GET", "/v2/groups")
        self.assertEqual(root["id"], "/")
        self.assertIn("/cent", [a["id"] for a in root["apps"]])
        status, answer, _ = self.call("GET", "/v2/groups/nowhere")
        self.assertEqual(status, 404, answer)
        # Groups exist through their apps: an empty one is refused, naming it.
        status, answer, _ = self.call("POST", "/v2/groups", {"id": "/g"})
        self.assertEqual(status, 422, answer)
        self.assertIn("not implemented", answer["details"][0]["errors"][0])
        apps = self.ok("GET", "/v2/apps?embed=apps.tasks")["apps"]
        self.assertIn("/cent", [a["id"] for a in apps])
        self.assertTrue(all("tasks" in a for a in apps))




class Failover(unittest.TestCase):
    """`cairn services` in a process of its own, stopped and started again:
    its apps come back from the key-value store and its running task is
    adopted (same id, never restarted)."""

    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1)

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def start(self):
        proc = subprocess.Popen([CAIRN, "services", "--master", self.local.address,
                                 "--http_port", "0"], stdout=subprocess.PIPE,
                                stderr=self.local.log, text=True)
        line = proc.stdout.readline()
        match = re.search(r"listening on http://([\d.]+:\d+)", line)
        if not match:
            proc.kill()
            self.fail("cairn services did not start: %r\n%s" % (line, self.local.logs()))
        return proc, match.group(1)

    def get(self, address, path):
        try:
            with urllib.request.urlopen("http://%s%s" % (address, path), timeout=10) as r:
                return r.status, json.loads(r.read().decode())
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def running(self, address):
        deadline = time.time() + 90
        while time.time() < deadline:
            status, answer = self.get(address, "/v2/apps/keep")
            if status == 200 and answer["app"]["tasksRunning"] == 1:
                return answer["app"]["tasks"][0]
            time.sleep(0.3)
        self.fail("/keep never ran:\n" + self.local.logs())

    def test_restart_adopts_running_task(self):
        proc, address = self.start()
        try:
            # 503 while it reads its state back.
            def post():
                req = urllib.request.Request(
                    "http://%s/v2/apps" % address, method="POST",
                    data=json.dumps({"id": "keep", "cpus": 0.1, "mem": 16,
                                     "cmd": "sleep 1000"}).encode(),
                    headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=10) as r:
                        return r.status
                except urllib.error.HTTPError as e:
                    return None if e.code == 503 else e.code
            deadline = time.time() + 60
            status = None
            while status is None and time.time() < deadline:
                status = post()
                time.sleep(0.2)
            self.assertEqual(status, 201)
            before = self.running(address)
            framework = self.get(address, "/v2/info")[1]["frameworkId"]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            proc.stdout.close()
        proc, address = self.start()
        try:
            # Subscribed again as the same framework, its task reconciled.
            def subscribed():
                status, info = self.get(address, "/v2/info")
                frameworks = [f for f in self.local.state()["frameworks"]
                              if f["id"] == framework and f.get("active")]
                return status == 200 and info.get("frameworkId") == framework and frameworks
            deadline = time.time() + 60
            while not subscribed():
                self.assertLess(time.time(), deadline, self.local.logs())
                time.sleep(0.3)
            time.sleep(1)  # the reconciliation's answers, had any task been lost
            after = self.running(address)
            self.assertEqual(after["id"], before["id"])
            self.assertEqual(after["startedAt"], before["startedAt"])
            tasks = [t for f in self.local.state()["frameworks"] for t in f["tasks"]
                     if t["state"] == "TASK_RUNNING"]
            self.assertEqual([t["id"] for t in tasks], [before["id"]])
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            proc.stdout.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
