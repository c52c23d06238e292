"""Deployments, placement and groups of the services framework: a rolling
restart of 4 instances with HTTP checks and minimumHealthCapacity 0.5 keeps
2 answering at every look and ends with 4 new ones, a PUT meanwhile is 409;
a deployment failing its checks is rolled back (200) or cancelled (202);
1 -> 50 -> 0 instances; UNIQUE hostname over 3 agents runs 3; IS on an
attribute; a group whose `app` depends on `db` starts `app` only once `db`
is healthy, and groups are created, changed and deleted as Marathon's."""
import os
import sys
import time
import unittest
import urllib.request

from cairn_local import Local
from marathon_calls import MarathonCalls, healthy_tasks
from processes import Process, free_base, get, tail_logs

CAIRN = sys.argv.pop(1)

# A web server in the task's sandbox, on its first port, serving "ok".
SERVE = "echo ok > index.html && exec busybox httpd -f -p $PORT0 -h ."


def http_check(**extra):
    check = {"protocol": "HTTP", "path": "/index.html", "portIndex": 0,
             "intervalSeconds": 2, "timeoutSeconds": 1, "gracePeriodSeconds": 30,
             "maxConsecutiveFailures": 3}
    check.update(extra)
    return check


def answers(task):
    """Whether the task's web server answers "ok" (probed by the test itself)."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/index.html" % task["ports"][0],
                                    timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except OSError:
        return False


class Rolling(MarathonCalls, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Each agent its own share of 31000-32000: the web servers bind their ports.
        cls.local = Local(CAIRN, agents=2, services=True,
                          extra=["--resources", "cpus:4;mem:4096;disk:4096"])

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def web(self, version_env):
        return {"id": "web", "instances": 4, "cpus": 0.1, "mem": 32, "cmd": SERVE,
                "env": {"V": version_env}, "healthChecks": [http_check()],
                "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0}}

    def all_healthy(self, n):
        return self.wait_for(lambda: (lambda a: a if len(healthy_tasks(a)) == n
                                      and len(a["tasks"]) == n and not a["deployments"]
                                      else None)(self.app("/web")), bound=120)

    def test_1_rolling_with_http_checks(self):
        self.ok("POST", "/v2/apps", self.web("1"), want=201)
        a = self.all_healthy(4)
        old = {t["id"] for t in a["tasks"]}
        self.assertTrue(all(answers(t) for t in a["tasks"]))
        answer = self.ok("PUT", "/v2/apps/web", {"env": {"V": "2"}})
        # Held by its deployment: a change without force is refused.
        status, locked, _ = self.call("PUT", "/v2/apps/web", {"env": {"V": "3"}})
        self.assertEqual(status, 409, locked)
        self.assertTrue(locked["message"].startswith(
            "App is locked by one or more deployments. Override with the option "
            "'?force=true'."), locked)
        self.assertEqual([d["id"] for d in locked["deployments"]], [answer["deploymentId"]])
        least_answering, least_healthy = 4, 4
        deadline = time.time() + 180
        while time.time() < deadline:
            a = self.app("/web")
            least_healthy = min(least_healthy, len(healthy_tasks(a)))
            least_answering = min(least_answering, sum(answers(t) for t in a["tasks"]))
            new = [t for t in healthy_tasks(a) if t["id"] not in old]
            if len(new) == 4 and len(a["tasks"]) == 4 and not a["deployments"]:
                break
            time.sleep(0.1)
        else:
            self.fail("the rolling restart did not end:\n" + self.local.logs())
        self.assertGreaterEqual(least_healthy, 2)
        self.assertGreaterEqual(least_answering, 2)
        self.assertFalse(old & {t["id"] for t in a["tasks"]})
        self.assertEqual(a["env"], {"V": "2"})
        self.assertEqual(a["version"], answer["version"])

    def failing(self):
        """A change whose new instances never pass their checks: its
        deployment holds the app."""
        answer = self.ok("PUT", "/v2/apps/web", {"cmd": "sleep 1000", "env": {"V": "bad"}})
        mine = self.wait_for(lambda: self.deployments_of("/web"))
        self.assertEqual([d["id"] for d in mine], [answer["deploymentId"]])
        # New instances launched (and never healthy) before the test acts.
        self.wait_for(lambda: any(t["version"] == answer["version"]
                                  for t in self.app("/web")["tasks"]))
        return answer

    def test_2_failing_deployment_rolled_back(self):
        before = self.all_healthy(4)
        answer = self.failing()
        rolled = self.ok("DELETE", "/v2/deployments/" + answer["deploymentId"])
        self.assertIn("deploymentId", rolled)
        self.assertNotEqual(rolled["deploymentId"], answer["deploymentId"])
        a = self.app("/web")
        self.assertEqual((a["cmd"], a["env"]), (SERVE, before["env"]))
        a = self.all_healthy(4)
        self.assertTrue(all(answers(t) for t in a["tasks"]))
        self.assertEqual((a["cmd"], a["env"]), (SERVE, before["env"]))

    def test_3_failing_deployment_forced_and_cancelled(self):
        self.all_healthy(4)
        first = self.failing()
        # With force, a change takes over from the deployment holding the app.
        forced = self.ok("PUT", "/v2/apps/web?force=true",
                         {"cmd": "sleep 1001", "env": {"V": "worse"}})
        self.assertNotEqual(forced["deploymentId"], first["deploymentId"])
        mine = self.deployments_of("/web")
        self.assertEqual([d["id"] for d in mine], [forced["deploymentId"]])
        tasks = {t["id"] for t in self.app("/web")["tasks"]}
        status, body, _ = self.call("DELETE", "/v2/deployments/%s?force=true"
                                    % forced["deploymentId"])
        self.assertEqual(status, 202, body)
        # Cancelled, not rolled back: the app keeps its new definition and
        # no deployment runs.
        self.assertEqual(self.deployments_of("/web"), [])
        a = self.app("/web")
        self.assertEqual((a["cmd"], a["env"]), ("sleep 1001", {"V": "worse"}))
        self.assertEqual(a["version"], forced["version"])
        self.assertLessEqual({t["id"] for t in a["tasks"] if t["version"] != forced["version"]},
                             tasks)
        status, body, _ = self.call("DELETE", "/v2/deployments/" + forced["deploymentId"])
        self.assertEqual(status, 404, body)
        self.ok("DELETE", "/v2/apps/web?force=true")
        self.wait_for(lambda: self.call("GET", "/v2/apps/web")[0] == 404)


class Placement(MarathonCalls, unittest.TestCase):
    """`cairn local` with one agent (its host name is its IP, rack a) and two
    `cairn agent` processes named host-b (rack b) and host-c (rack c)."""

    @classmethod
    def setUpClass(cls):
        resources = "cpus:4;mem:4096;disk:4096;ports:[%d-%d]"
        cls.local = Local(CAIRN, agents=1, services=True,
                          extra=["--resources", resources % (31000, 31099),
                                 "--attributes", "rack:a"])
        cls.agents = []
        base = free_base(2)
        try:
            for k, name in enumerate(("b", "c")):
                work = os.path.join(cls.local.work_dir, "agent-" + name)
                cls.agents.append(Process(
                    [CAIRN, "agent", "--master", cls.local.address, "--ip", "127.0.0.1",
                     "--port", str(base + k), "--work-dir", work, "--hostname", "host-" + name,
                     "--attributes", "rack:" + name,
                     "--resources", resources % (31100 + 100 * k, 31199 + 100 * k)],
                    work + ".log"))
            deadline = time.time() + 60
            while len(cls.local.state()["slaves"]) < 3:
                if time.time() > deadline:
                    raise RuntimeError("the agents did not join:\n" + tail_logs(cls.agents))
                time.sleep(0.2)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for a in cls.agents:
            a.kill()
        cls.local.stop()

    def hosts(self, app):
        return sorted(t["host"] for t in app["tasks"] if t["state"] == "TASK_RUNNING")

    def test_1_scale_1_50_0(self):
        self.ok("POST", "/v2/apps", {"id": "many", "cpus": 0.01, "mem": 8, "portDefinitions": [],
                                     "cmd": "sleep 1000"}, want=201)
        first = self.settled("/many", 1)["tasks"][0]["id"]
        self.ok("PUT", "/v2/apps/many", {"instances": 50})
        a = self.settled("/many", 50, bound=240)
        # Scaling adds instances; it replaces none.
        self.assertIn(first, {t["id"] for t in a["tasks"]})
        self.assertEqual(len({t["id"] for t in a["tasks"]}), 50)
        self.assertEqual(len(self.ok("GET", "/v2/tasks?status=running")["tasks"]), 50)
        self.ok("PUT", "/v2/apps/many", {"instances": 0})
        self.settled("/many", 0, bound=240)
        self.ok("DELETE", "/v2/apps/many")

    def test_2_unique_hostname(self):
        self.ok("POST", "/v2/apps", {"id": "uniq", "instances": 4, "cpus": 0.1, "mem": 16,
                                     "cmd": "sleep 1000",
                                     "constraints": [["hostname", "UNIQUE"]]}, want=201)
        # Three run, one on each host; the fourth waits with its reason.
        def waiting():
            for e in self.ok("GET", "/v2/queue?embed=lastUnusedOffers")["queue"]:
                if e["app"]["id"] == "/uniq" and e.get("lastUnusedOffers"):
                    return e
            return None
        self.wait_for(lambda: len(self.hosts(self.app("/uniq"))) == 3)
        entry = self.wait_for(waiting)
        self.assertEqual(entry["count"], 1)
        reasons = {r for o in entry["lastUnusedOffers"] for r in o["reason"]}
        self.assertIn("UnfulfilledConstraint", reasons)
        a = self.app("/uniq")
        self.assertEqual(len(a["tasks"]), 3)
        self.assertEqual(self.hosts(a), sorted(["127.0.0.1", "host-b", "host-c"]))
        self.ok("DELETE", "/v2/apps/uniq?force=true")

    def test_3_is_attribute(self):
        self.ok("POST", "/v2/apps", {"id": "onb", "instances": 3, "cpus": 0.1, "mem": 16,
                                     "cmd": "sleep 1000",
                                     "constraints": [["rack", "IS", "b"]]}, want=201)
        a = self.settled("/onb", 3)
        self.assertEqual(self.hosts(a), ["host-b"] * 3)
        self.ok("DELETE", "/v2/apps/onb")

    def test_4_group_dependencies(self):
        # db takes a few seconds to serve; its check says when.
        db = {"id": "db", "cpus": 0.1, "mem": 32, "cmd": "sleep 3 && " + SERVE,
              "healthChecks": [http_check()]}
        app = {"id": "app", "cpus": 0.1, "mem": 16, "cmd": "sleep 1000",
               "dependencies": ["db"]}
        status, answer, headers = self.call("POST", "/v2/groups",
                                            {"id": "shop", "apps": [app, db]})
        self.assertEqual(status, 201, answer)
        self.assertEqual(headers["Location"], "/v2/groups/shop")
        self.assertIn("deploymentId", answer)
        self.assertIn("version", answer)
        deadline = time.time() + 120
        while time.time() < deadline:
            a, d = self.app("/shop/app"), self.app("/shop/db")
            # At every look: app has no task unless db has a healthy one.
            if a["tasks"]:
                self.assertTrue(healthy_tasks(d), (a["tasks"], d["tasks"]))
            if a["tasksRunning"] == 1 and not a["deployments"]:
                break
            time.sleep(0.1)
        else:
            self.fail("/shop/app never ran:\n" + self.local.logs())
        first_healthy = healthy_tasks(d)[0]["healthCheckResults"][0]["firstSuccess"]
        self.assertGreaterEqual(a["tasks"][0]["stagedAt"], first_healthy)
        group = self.ok("GET", "/v2/groups/shop")
        self.assertEqual(group["id"], "/shop")
        self.assertEqual(sorted(x["id"] for x in group["apps"]), ["/shop/app", "/shop/db"])
        # Created once; PUT changes it, DELETE removes it with its apps.
        status, body, _ = self.call("POST", "/v2/groups", {"id": "/shop", "apps": [db]})
        self.assertEqual(status, 409, body)
        self.assertIn("already", body["message"])
        changed = self.ok("PUT", "/v2/groups/shop", {"apps": [db]})
        self.assertIn("deploymentId", changed)
        self.wait_for(lambda: self.call("GET", "/v2/apps/shop/app")[0] == 404)
        self.assertEqual(self.app("/shop/db")["instances"], 1)
        removed = self.ok("DELETE", "/v2/groups/shop?force=true")
        self.assertIn("deploymentId", removed)
        self.wait_for(lambda: self.call("GET", "/v2/apps/shop/db")[0] == 404)
        status, body, _ = self.call("GET", "/v2/groups/shop")
        self.assertEqual(status, 404, body)
        status, body, _ = self.call("DELETE", "/v2/groups/shop")
        self.assertEqual(status, 404, body)

    def test_5_group_refusals(self):
        cases = [
            ({"id": "/p", "pods": [{"id": "pod"}]}, "/pods"),
            ({"id": "/s", "apps": [{"id": "x", "cmd": "sleep 1"}], "scaleBy": 2}, "/scaleBy"),
            ({"id": "/d", "apps": [{"id": "x", "cmd": "sleep 1"}], "dependencies": ["/e"]},
             "/dependencies"),
            ({"id": "/empty"}, "/apps"),
            ({"id": "/bad", "apps": [{"id": "x", "cmd": "sleep 1", "cpus": -1}]},
             "/apps(0)/cpus"),
            ({"id": "/cyc", "apps": [{"id": "a", "cmd": "x", "dependencies": ["b"]},
                                     {"id": "b", "cmd": "x", "dependencies": ["a"]}]}, None),
        ]
        for body, path in cases:
            status, answer, _ = self.call("POST", "/v2/groups", body)
            self.assertEqual(status, 422, (body, answer))
            if path:
                self.assertIn(path, [d["path"] for d in answer["details"]], answer)
            else:
                self.assertIn("cycle", answer["message"])
            self.assertEqual(self.call("GET", "/v2/groups" + body["id"])[0], 404)
        status, answer, _ = self.call("PUT", "/v2/groups/s", {"scaleBy": 2})
        self.assertEqual(status, 422, answer)
        status, answer, _ = self.call("POST", "/v2/groups", raw=b"{nope")
        self.assertEqual(status, 400, answer)


if __name__ == "__main__":
    unittest.main(verbosity=2)
