"""What cairn does not do yet is refused over the v1 scheduler API, never
accepted and dropped: each TaskInfo field gets TASK_ERROR naming it, each
offer operation an UPDATE_OPERATION_STATUS with OPERATION_ERROR naming it,
each call type not served an HTTP error naming it; nothing refused runs (no
process, no task in the agent's state) while the valid parts of the same
ACCEPT do."""
import http.client
import json
import os
import sys
import tempfile
import time
import unittest
import urllib.request

from cairn_local import Local

CAIRN = sys.argv.pop(1)
TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST",
            "TASK_DROPPED", "TASK_GONE"}


def resources(cpus=0.1, mem=16):
    return [{"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": mem}}]


class Framework:
    """A v1 HTTP scheduler speaking JSON, reading its event stream in order."""

    def __init__(self, address):
        self.host, _, port = address.partition(":")
        self.port = int(port)
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        body = {"type": "SUBSCRIBE", "subscribe": {"framework_info": {
            "user": "root", "name": "refusals", "roles": ["*"],
            "capabilities": [{"type": "MULTI_ROLE"}]}}}
        self.conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                          {"Content-Type": "application/json", "Accept": "application/json"})
        self.stream = self.conn.getresponse()
        assert self.stream.status == 200, self.stream.read()
        self.stream_id = self.stream.getheader("Mesos-Stream-Id")
        self.offers = []
        self.terminal = {}  # task id -> its terminal status, whenever it came
        event = self.next_event(lambda e: e["type"] == "SUBSCRIBED")
        self.framework_id = event["subscribed"]["framework_id"]["value"]

    def call(self, body):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        body = dict(body, framework_id={"value": self.framework_id})
        conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                     {"Content-Type": "application/json", "Mesos-Stream-Id": self.stream_id})
        r = conn.getresponse()
        out = (r.status, r.read().decode(errors="replace"))
        conn.close()
        return out

    def next_event(self, wanted, bound=60):
        """The next event `wanted` accepts; offers seen meanwhile are kept and
        updates that need it are acknowledged."""
        deadline = time.time() + bound
        while time.time() < deadline:
            length = b""
            while not length.endswith(b"\n"):
                byte = self.stream.read(1)
                if not byte:
                    raise RuntimeError("the master closed the event stream")
                length += byte
            event = json.loads(self.stream.read(int(length)))
            if event["type"] == "OFFERS":
                self.offers.extend(event["offers"]["offers"])
            if event["type"] == "UPDATE" and event["update"]["status"]["state"] in TERMINAL:
                status = event["update"]["status"]
                self.terminal[status["task_id"]["value"]] = status
            if event["type"] == "UPDATE" and "uuid" in event["update"]["status"]:
                status = event["update"]["status"]
                self.call({"type": "ACKNOWLEDGE", "acknowledge": {
                    "agent_id": status["agent_id"], "task_id": status["task_id"],
                    "uuid": status["uuid"]}})
            if event["type"] == "ERROR":
                raise RuntimeError("master error: " + event["error"]["message"])
            if wanted(event):
                return event
        raise RuntimeError("no such event within %ds" % bound)

    def take_offer(self):
        if not self.offers:
            self.next_event(lambda e: e["type"] == "OFFERS")
        return self.offers.pop(0)

    def accept(self, offer, operations):
        status, text = self.call({"type": "ACCEPT", "accept": {
            "offer_ids": [offer["id"]], "operations": operations,
            "filters": {"refuse_seconds": 0}}})
        assert status == 202, (status, text)


