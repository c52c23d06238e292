"""The scheduler calls and events between a framework and its executors, over
HTTP as a Mesos v1 client sends them: REQUEST accepted with no effect,
OPERATION_FEEDBACK accepted at SUBSCRIBE, MESSAGE relayed both ways,
UPDATE_FRAMEWORK changing name, roles and failover timeout (and refused
where it may not), SHUTDOWN of an executor ending it and its task, FAILURE
when the executor exits (with its wait status), and HEARTBEAT on the
executor's stream; every event written passes the strict checker."""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from cairn_local import Local
import mesos_v1

CAIRN = sys.argv.pop(1)
CHECKER = sys.argv.pop(1)

# An executor over the v1 executor API: keeps every record, answers a
# framework message with "echo:<data>", says hello once its task runs, and on
# SHUTDOWN kills its task and exits with status 3.
TALKING_EXECUTOR = mesos_v1.EXECUTOR_CALLS + r'''
def message(text):
    call({"type": "MESSAGE", "message": {"data": base64.b64encode(text.encode()).decode()}})
host, _, port = AGENT.partition(":")
conn = http.client.HTTPConnection(host, int(port), timeout=600)
conn.request("POST", "/api/v1/executor", json.dumps(dict(IDS, type="SUBSCRIBE", subscribe={})),
             {"Content-Type": "application/json", "Accept": "application/json"})
response = conn.getresponse()
task = None
while True:
    length = b""
    while not length.endswith(b"\n"):
        byte = response.read(1)
        if not byte:
            sys.exit(0)
        length += byte
    record = response.read(int(length))
    out.write(record.decode() + "\n")
    out.flush()
    event = json.loads(record)
    if event["type"] == "LAUNCH":
        task = event["launch"]["task"]["task_id"]
        update(task, "TASK_RUNNING")
        message("hello from the executor")
    elif event["type"] == "MESSAGE":
        message("echo:" + base64.b64decode(event["message"]["data"]).decode())
    elif event["type"] == "SHUTDOWN":
        if task is not None:
            update(task, "TASK_KILLED")
        sys.exit(3)
'''


def resources(cpus, mem):
    return [{"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": mem}}]


def b64(text):
    return base64.b64encode(text.encode()).decode()


