"""The operator calls on a node's logging and files, on masters and agents,
and the agent's SUBSCRIBE stream: its state first, a HEARTBEAT right after,
then the tasks it is given and their updates."""
import base64
import json
import os
import sys
import time
import unittest
import urllib.error
import urllib.request

from cairn_local import Local
import mesos_v1

CAIRN = sys.argv.pop(1)


def sandbox_of(work_dir, task):
    for root, _dirs, files in os.walk(work_dir):
        if "/executors/%s/runs/" % task in root + "/" and "stdout" in files:
            return root
    raise AssertionError("no sandbox of %s under %s" % (task, work_dir))


class AgentOperatorApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1)
        cls.agent = cls.local.state()["slaves"][0]["pid"].split("@")[1]

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def call(self, address, body):
        status, text, _ = mesos_v1.post(address, "/api/v1", json.dumps(body))
        return status, text

    def answer(self, address, body):
        status, text = self.call(address, body)
        self.assertEqual(status, 200, text)
        return json.loads(text)

    def level(self, address):
        return self.answer(address, {"type": "GET_LOGGING_LEVEL"})["get_logging_level"]["level"]

    def toggle(self, address, query):
        try:
            with urllib.request.urlopen("http://%s/logging/toggle?%s" % (address, query),
                                        timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def run_task(self, name, command):
        r = self.local.execute("--name", name, "--command", command)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_the_agent_streams_its_state_heartbeats_and_tasks(self):
        conn, response = mesos_v1.open_stream(self.agent, "/api/v1",
                                              json.dumps({"type": "SUBSCRIBE"}))
        self.assertEqual(response.status, 200)
        self.assertEqual(response.getheader("Content-Type"), "application/json")
        first = json.loads(mesos_v1.read_record(response))
        self.assertEqual(first["type"], "SUBSCRIBED")
        self.assertIn("get_tasks", first["subscribed"]["get_state"])
        self.assertEqual(first["subscribed"]["heartbeat_interval_seconds"], 15)
        self.assertEqual(json.loads(mesos_v1.read_record(response))["type"], "HEARTBEAT")
        recorder = mesos_v1.Recorder(response)
        self.run_task("streamed", "echo streamed")
        deadline = time.time() + 60
        states = []
        while time.time() < deadline and "TASK_FINISHED" not in states:
            events = [json.loads(r) for r in recorder.snapshot()]
            states = [e["task_updated"]["state"] for e in events if e["type"] == "TASK_UPDATED"
                      and e["task_updated"]["status"]["task_id"]["value"] == "streamed"]
            time.sleep(0.2)
        conn.close()
        added = [e for e in events if e["type"] == "TASK_ADDED"]
        self.assertEqual([e["task_added"]["task"]["task_id"]["value"] for e in added],
                         ["streamed"])
        self.assertEqual(states[-1], "TASK_FINISHED", events)
        self.assertIn("TASK_RUNNING", states)

    def test_the_agent_lists_and_reads_its_sandboxes(self):
        self.run_task("files", "echo files-here")
        sandbox = sandbox_of(self.local.work_dir, "files")
        listed = self.answer(self.agent, {"type": "LIST_FILES",
                                          "list_files": {"path": sandbox}})
        self.assertEqual(listed["type"], "LIST_FILES")
        by_path = {f["path"]: f for f in listed["list_files"]["file_infos"]}
        stdout = by_path[sandbox + "/stdout"]
        self.assertEqual(stdout["size"], os.path.getsize(sandbox + "/stdout"))
        read = self.answer(self.agent, {"type": "READ_FILE", "read_file": {
            "path": sandbox + "/stdout", "offset": 0}})["read_file"]
        data = base64.b64decode(read["data"])
        self.assertIn(b"files-here", data)
        self.assertEqual(int(read["size"]), len(data))
        part = self.answer(self.agent, {"type": "READ_FILE", "read_file": {
            "path": sandbox + "/stdout", "offset": 2, "length": 3}})["read_file"]
        self.assertEqual(base64.b64decode(part["data"]), data[2:5])

    def test_files_calls_refuse_what_is_not_there_or_not_theirs(self):
        status, text = self.call(self.agent, {"type": "LIST_FILES",
                                              "list_files": {"path": "/etc"}})
        self.assertEqual(status, 404, text)
        status, text = self.call(self.agent, {"type": "READ_FILE", "read_file": {
            "path": "/etc/passwd", "offset": 0}})
        self.assertEqual(status, 404, text)
        self.run_task("refusals", "true")
        sandbox = sandbox_of(self.local.work_dir, "refusals")
        status, text = self.call(self.agent, {"type": "READ_FILE", "read_file": {
            "path": sandbox, "offset": 0}})
        self.assertEqual(status, 400, text)
        self.assertIn("directory", text.decode())
        status, text = self.call(self.agent, {"type": "LIST_FILES", "list_files": {}})
        self.assertEqual(status, 400, text)
        # A master keeps no files of its own to serve.
        status, text = self.call(self.local.address, {"type": "LIST_FILES", "list_files": {
            "path": self.local.work_dir}})
        self.assertEqual(status, 404, text)

    def test_logging_levels_are_set_and_revert(self):
        for address in (self.local.address, self.agent):
            self.assertEqual(self.level(address), 0)
        status, text = self.call(self.agent, {"type": "SET_LOGGING_LEVEL", "set_logging_level": {
            "level": 1, "duration": {"nanoseconds": 500000000}}})
        self.assertEqual(status, 200, text)
        self.assertEqual(self.level(self.agent), 1)
        deadline = time.time() + 30
        while time.time() < deadline and self.level(self.agent) != 0:
            time.sleep(0.1)
        self.assertEqual(self.level(self.agent), 0)
        status, text = self.toggle(self.local.address, "level=2&duration=10mins")
        self.assertEqual(status, 200, text)
        self.assertEqual(self.level(self.local.address), 2)
        # Bad input changes nothing.
        for query in ("level=x&duration=1mins", "level=1", "duration=1mins",
                      "level=-1&duration=1mins", "level=1&duration=soon"):
            status, text = self.toggle(self.local.address, query)
            self.assertEqual(status, 400, query + ": " + text)
        status, text = self.call(self.local.address, {"type": "SET_LOGGING_LEVEL",
                                                      "set_logging_level": {"level": 3}})
        self.assertEqual(status, 400, text)
        self.assertEqual(self.level(self.local.address), 2)
        status, text = self.toggle(self.local.address, "level=0&duration=1secs")
        self.assertEqual(status, 200, text)
        self.assertEqual(self.level(self.local.address), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
