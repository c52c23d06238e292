"""The master's operator calls and endpoints against `cairn local`: TEARDOWN
and /master/teardown, MARK_AGENT_GONE, GET_ROLES and /master/roles,
/master/state-summary, /master/state's Mesos fields (cluster, flags,
attributes, reserved resources, labels, statuses once each, completed
frameworks bounded by --max_completed_frameworks), and calls cairn does not
serve yet answered 501 by name."""
import http.client
import json
import socket
import sys
import threading
import time
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)


def post(address, path, body, content_type="application/json"):
    host, _, port = address.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    data = body if isinstance(body, str) else json.dumps(body)
    conn.request("POST", path, data, {"Content-Type": content_type,
                                      "Accept": "application/json"})
    r = conn.getresponse()
    out = (r.status, r.read().decode(errors="replace"))
    conn.close()
    return out


def wait_for(predicate, bound=60):
    deadline = time.time() + bound
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met within %ss" % bound)


class Framework:
    """A v1 HTTP scheduler that subscribes, keeps its stream and records events."""

    def __init__(self, address, role="*", name="operator-test"):
        self.address = address
        host, _, port = address.partition(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)
        self.conn.request("POST", "/api/v1/scheduler", json.dumps({
            "type": "SUBSCRIBE", "subscribe": {"framework_info": {
                "user": "root", "name": name, "roles": [role],
                "capabilities": [{"type": "MULTI_ROLE"}]}}}),
            {"Content-Type": "application/json", "Accept": "application/json"})
        self.response = self.conn.getresponse()
        self.stream_id = self.response.getheader("Mesos-Stream-Id")
        self.events = []
        self.lock = threading.Lock()
        first = self.read_record()
        assert first and first["type"] == "SUBSCRIBED", first
        self.id = first["subscribed"]["framework_id"]["value"]
        threading.Thread(target=self.pump, daemon=True).start()

    def read_record(self):
        length = b""
        while not length.endswith(b"\n"):
            byte = self.response.read(1)
            if not byte:
                return None
            length += byte
        return json.loads(self.response.read(int(length)))

    def pump(self):
        try:
            while True:
                record = self.read_record()
                if record is None:
                    return
                with self.lock:
                    self.events.append(record)
                status = record.get("update", {}).get("status", {})
                if "uuid" in status:
                    # The agent sends a task's next update once this one is acknowledged.
                    self.call({"type": "ACKNOWLEDGE", "acknowledge": {
                        "agent_id": status["agent_id"], "task_id": status["task_id"],
                        "uuid": status["uuid"]}})
        except (OSError, ValueError):
            return

    def of_type(self, kind):
        with self.lock:
            return [e for e in self.events if e["type"] == kind]

    def call(self, body):
        body["framework_id"] = {"value": self.id}
        host, _, port = self.address.partition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                     {"Content-Type": "application/json", "Mesos-Stream-Id": self.stream_id})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status

    def launch(self, task_id, command, extra=None):
        offers = wait_for(lambda: self.of_type("OFFERS"))
        offer = offers[-1]["offers"]["offers"][0]
        role = offer["allocation_info"]["role"]
        task = {"name": task_id, "task_id": {"value": task_id},
                "agent_id": offer["agent_id"],
                "resources": [
                    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1},
                     "allocation_info": {"role": role}},
                    {"name": "mem", "type": "SCALAR", "scalar": {"value": 16},
                     "allocation_info": {"role": role}}],
                "command": {"value": command, "shell": True}}
        task.update(extra or {})
        status = self.call({"type": "ACCEPT", "accept": {
            "offer_ids": [offer["id"]],
            "operations": [{"type": "LAUNCH", "launch": {"task_infos": [task]}}]}})
        assert status == 202, status
        # The other offers go back, so that later frameworks are offered them.
        others = [o["id"] for e in offers for o in e["offers"]["offers"] if o is not offer]
        if others:
            self.call({"type": "DECLINE", "decline": {"offer_ids": others,
                                                      "filters": {"refuse_seconds": 3600}}})
        return offer["agent_id"]["value"]

    def states(self):
        return [e["update"]["status"]["state"] for e in self.of_type("UPDATE")]

    def running(self):
        states = self.states()
        assert not any(s in ("TASK_ERROR", "TASK_FAILED") for s in states), self.of_type("UPDATE")
        return "TASK_RUNNING" in states

    def close(self):
        # The pump thread may be blocked reading: end the socket under it first.
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