class SchedulerCalls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1)
        cls.address = cls.local.address
        cls.tmp = tempfile.mkdtemp(prefix="cairn-calls-")

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def call(self, body):
        body = dict(body, framework_id={"value": self.framework_id})
        status, text, _ = mesos_v1.post(self.address, "/api/v1/scheduler", json.dumps(body),
                                        headers={"Mesos-Stream-Id": self.stream_id})
        return status, text.decode()

    def accepted(self, body):
        status, text = self.call(body)
        self.assertEqual(status, 202, text)

    def events(self):
        return [json.loads(r) for r in self.recorder.snapshot()]

    def wait_event(self, what, bound=60):
        """The first event for which `what(event)` holds, acknowledging updates."""
        deadline = time.time() + bound
        while time.time() < deadline:
            for event in self.events():
                if event["type"] == "UPDATE":
                    status = event["update"]["status"]
                    key = (status["task_id"]["value"], status.get("uuid"))
                    if "uuid" in status and key not in self.acked:
                        self.acked.add(key)
                        self.accepted({"type": "ACKNOWLEDGE", "acknowledge": {
                            "agent_id": status["agent_id"], "task_id": status["task_id"],
                            "uuid": status["uuid"]}})
                if what(event):
                    return event
            time.sleep(0.1)
        self.fail("no such event; heard %s\n%s" % (self.events(), self.local.logs()))

    def framework(self):
        [fw] = [f for f in self.local.state()["frameworks"] if f["id"] == self.framework_id]
        return fw

    def test_calls_and_events_between_framework_and_executor(self):
        with open(os.path.join(self.tmp, "executor.py"), "w") as f:
            f.write(TALKING_EXECUTOR)
        record_file = os.path.join(self.tmp, "executor-events")
        open(record_file, "w").close()

        info = {"user": "root", "name": "calls", "roles": ["*"], "failover_timeout": 60,
                "capabilities": [{"type": "MULTI_ROLE"}, {"type": "OPERATION_FEEDBACK"}]}
        conn, response = mesos_v1.open_stream(
            self.address, "/api/v1/scheduler",
            json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": info}}))
        self.assertEqual(response.status, 200)
        self.stream_id = response.getheader("Mesos-Stream-Id")
        self.recorder = mesos_v1.Recorder(response)
        self.acked = set()
        subscribed = self.wait_event(lambda e: e["type"] == "SUBSCRIBED")
        self.framework_id = subscribed["subscribed"]["framework_id"]["value"]
        info["id"] = {"value": self.framework_id}

        # REQUEST: accepted, and nothing comes of it.
        self.accepted({"type": "REQUEST", "request": {"requests": [
            {"resources": resources(1, 64)}]}})

        offer = self.wait_event(lambda e: e["type"] == "OFFERS")["offers"]["offers"][0]
        agent_id = offer["agent_id"]
        executor_id = {"value": "talking-executor"}
        task = {"name": "talk", "task_id": {"value": "talk-task"}, "agent_id": agent_id,
                "resources": resources(0.1, 32),
                "executor": {"executor_id": executor_id, "resources": resources(0.1, 32),
                             "command": {
                                 "value": "/usr/bin/python3 %s/executor.py" % self.tmp,
                                 "environment": {"variables": [
                                     {"name": "RECORD_FILE", "value": record_file}]}}}}
        self.accepted({"type": "ACCEPT", "accept": {
            "offer_ids": [offer["id"]],
            "operations": [{"type": "LAUNCH", "launch": {"task_infos": [task]}}]}})
        self.wait_event(lambda e: e["type"] == "UPDATE"
                        and e["update"]["status"]["state"] == "TASK_RUNNING")

        # Executor -> framework, then framework -> executor -> framework.
        hello = self.wait_event(lambda e: e["type"] == "MESSAGE")["message"]
        self.assertEqual(hello["agent_id"], agent_id)
        self.assertEqual(hello["executor_id"], executor_id)
        self.assertEqual(base64.b64decode(hello["data"]), b"hello from the executor")
        self.accepted({"type": "MESSAGE", "message": {
            "agent_id": agent_id, "executor_id": executor_id, "data": b64("ping")}})
        self.wait_event(lambda e: e["type"] == "MESSAGE"
                        and base64.b64decode(e["message"]["data"]) == b"echo:ping")

        # UPDATE_FRAMEWORK: name, roles and failover timeout change in the master.
        updated = dict(info, name="calls-renamed", roles=["*", "extra"], failover_timeout=120,
                       labels={"labels": [{"key": "k", "value": "v"}]})
        # Answered once applied (200), as Mesos answers it.
        status, text = self.call({"type": "UPDATE_FRAMEWORK", "update_framework": {
            "framework_info": updated, "suppressed_roles": ["extra"]}})
        self.assertEqual(status, 200, text)
        fw = self.framework()
        self.assertEqual(fw["name"], "calls-renamed")
        self.assertEqual(sorted(fw["roles"]), ["*", "extra"])
        self.assertEqual(fw["failover_timeout"], 120)
        # Refused, the subscription untouched: another id, a changed principal,
        # leaving the role its task runs in (400), offer constraints (501).
        status, text = self.call({"type": "UPDATE_FRAMEWORK", "update_framework": {
            "framework_info": dict(updated, id={"value": "another"})}})
        self.assertEqual(status, 400, text)
        status, text = self.call({"type": "UPDATE_FRAMEWORK", "update_framework": {
            "framework_info": updated, "offer_constraints": {"role_constraints": {"*": {
                "groups": [{"attribute_constraints": [{
                    "selector": {"attribute_name": "rack"}, "predicate": {"exists": {}}}]}]}}}}})
        self.assertEqual(status, 501, text)
        self.assertEqual(text.strip(),
                         "Call.update_framework.offer_constraints is not supported yet")
        status, text = self.call({"type": "UPDATE_FRAMEWORK", "update_framework": {
            "framework_info": dict(updated, principal="someone-else")}})
        self.assertEqual((status, text.strip()),
                         (400, "Updating 'FrameworkInfo.principal' is unsupported"))
        status, text = self.call({"type": "UPDATE_FRAMEWORK", "update_framework": {
            "framework_info": dict(updated, roles=["extra"])}})
        self.assertEqual(status, 400, text)
        self.assertIn("Removing role '*' while task talk-task", text)
        self.assertIn("is not supported yet", text)
        fw = self.framework()
        self.assertEqual((fw["name"], sorted(fw["roles"])), ("calls-renamed", ["*", "extra"]))

        # SHUTDOWN: the executor hears it, its task ends, and the framework
        # hears the executor exited with its wait status (exit code 3).
        self.accepted({"type": "SHUTDOWN", "shutdown": {"executor_id": executor_id,
                                                         "agent_id": agent_id}})
        self.wait_event(lambda e: e["type"] == "UPDATE"
                        and e["update"]["status"]["state"] == "TASK_KILLED")
        failure = self.wait_event(lambda e: e["type"] == "FAILURE")["failure"]
        self.assertEqual(failure["agent_id"], agent_id)
        self.assertEqual(failure["executor_id"], executor_id)
        self.assertEqual(failure["status"], 3 << 8)

        # No call above raised an ERROR (which would have ended the stream).
        self.assertNotIn("ERROR", [e["type"] for e in self.events()])
        with open(record_file) as f:
            executor_events = [line for line in f.read().splitlines() if line]
        executor_kinds = [json.loads(e)["type"] for e in executor_events]
        # A heartbeat follows SUBSCRIBED at once on the executor's stream.
        self.assertEqual(executor_kinds[:2], ["SUBSCRIBED", "HEARTBEAT"])
        self.assertIn("MESSAGE", executor_kinds)
        self.assertEqual(executor_kinds[-1], "SHUTDOWN")

        self.accepted({"type": "TEARDOWN"})
        conn.close()
        documents = [("mesos.v1.scheduler.Event", r.decode()) for r in self.recorder.snapshot()]
        documents += [("mesos.v1.executor.Event", e) for e in executor_events]
        lines = "".join("%s\t%s\n" % (t, d.replace("\n", " ")) for t, d in documents)
        r = subprocess.run([CHECKER], input=lines, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("checked %d documents, 0 refused" % len(documents), r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
