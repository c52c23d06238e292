"""Every JSON document cairn writes on Mesos' v1 APIs, checked by a strict
decoder built from the .proto files (tests/support/proto_check: libprotobuf's
JSON parser, unknown fields refused): the scheduler events of a framework
whose tasks run to the end (one on the command executor, one on a custom
executor over the executor API), the executor events that executor gets,
the answers of every operator call masters and agents serve, and the
operator event stream."""
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

# Calls cairn serves that Mesos' API has too; GET_LEADING_MASTER is
# cairn's own and has no Mesos form to be checked against.
MASTER_CALLS = ["GET_HEALTH", "GET_VERSION", "GET_FLAGS", "GET_METRICS", "GET_STATE",
                "GET_AGENTS", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS", "GET_ROLES",
                "GET_WEIGHTS", "GET_MASTER", "GET_LOGGING_LEVEL"]
AGENT_CALLS = ["GET_HEALTH", "GET_VERSION", "GET_FLAGS", "GET_METRICS", "GET_STATE",
               "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS", "GET_AGENT", "GET_LOGGING_LEVEL"]

# An executor over the v1 executor API that keeps every record it is sent.
RECORDING_EXECUTOR = mesos_v1.EXECUTOR_CALLS + r'''
host, _, port = AGENT.partition(":")
conn = http.client.HTTPConnection(host, int(port), timeout=600)
conn.request("POST", "/api/v1/executor", json.dumps(dict(IDS, type="SUBSCRIBE", subscribe={})),
             {"Content-Type": "application/json", "Accept": "application/json"})
response = conn.getresponse()
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
        update(event["launch"]["task"]["task_id"], "TASK_RUNNING")
        update(event["launch"]["task"]["task_id"], "TASK_FINISHED")
    elif event["type"] == "SHUTDOWN":
        sys.exit(0)
'''


def sandbox_of(work_dir, task):
    """The run directory of the executor of `task` (named for the task)."""
    for root, _dirs, files in os.walk(work_dir):
        if "/executors/%s/runs/" % task in root + "/" and "stdout" in files:
            return root
    raise AssertionError("no sandbox of %s under %s" % (task, work_dir))


def resources(cpus, mem):
    return [{"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": mem}}]