class Refusals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1)
        cls.marks = tempfile.mkdtemp(prefix="cairn-refusals-")
        cls.fw = Framework(cls.local.address)

    @classmethod
    def tearDownClass(cls):
        cls.fw.call({"type": "TEARDOWN"})
        cls.local.stop()

    def task(self, task_id, offer, **extra):
        """A task that leaves a mark file when it runs."""
        info = {"name": task_id, "task_id": {"value": task_id},
                "agent_id": offer["agent_id"], "resources": resources(),
                "command": {"value": "touch %s" % os.path.join(self.marks, task_id)}}
        info.update(extra)
        return info

    def ran(self, task_id):
        return os.path.exists(os.path.join(self.marks, task_id))

    def agent_state(self):
        slaves = json.loads(self.local.get("/master/slaves")[1])["slaves"]
        self.assertEqual(len(slaves), 1)
        url = "http://%s:%d/state" % (slaves[0]["hostname"], slaves[0]["port"])
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read().decode()

    def wait_terminal(self, task_ids):
        """The terminal status of each of `task_ids`, as the framework hears it."""
        while set(task_ids) - set(self.fw.terminal):
            self.fw.next_event(
                lambda e: e["type"] == "UPDATE"
                and e["update"]["status"]["task_id"]["value"] in task_ids
                and e["update"]["status"]["state"] in TERMINAL)
        return {task_id: self.fw.terminal[task_id] for task_id in task_ids}

    def assert_never_ran(self, task_ids):
        agent = self.agent_state()
        for task_id in task_ids:
            self.assertFalse(self.ran(task_id), task_id + " ran")
            self.assertNotIn('"%s"' % task_id, agent, task_id + " is in the agent's state")

    def test_task_fields_are_refused_by_name_and_nothing_of_them_runs(self):
        offer = self.fw.take_offer()
        t = lambda task_id, **extra: self.task(task_id, offer, **extra)
        refused = {
            "with-container": (t("with-container", container={"type": "MESOS"}),
                               "TaskInfo.container"),
            "with-ipv6-check": (t("with-ipv6-check", health_check={
                "type": "TCP", "tcp": {"port": 1, "protocol": "IPv6"}}),
                "TaskInfo.health_check.tcp.protocol IPv6"),
            "with-deadline": (t("with-deadline", max_completion_time={"nanoseconds": 10**9}),
                              "TaskInfo.max_completion_time"),
            "with-limits": (t("with-limits", limits={"cpus": {"value": 1}}), "TaskInfo.limits"),
            "with-disk": (t("with-disk", resources=resources() + [{
                "name": "disk", "type": "SCALAR", "scalar": {"value": 1},
                "disk": {"persistence": {"id": "v"},
                         "volume": {"mode": "RW", "container_path": "v"}}}]),
                "Resource.disk (in TaskInfo.resources)"),
        }
        plain = t("plain")
        self.fw.accept(offer, [{"type": "LAUNCH", "launch": {
            "task_infos": [info for info, _ in refused.values()] + [plain]}}])
        statuses = self.wait_terminal(list(refused) + ["plain"])
        for task_id, (_, field) in refused.items():
            status = statuses[task_id]
            self.assertEqual(status["state"], "TASK_ERROR", task_id)
            self.assertEqual(status["reason"], "REASON_TASK_INVALID", task_id)
            self.assertEqual(status["message"], field + " is not supported yet", task_id)
        # The valid task of the same ACCEPT runs.
        self.assertEqual(statuses["plain"]["state"], "TASK_FINISHED")
        self.assertTrue(self.ran("plain"))
        self.assert_never_ran(list(refused))

    def test_offer_operations_are_refused_by_name_each_on_its_own(self):
        offer = self.fw.take_offer()
        disk = [{"name": "disk", "type": "SCALAR", "scalar": {"value": 1}}]
        ops = [
            ("RESERVE", "r-1", {"reserve": {"resources": [dict(disk[0], reservations=[
                {"type": "DYNAMIC", "role": "ops"}])]}}),
            ("UNRESERVE", "u-1", {"unreserve": {"resources": disk}}),
            ("CREATE", "c-1", {"create": {"volumes": disk}}),
            ("DESTROY", None, {"destroy": {"volumes": disk}}),
            ("GROW_VOLUME", "g-1", {"grow_volume": {"volume": disk[0], "addition": disk[0]}}),
            ("SHRINK_VOLUME", "s-1", {"shrink_volume": {"volume": disk[0],
                                                         "subtract": {"value": 1}}}),
            ("CREATE_DISK", "cd-1", {"create_disk": {"source": disk[0], "target_type": "MOUNT"}}),
            ("DESTROY_DISK", "dd-1", {"destroy_disk": {"source": disk[0]}}),
            ("LAUNCH_GROUP", "lg-1", {"launch_group": {
                "executor": {"type": "DEFAULT", "executor_id": {"value": "group-executor"},
                             "resources": resources()},
                "task_group": {"tasks": [self.task("in-group", offer)]}}}),
        ]
        operations = []
        for kind, op_id, body in ops:
            op = dict(body, type=kind)
            if op_id:
                op["id"] = {"value": op_id}
            operations.append(op)
        operations.insert(3, {"type": "LAUNCH", "launch": {
            "task_infos": [self.task("beside-ops", offer)]}})
        self.fw.accept(offer, operations)

        expected = {kind: op_id for kind, op_id, _ in ops}
        heard = {}
        while len(heard) < len(ops):
            event = self.fw.next_event(lambda e: e["type"] == "UPDATE_OPERATION_STATUS")
            status = event["update_operation_status"]["status"]
            self.assertEqual(status["state"], "OPERATION_ERROR")
            kind = status["message"].split()[2]
            self.assertEqual(status["message"], "Offer operation %s is not supported yet" % kind)
            self.assertNotIn(kind, heard)
            heard[kind] = status.get("operation_id", {}).get("value")
            # Nothing to acknowledge: as Mesos sends an error of a dropped operation.
            self.assertNotIn("uuid", status)
        self.assertEqual(heard, expected)

        statuses = self.wait_terminal(["in-group", "beside-ops"])
        self.assertEqual(statuses["in-group"]["state"], "TASK_ERROR")
        self.assertEqual(statuses["in-group"]["reason"], "REASON_TASK_GROUP_INVALID")
        self.assertEqual(statuses["in-group"]["message"],
                         "Offer operation LAUNCH_GROUP is not supported yet")
        self.assertEqual(statuses["beside-ops"]["state"], "TASK_FINISHED")
        self.assert_never_ran(["in-group", "group-executor"])
        self.assertNotIn("DYNAMIC", self.agent_state())

    def test_call_types_not_served_are_refused_by_name(self):
        calls = {
            "ACCEPT_INVERSE_OFFERS": {"accept_inverse_offers": {
                "inverse_offer_ids": [{"value": "i"}]}},
            "DECLINE_INVERSE_OFFERS": {"decline_inverse_offers": {
                "inverse_offer_ids": [{"value": "i"}]}},
            "ACKNOWLEDGE_OPERATION_STATUS": {"acknowledge_operation_status": {
                "uuid": "AAAA", "operation_id": {"value": "o"}}},
            "RECONCILE_OPERATIONS": {"reconcile_operations": {"operations": []}},
        }
        for kind, body in calls.items():
            status, text = self.fw.call(dict(body, type=kind))
            self.assertEqual(status, 501, kind + ": " + text)
            self.assertEqual(text.strip(), "Call type %s is not supported yet" % kind)
        # The subscription is untouched: the framework is still there and active.
        frameworks = self.local.state()["frameworks"]
        self.assertEqual([f["active"] for f in frameworks if f["id"] == self.fw.framework_id],
                         [True])

    def test_subscribe_with_offer_constraints_is_refused(self):
        host, _, port = self.local.address.partition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        before = len(self.local.state()["frameworks"])
        body = {"type": "SUBSCRIBE", "subscribe": {
            "framework_info": {"user": "root", "name": "constrained"},
            "offer_constraints": {"role_constraints": {"*": {"groups": [{
                "attribute_constraints": [{"selector": {"attribute_name": "rack"},
                                           "predicate": {"exists": {}}}]}]}}}}}
        conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        self.assertEqual(r.status, 501, text)
        self.assertEqual(text.strip(), "Call.subscribe.offer_constraints is not supported yet")
        self.assertEqual(len(self.local.state()["frameworks"]), before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