class MasterOperator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=2, extra=(
            "--cluster", "test-cluster", "--weights", "web=2.5",
            "--attributes", "rack:r1;zone:3", "--max_completed_frameworks", "1"))
        cls.address = cls.local.address

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def operator(self, body):
        return post(self.address, "/api/v1", body)

    def test_calls_not_served_yet_are_refused_by_name(self):
        for kind in ("RESERVE_RESOURCES", "GET_QUOTA", "DRAIN_AGENT", "GET_MAINTENANCE_STATUS",
                     "LAUNCH_NESTED_CONTAINER", "PRUNE_IMAGES"):
            status, body = self.operator({"type": kind})
            self.assertEqual(status, 501, kind + ": " + body)
            self.assertIn("Call type %s is not supported yet" % kind, body)

    def test_teardown_removes_the_framework_and_kills_its_tasks(self):
        fw = Framework(self.address, role="teardown")
        fw.launch("teardown-task", "sleep 60")
        wait_for(fw.running)
        status, body = self.operator({"type": "TEARDOWN"})
        self.assertEqual(status, 400, body)
        status, body = self.operator({"type": "TEARDOWN",
                                      "teardown": {"framework_id": {"value": "no-such"}}})
        self.assertEqual(status, 400, body)
        self.assertIn(fw.id, [f["id"] for f in self.local.state()["frameworks"]])
        status, body = self.operator({"type": "TEARDOWN",
                                      "teardown": {"framework_id": {"value": fw.id}}})
        self.assertEqual((status, body), (200, ""))
        # The framework hears why, and its stream ends, as in Mesos.
        error = wait_for(lambda: fw.of_type("ERROR"))
        self.assertEqual(error[0]["error"]["message"], "Framework %s has been removed" % fw.id)
        state = self.local.state()
        self.assertNotIn(fw.id, [f["id"] for f in state["frameworks"]])
        done = [f for f in state["completed_frameworks"] if f["id"] == fw.id]
        self.assertEqual(len(done), 1)
        self.assertEqual([t["state"] for t in done[0]["completed_tasks"]], ["TASK_KILLED"])
        fw.close()

    def test_master_teardown_endpoint_takes_a_form_body(self):
        fw = Framework(self.address, role="form")
        form = "application/x-www-form-urlencoded"
        status, body = post(self.address, "/master/teardown", "", form)
        self.assertEqual(status, 400)
        self.assertIn("frameworkId", body)
        status, body = post(self.address, "/master/teardown", "frameworkId=no-such", form)
        self.assertEqual(status, 400, body)
        self.assertIn(fw.id, [f["id"] for f in self.local.state()["frameworks"]])
        status, body = post(self.address, "/master/teardown", "frameworkId=" + fw.id, form)
        self.assertEqual(status, 200, body)
        self.assertNotIn(fw.id, [f["id"] for f in self.local.state()["frameworks"]])
        # --max_completed_frameworks 1: only the latest is kept.
        self.assertEqual([f["id"] for f in self.local.state()["completed_frameworks"]], [fw.id])
        fw.close()

    def test_roles_list_weights_frameworks_and_resources(self):
        fw = Framework(self.address, role="dev")
        fw.launch("roles-task", "sleep 60")
        wait_for(lambda: fw.of_type("UPDATE"))
        status, body = self.operator({"type": "GET_ROLES"})
        self.assertEqual(status, 200, body)
        roles = {r["name"]: r for r in json.loads(body)["get_roles"]["roles"]}
        self.assertEqual(roles["web"]["weight"], 2.5)
        self.assertEqual(roles["dev"]["weight"], 1.0)
        self.assertEqual(roles["dev"]["frameworks"], [{"value": fw.id}])
        cpus = [r for r in roles["dev"]["resources"] if r["name"] == "cpus"]
        self.assertAlmostEqual(cpus[0]["scalar"]["value"], 0.1)
        status, body = self.local.get("/master/roles")
        roles = {r["name"]: r for r in json.loads(body)["roles"]}
        self.assertEqual(roles["web"]["weight"], 2.5)
        self.assertEqual(roles["dev"]["frameworks"], [fw.id])
        self.assertAlmostEqual(roles["dev"]["allocated"]["cpus"], 0.1)
        self.assertAlmostEqual(roles["dev"]["resources"]["mem"], 16)
        self.assertEqual(roles["dev"]["quota"]["role"], "dev")
        post(self.address, "/master/teardown", "frameworkId=" + fw.id,
             "application/x-www-form-urlencoded")
        fw.close()

    def test_state_summary_lists_agents_and_frameworks(self):
        fw = Framework(self.address, role="summary", name="summary-fw")
        agent = fw.launch("summary-task", "sleep 60")
        wait_for(lambda: fw.of_type("UPDATE"))
        status, body = self.local.get("/master/state-summary")
        self.assertEqual(status, 200)
        summary = json.loads(body)
        self.assertEqual(summary["cluster"], "test-cluster")
        self.assertEqual(len(summary["slaves"]), 2)
        slave = [s for s in summary["slaves"] if s["id"] == agent][0]
        self.assertIn(fw.id, slave["framework_ids"])
        self.assertGreater(slave["resources"]["cpus"], 0)
        mine = [f for f in summary["frameworks"] if f["id"] == fw.id][0]
        self.assertEqual(mine["name"], "summary-fw")
        self.assertEqual(mine["slave_ids"], [agent])
        self.assertEqual(sum(mine.get(s, 0) for s in ("TASK_STAGING", "TASK_STARTING",
                                                      "TASK_RUNNING")), 1)
        self.assertNotIn("tasks", mine)
        post(self.address, "/master/teardown", "frameworkId=" + fw.id,
             "application/x-www-form-urlencoded")
        fw.close()

    def test_state_has_mesos_fields(self):
        fw = Framework(self.address, role="state")
        fw.launch("labelled", "sleep 60", {
            "labels": {"labels": [{"key": "owner", "value": "ops"}]},
            "discovery": {"visibility": "FRAMEWORK", "name": "labelled-svc"}})
        wait_for(fw.running)
        state = self.local.state()
        self.assertEqual(state["cluster"], "test-cluster")
        self.assertEqual(state["flags"]["cluster"], "test-cluster")
        self.assertEqual(state["flags"]["max_completed_frameworks"], "1")
        self.assertEqual(state["flags"]["max_completed_tasks_per_framework"], "1000")
        self.assertTrue(state["leader"].startswith("master@"))
        for slave in state["slaves"]:
            self.assertEqual(slave["attributes"], {"rack": "r1", "zone": "3"})
            self.assertIn("reserved_resources", slave)
        task = [t for f in state["frameworks"] if f["id"] == fw.id for t in f["tasks"]][0]
        self.assertEqual(task["labels"], [{"key": "owner", "value": "ops"}])
        self.assertEqual(task["discovery"]["name"], "labelled-svc")
        states = [s["state"] for s in task["statuses"]]
        self.assertEqual(states[-1], "TASK_RUNNING")
        for a, b in zip(states, states[1:]):
            self.assertNotEqual(a, b, states)
        post(self.address, "/master/teardown", "frameworkId=" + fw.id,
             "application/x-www-form-urlencoded")
        fw.close()

    def test_zz_mark_agent_gone_forgets_the_agent(self):
        status, body = self.operator({"type": "MARK_AGENT_GONE"})
        self.assertEqual(status, 400, body)
        status, body = self.operator({"type": "MARK_AGENT_GONE",
                                      "mark_agent_gone": {"agent_id": {"value": "no-such"}}})
        self.assertEqual(status, 400, body)
        self.assertEqual(len(self.local.state()["slaves"]), 2)
        fw = Framework(self.address, role="gone")
        agent = fw.launch("gone-task", "sleep 60")
        wait_for(fw.running)
        status, body = self.operator({"type": "MARK_AGENT_GONE",
                                      "mark_agent_gone": {"agent_id": {"value": agent}}})
        self.assertEqual((status, body), (200, ""))
        self.assertNotIn(agent, [s["id"] for s in self.local.state()["slaves"]])
        lost = wait_for(lambda: [e for e in fw.of_type("UPDATE")
                                 if e["update"]["status"]["state"] == "TASK_LOST"])
        self.assertEqual(lost[0]["update"]["status"]["reason"],
                         "REASON_AGENT_REMOVED_BY_OPERATOR")
        # Gone already: answered as done, and changes nothing more.
        status, body = self.operator({"type": "MARK_AGENT_GONE",
                                      "mark_agent_gone": {"agent_id": {"value": agent}}})
        self.assertEqual(status, 200, body)
        fw.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