class StrictJson(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1, extra=("--framework-heartbeat-interval", "1secs"))
        cls.address = cls.local.address
        cls.tmp = tempfile.mkdtemp(prefix="cairn-strict-")

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def check(self, documents):
        """The checker's verdict on [(type, json text)]: (exit code, output)."""
        lines = "".join("%s\t%s\n" % (t, d.replace("\n", " ")) for t, d in documents)
        r = subprocess.run([CHECKER], input=lines, capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout + r.stderr

    def test_the_checker_refuses_what_mesos_would_not_write(self):
        bad = [("mesos.v1.scheduler.Event", '{"type": "HEARTBEAT", "has_healthy": false}'),
               ("mesos.v1.scheduler.Event", '{"type": "UPDATE", "update": {"status": {'
                '"task_id": {"value": "t"}, "state": "TASK_RUNNING", "reason": "REASON_NONE"}}}'),
               ("mesos.v1.master.Response", '{"type": "GET_AGENTS", "get_agents": {"agents": [{'
                '"agent_info": {"hostname": "h"}, "active": true, "version": "1",'
                '"registered_time": {"nanoseconds": 1.7964231263226726e18}}]}}'),
               ("mesos.v1.scheduler.Event", '{"type": "SUBSCRIBED", "subscribed": {}}')]
        for document in bad:
            code, out = self.check([document])
            self.assertEqual(code, 1, out)
            self.assertIn("1 refused", out)
        code, out = self.check([("mesos.v1.scheduler.Event", '{"type": "HEARTBEAT"}')])
        self.assertEqual(code, 0, out)

    def subscribe_framework(self):
        body = {"type": "SUBSCRIBE", "subscribe": {"framework_info": {
            "user": "root", "name": "strict-json", "roles": ["*"],
            "capabilities": [{"type": "MULTI_ROLE"}, {"type": "PARTITION_AWARE"}]}}}
        conn, response = mesos_v1.open_stream(self.address, "/api/v1/scheduler",
                                              json.dumps(body))
        self.assertEqual(response.status, 200)
        return conn, response, response.getheader("Mesos-Stream-Id")

    def scheduler_call(self, stream_id, body):
        status, text, _ = mesos_v1.post(self.address, "/api/v1/scheduler", json.dumps(body),
                                        headers={"Mesos-Stream-Id": stream_id})
        self.assertEqual(status, 202, text)

    def run_framework(self, record_file):
        """Runs two tasks to TASK_FINISHED; returns the raw scheduler events."""
        conn, response, stream_id = self.subscribe_framework()
        events, framework_id, launched, states = [], None, False, {}
        deadline = time.time() + 120
        while time.time() < deadline:
            record = mesos_v1.read_record(response)
            self.assertIsNotNone(record, "the event stream ended")
            events.append(record.decode())
            event = json.loads(record)
            kind = event["type"]
            if kind == "SUBSCRIBED":
                framework_id = event["subscribed"]["framework_id"]
            elif kind == "OFFERS" and not launched:
                offer = event["offers"]["offers"][0]
                tasks = [{"name": "command", "task_id": {"value": "command-task"},
                          "agent_id": offer["agent_id"], "resources": resources(0.1, 32),
                          "command": {"value": "echo strict"}},
                         {"name": "custom", "task_id": {"value": "custom-task"},
                          "agent_id": offer["agent_id"], "resources": resources(0.1, 32),
                          "executor": {
                              "executor_id": {"value": "recording-executor"},
                              "resources": resources(0.1, 32),
                              "command": {
                                  "value": "/usr/bin/python3 %s/executor.py" % self.tmp,
                                  "environment": {"variables": [
                                      {"name": "RECORD_FILE", "value": record_file}]}}}}]
                self.scheduler_call(stream_id, {
                    "framework_id": framework_id, "type": "ACCEPT", "accept": {
                        "offer_ids": [offer["id"]],
                        "operations": [{"type": "LAUNCH", "launch": {"task_infos": tasks}}]}})
                launched = True
            elif kind == "UPDATE":
                status = event["update"]["status"]
                states[status["task_id"]["value"]] = status["state"]
                if "uuid" in status:
                    self.scheduler_call(stream_id, {
                        "framework_id": framework_id, "type": "ACKNOWLEDGE", "acknowledge": {
                            "agent_id": status["agent_id"], "task_id": status["task_id"],
                            "uuid": status["uuid"]}})
            kinds = {json.loads(e)["type"] for e in events}
            if (states.get("command-task") == "TASK_FINISHED"
                    and states.get("custom-task") == "TASK_FINISHED" and "HEARTBEAT" in kinds):
                break
        self.assertEqual(states, {"command-task": "TASK_FINISHED",
                                  "custom-task": "TASK_FINISHED"}, events)
        # The custom executor's updates are acknowledged to it before the
        # framework goes (its ACKNOWLEDGED events are among the documents).
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(record_file) as f:
                if f.read().count('"ACKNOWLEDGED"') >= 2:
                    break
            time.sleep(0.1)
        # RECONCILE answers with an UPDATE per task, written by the master.
        self.scheduler_call(stream_id, {"framework_id": framework_id, "type": "RECONCILE",
                                        "reconcile": {"tasks": []}})
        self.scheduler_call(stream_id, {"framework_id": framework_id, "type": "TEARDOWN"})
        while True:
            record = mesos_v1.read_record(response)
            if record is None:
                break
            events.append(record.decode())
        conn.close()
        return events

    def operator_answers(self, address, calls, kind):
        documents = []
        for call in calls:
            if isinstance(call, str):
                call = {"type": call}
            status, body, headers = mesos_v1.post(address, "/api/v1", json.dumps(call))
            self.assertEqual(status, 200, "%s: %r" % (call, body))
            self.assertEqual(headers["content-type"], "application/json")
            documents.append((kind, body.decode()))
        return documents

    def test_every_document_cairn_writes_is_one_mesos_would(self):
        with open(os.path.join(self.tmp, "executor.py"), "w") as f:
            f.write(RECORDING_EXECUTOR)
        record_file = os.path.join(self.tmp, "executor-events")
        open(record_file, "w").close()
        conn, response = mesos_v1.open_stream(self.address, "/api/v1",
                                              json.dumps({"type": "SUBSCRIBE"}))
        self.assertEqual(response.status, 200)
        operator_events = mesos_v1.Recorder(response)
        agent = self.local.state()["slaves"][0]["pid"].split("@")[1]
        agent_conn, agent_response = mesos_v1.open_stream(agent, "/api/v1",
                                                          json.dumps({"type": "SUBSCRIBE"}))
        self.assertEqual(agent_response.status, 200)
        agent_events = mesos_v1.Recorder(agent_response)
        events = self.run_framework(record_file)

        documents = [("mesos.v1.scheduler.Event", e) for e in events]
        with open(record_file) as f:
            executor_events = [line for line in f.read().splitlines() if line]
        documents += [("mesos.v1.executor.Event", e) for e in executor_events]
        documents += self.operator_answers(self.address, MASTER_CALLS, "mesos.v1.master.Response")
        documents += self.operator_answers(agent, AGENT_CALLS, "mesos.v1.agent.Response")
        sandbox = sandbox_of(self.local.work_dir, "command-task")
        documents += self.operator_answers(agent, [
            {"type": "LIST_FILES", "list_files": {"path": sandbox}},
            {"type": "READ_FILE", "read_file": {"path": sandbox + "/stdout", "offset": 0}}],
            "mesos.v1.agent.Response")
        conn.close()
        agent_conn.close()
        documents += [("mesos.v1.master.Event", r.decode()) for r in operator_events.snapshot()]
        documents += [("mesos.v1.agent.Event", r.decode()) for r in agent_events.snapshot()]

        kinds = {(t, json.loads(d)["type"]) for t, d in documents}
        for expected in (("mesos.v1.scheduler.Event", "SUBSCRIBED"),
                         ("mesos.v1.scheduler.Event", "OFFERS"),
                         ("mesos.v1.scheduler.Event", "UPDATE"),
                         ("mesos.v1.scheduler.Event", "HEARTBEAT"),
                         ("mesos.v1.executor.Event", "SUBSCRIBED"),
                         ("mesos.v1.executor.Event", "LAUNCH"),
                         ("mesos.v1.executor.Event", "ACKNOWLEDGED"),
                         ("mesos.v1.master.Event", "SUBSCRIBED"),
                         ("mesos.v1.master.Event", "TASK_ADDED"),
                         ("mesos.v1.master.Event", "TASK_UPDATED"),
                         ("mesos.v1.master.Event", "FRAMEWORK_ADDED"),
                         ("mesos.v1.agent.Event", "SUBSCRIBED"),
                         ("mesos.v1.agent.Event", "HEARTBEAT"),
                         ("mesos.v1.agent.Event", "TASK_ADDED"),
                         ("mesos.v1.agent.Event", "TASK_UPDATED"),
                         ("mesos.v1.agent.Response", "LIST_FILES"),
                         ("mesos.v1.agent.Response", "READ_FILE")):
            self.assertIn(expected, kinds)
        code, out = self.check(documents)
        self.assertEqual(code, 0, out)
        self.assertIn("checked %d documents, 0 refused" % len(documents), out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
