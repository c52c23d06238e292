"""The HTTP APIs against `cairn local`: the Python example framework runs 10
tasks over the v1 scheduler API; malformed scheduler calls get Mesos' 4xx and
change nothing; the operator API answers and streams events; the JSON and
metrics endpoints and the agents' files API answer in Mesos' formats."""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

from cairn_local import Local

CAIRN = sys.argv.pop(1)
EXAMPLE = sys.argv.pop(1)


def post(address, path, body, headers=None, raw=False):
    host, _, port = address.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request("POST", path, body if raw else json.dumps(body), h)
    r = conn.getresponse()
    out = (r.status, r.read().decode(errors="replace"), dict(r.getheaders()))
    conn.close()
    return out


def read_records(response, count, bound=30):
    """`count` RecordIO records from a streaming response."""
    records, deadline = [], time.time() + bound
    while len(records) < count and time.time() < deadline:
        length = b""
        while not length.endswith(b"\n"):
            byte = response.read(1)
            if not byte:
                return records
            length += byte
        records.append(json.loads(response.read(int(length))))
    return records


class HttpApis(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=2)
        cls.address = cls.local.address

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def assert_serving(self):
        status, _ = self.local.get("/health")
        self.assertEqual(status, 200)

    def test_python_example_framework_runs_ten_tasks(self):
        r = subprocess.run(["/usr/bin/python3", EXAMPLE, "--master", self.address,
                            "--tasks", "10"], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("all 10 tasks finished", r.stdout)
        finished = [line for line in r.stdout.splitlines() if "TASK_FINISHED" in line]
        self.assertEqual(len(finished), 10)

    def test_tasks_run_on_a_custom_executor_over_the_executor_api(self):
        executor = os.path.join(os.path.dirname(EXAMPLE), "executor.py")
        r = subprocess.run(["/usr/bin/python3", EXAMPLE, "--master", self.address,
                            "--tasks", "4", "--executor", executor,
                            "--command", "echo custom-executor-ran"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len([l for l in r.stdout.splitlines() if "TASK_FINISHED" in l]), 4)
        outputs = []
        for root, _dirs, files in os.walk(self.local.work_dir):
            if "/executors/python-executor/runs/" in root + "/" and "stdout" in files:
                with open(os.path.join(root, "stdout")) as f:
                    outputs.append(f.read())
        # Each agent ran one executor for all the tasks it got.
        self.assertGreaterEqual(len(outputs), 1)
        ran = [l for o in outputs for l in o.splitlines() if l == "custom-executor-ran"]
        self.assertEqual(len(ran), 4)

    def test_a_framework_that_sends_every_unset_field_as_null_runs_a_task(self):
        """As a widely used v1 client writes its calls: every unset field null,
        in nested messages and lists too, each body sent chunked."""
        def chunked(conn, body, stream_id=None):
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
            if stream_id:
                headers["Mesos-Stream-Id"] = stream_id
            text = json.dumps(body).encode()
            conn.request("POST", "/api/v1/scheduler",
                         (text[i:i + 7] for i in range(0, len(text), 7)), headers,
                         encode_chunked=True)
            return conn.getresponse()
        host, _, port = self.address.partition(":")
        stream = http.client.HTTPConnection(host, int(port), timeout=60)
        response = chunked(stream, {
            "type": "SUBSCRIBE", "framework_id": None, "accept": None, "decline": None,
            "kill": None, "acknowledge": None, "reconcile": None, "message": None,
            "subscribe": {"framework_info": {
                "user": "root", "name": "nulls", "id": None, "failover_timeout": None,
                "checkpoint": None, "role": None, "roles": ["*"], "hostname": None,
                "principal": None, "webui_url": None, "capabilities": None, "labels": None},
                "suppressed_roles": None}})
        self.assertEqual(response.status, 200)
        stream_id = response.getheader("Mesos-Stream-Id")

        def call(body):
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            r = chunked(conn, body, stream_id)
            text = r.read().decode()
            conn.close()
            self.assertEqual(r.status, 202, text)

        framework_id, state, deadline = None, None, time.time() + 60
        while state != "TASK_FINISHED" and time.time() < deadline:
            (event,) = read_records(response, 1)
            if event["type"] == "SUBSCRIBED":
                framework_id = event["subscribed"]["framework_id"]
            elif event["type"] == "OFFERS" and state is None:
                offer = event["offers"]["offers"][0]
                state = "LAUNCHED"
                call({"type": "ACCEPT", "framework_id": framework_id, "decline": None,
                      "accept": {"offer_ids": [offer["id"]], "filters": None, "operations": [{
                          "type": "LAUNCH", "id": None, "reserve": None, "launch": {
                              "task_infos": [{
                                  "name": "nulls", "task_id": {"value": "nulls"},
                                  "agent_id": offer["agent_id"], "executor": None,
                                  "container": None, "health_check": None, "check": None,
                                  "labels": None, "discovery": None, "kill_policy": None,
                                  "data": None, "max_completion_time": None,
                                  "resources": [{"name": "cpus", "type": "SCALAR",
                                                 "scalar": {"value": 0.1},
                                                 "ranges": None, "set": None, "role": None,
                                                 "reservations": None, "disk": None},
                                                {"name": "mem", "type": "SCALAR",
                                                 "scalar": {"value": 32},
                                                 "reservations": None}],
                                  "command": {"value": "true", "uris": None,
                                              "environment": None, "arguments": None,
                                              "user": None, "shell": None}}]}}]}})
            elif event["type"] == "UPDATE":
                status = event["update"]["status"]
                state = status["state"]
                if "uuid" in status:
                    call({"type": "ACKNOWLEDGE", "framework_id": framework_id, "accept": None,
                          "acknowledge": {"agent_id": status["agent_id"],
                                          "task_id": status["task_id"],
                                          "uuid": status["uuid"]}})
        stream.close()
        self.assertEqual(state, "TASK_FINISHED")

    def test_malformed_scheduler_calls_get_4xx_and_change_nothing(self):
        path = "/api/v1/scheduler"
        cases = [
            ("invalid JSON", "{not json", {}, 400),
            ("wrong types", '{"type": "SUBSCRIBE", "subscribe": "yes"}', {}, 400),
            ("wrong field type", '{"type": "DECLINE", "framework_id": 7}', {}, 400),
            ("unknown enum", '{"type": "TAKE_EVERYTHING"}', {}, 400),
            ("a call before SUBSCRIBE",
             '{"type": "DECLINE", "framework_id": {"value": "f"}, "decline": {"offer_ids": []}}',
             {}, 400),
            ("a wrong stream id",
             '{"type": "DECLINE", "framework_id": {"value": "f"}, "decline": {"offer_ids": []}}',
             {"Mesos-Stream-Id": "no-such-stream"}, 403),
            ("SUBSCRIBE without framework_info", '{"type": "SUBSCRIBE", "subscribe": {}}', {}, 400),
            ("not JSON at all", "hello", {"Content-Type": "text/plain"}, 415),
        ]
        frameworks_before = len(self.local.state()["frameworks"])
        for name, body, headers, expected in cases:
            status, text, _ = post(self.address, path, body, headers, raw=True)
            self.assertEqual(status, expected, "%s: %s" % (name, text))
            self.assertTrue(text, "%s: the error says nothing" % name)
            self.assert_serving()
        status, _ = self.local.get("/health")
        self.assertEqual(len(self.local.state()["frameworks"]), frameworks_before)

    def test_a_100_megabyte_body_is_refused(self):
        with tempfile.NamedTemporaryFile() as big:
            big.truncate(100 * 1024 * 1024)
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                "-H", "Content-Type: application/json", "--data-binary",
                                "@" + big.name, "http://%s/api/v1/scheduler" % self.address],
                               capture_output=True, text=True, timeout=120)
        self.assertEqual(r.stdout, "413")
        self.assert_serving()

    def test_operator_calls_answer_in_mesos_json(self):
        status, body, _ = post(self.address, "/api/v1", {"type": "GET_HEALTH"})
        self.assertEqual((status, json.loads(body)["get_health"]["healthy"]), (200, True))
        status, body, _ = post(self.address, "/api/v1", {"type": "GET_STATE"})
        state = json.loads(body)["get_state"]
        self.assertEqual(len(state["get_agents"]["agents"]), 2)
        status, body, _ = post(self.address, "/api/v1", {"type": "GET_METRICS"})
        names = {m["name"] for m in json.loads(body)["get_metrics"]["metrics"]}
        self.assertIn("master/tasks_running", names)
        self.assertIn("allocator/mesos/allocation_runs", names)
        for call in ("GET_VERSION", "GET_FLAGS", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS",
                     "GET_ROLES", "GET_MASTER", "GET_LEADING_MASTER", "GET_AGENTS"):
            status, body, _ = post(self.address, "/api/v1", {"type": call})
            self.assertEqual(status, 200, call)
            self.assertEqual(json.loads(body)["type"], call)
        status, _, _ = post(self.address, "/api/v1", "{bad", raw=True)
        self.assertEqual(status, 400)

    def test_weights_are_set_at_runtime_and_kept_in_the_registry(self):
        def put_weights(body):
            host, _, port = self.address.partition(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("PUT", "/weights", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            out = (r.status, r.read().decode())
            conn.close()
            return out

        self.assertEqual(put_weights('[{"role": "web", "weight": 2.5}]')[0], 200)
        status, _, _ = post(self.address, "/api/v1", {
            "type": "UPDATE_WEIGHTS",
            "update_weights": {"weight_infos": [{"role": "batch", "weight": 0.5},
                                                {"role": "web", "weight": 3}]}})
        self.assertEqual(status, 200)
        expected = [{"role": "batch", "weight": 0.5}, {"role": "web", "weight": 3}]
        self.assertEqual(json.loads(self.local.get("/weights")[1]), expected)
        status, body, _ = post(self.address, "/api/v1", {"type": "GET_WEIGHTS"})
        self.assertEqual(json.loads(body)["get_weights"]["weight_infos"], expected)
        roles = json.loads(post(self.address, "/api/v1", {"type": "GET_ROLES"})[1])
        self.assertIn({"name": "web", "weight": 3},
                      [{"name": r["name"], "weight": r["weight"]}
                       for r in roles["get_roles"]["roles"]])
        registry = json.loads(self.local.get("/registrar(1)/registry")[1])
        self.assertEqual(registry["weights"], expected)

        # Bad input is refused with a reason and changes nothing.
        for bad in ('[{"role": "web", "weight": 0}]', '[{"role": "web", "weight": -1}]',
                    '[{"role": "", "weight": 1}]', '{"role": "web"}', '[',
                    '[{"role": "a", "weight": 1}, {"role": "a", "weight": 2}]'):
            status, text = put_weights(bad)
            self.assertEqual(status, 400, bad)
            self.assertTrue(text, bad)
        self.assertEqual(json.loads(self.local.get("/weights")[1]), expected)

    def test_operator_subscribe_streams_task_events(self):
        host, _, port = self.address.partition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request("POST", "/api/v1", json.dumps({"type": "SUBSCRIBE"}),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        self.assertEqual(response.status, 200)
        # RecordIO of JSON records; Content-Type names the records' type, as
        # Mesos answers, and a HEARTBEAT follows SUBSCRIBED at once.
        self.assertEqual(response.getheader("Content-Type"), "application/json")
        first = read_records(response, 2, bound=5)
        self.assertEqual([e["type"] for e in first], ["SUBSCRIBED", "HEARTBEAT"])
        self.assertIn("get_state", first[0]["subscribed"])
        runner = threading.Thread(target=lambda: self.local.execute(
            "--name", "watched", "--command", "true"))
        runner.start()
        seen, deadline = [], time.time() + 60
        while time.time() < deadline and not any(
                e["type"] == "TASK_UPDATED"
                and e["task_updated"]["state"] == "TASK_FINISHED" for e in seen):
            seen += read_records(response, 1)
        runner.join()
        conn.close()
        kinds = [e["type"] for e in seen]
        self.assertIn("TASK_ADDED", kinds)
        self.assertIn("FRAMEWORK_ADDED", kinds)
        added = next(e for e in seen if e["type"] == "TASK_ADDED")
        self.assertEqual(added["task_added"]["task"]["task_id"]["value"], "watched")

    def test_key_value_store_compares_versions_and_lives_in_the_registry(self):
        def call(method, key, body=None, headers=None):
            host, _, port = self.address.partition(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            h = {"Content-Type": "application/octet-stream"} if method == "PUT" else {}
            h.update(headers or {})
            conn.request(method, "/cairn/kv/" + key, body, h)
            r = conn.getresponse()
            out = (r.status, r.read(), r.getheader("ETag"))
            conn.close()
            return out

        status, body, _ = call("PUT", "jobs%2Fnightly", b"\x00v1", {"If-None-Match": "*"})
        self.assertEqual((status, json.loads(body)), (200, {"key": "jobs/nightly", "version": 1}))
        self.assertEqual(call("PUT", "jobs%2Fnightly", b"x", {"If-None-Match": "*"})[0], 412)
        self.assertEqual(call("GET", "jobs%2Fnightly"), (200, b"\x00v1", '"1"'))
        self.assertEqual(call("PUT", "jobs%2Fnightly", b"v2", {"If-Match": '"1"'})[0], 200)
        self.assertEqual(call("PUT", "jobs%2Fnightly", b"v3", {"If-Match": '"1"'})[0], 412)
        self.assertEqual(call("DELETE", "jobs%2Fnightly", None, {"If-Match": '"1"'})[0], 412)
        self.assertEqual(call("GET", "jobs%2Fnightly")[1:], (b"v2", '"2"'))
        self.assertEqual(call("PUT", "jobs%2Fnightly", b"v", {"If-Match": "soon"})[0], 400)
        self.assertEqual(call("PUT", "x" * 1025, b"v")[0], 400)
        self.assertEqual(call("PUT", "big", b"v" * (1024 * 1024 + 1))[0], 413)
        self.assertEqual(call("GET", "big")[0], 404)

        registry = json.loads(self.local.get("/registrar(1)/registry")[1])
        self.assertIn({"key": "jobs/nightly", "version": 2, "value": "djI="}, registry["kv"])
        self.assertEqual(len(registry["agents"]), 2)
        self.assertTrue(all(a["reachable"] for a in registry["agents"]))

        self.assertEqual(call("DELETE", "jobs%2Fnightly", None, {"If-Match": '"2"'})[0], 200)
        self.assertEqual(call("GET", "jobs%2Fnightly")[0], 404)
        self.assertEqual(call("DELETE", "jobs%2Fnightly")[0], 404)

    def test_json_endpoints_in_mesos_layouts(self):
        self.local.execute("--name", "listed", "--command", "echo listed-output")
        for path, key in (("/master/frameworks", "frameworks"), ("/master/slaves", "slaves"),
                          ("/master/tasks", "tasks")):
            status, body = self.local.get(path)
            self.assertEqual(status, 200)
            self.assertIn(key, json.loads(body))
        tasks = json.loads(self.local.get("/master/tasks")[1])["tasks"]
        self.assertIn("listed", [t["id"] for t in tasks])
        metrics = json.loads(self.local.get("/metrics/snapshot")[1])
        self.assertIsInstance(metrics["master/tasks_finished"], (int, float))
        self.assertGreaterEqual(metrics["master/tasks_finished"], 1)
        self.assertIn("cairn_master_tasks_running", self.local.get("/metrics")[1])
        self.assertEqual(json.loads(self.local.get("/version")[1])["version"][:1].isdigit(), True)
        host, _, port = self.address.partition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/redirect")
        self.assertEqual(conn.getresponse().status, 307)
        conn.close()

    def test_mesos_paths_and_unknown_routes(self):
        def request(address, method, path, body=None):
            host, _, port = address.partition(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request(method, path, body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            out = (r.status, r.read().decode(errors="replace"), r.getheader("Allow"))
            conn.close()
            return out
        self.assertEqual(request(self.address, "GET", "/master/health")[0], 200)
        status, body, _ = request(self.address, "POST", "/master/api/v1",
                                  json.dumps({"type": "GET_HEALTH"}))
        self.assertEqual(status, 200)
        self.assertTrue(json.loads(body)["get_health"]["healthy"])
        # A path that does not exist is 404 whatever the method; a path that
        # does, asked with a method it does not take, is 405 naming those it takes.
        for method in ("GET", "POST", "DELETE"):
            self.assertEqual(request(self.address, method, "/no/such/route")[0], 404)
        status, body, allow = request(self.address, "GET", "/master/api/v1/scheduler")
        self.assertEqual((status, allow), (405, "POST"))
        self.assertIn("'POST'", body)
        self.assertEqual(request(self.address, "DELETE", "/master/state")[:1], (405,))
        slave = json.loads(self.local.get("/master/slaves")[1])["slaves"][0]
        agent = "%s:%d" % (slave["hostname"], slave["port"])
        self.assertEqual(request(agent, "GET", "/slave(1)/health")[0], 200)
        status, body, _ = request(agent, "GET", "/slave(1)/state")
        self.assertEqual(status, 200)
        self.assertIn("frameworks", json.loads(body))
        status, _, _ = request(agent, "POST", "/slave(1)/api/v1", json.dumps({"type": "GET_HEALTH"}))
        self.assertEqual(status, 200)
        self.assertEqual(request(agent, "POST", "/slave(1)/nothing")[0], 404)

    def test_agent_api_and_files(self):
        self.local.execute("--name", "filed", "--command", "echo file-output")
        slave = json.loads(self.local.get("/master/slaves")[1])["slaves"]
        agents = ["http://%s:%d" % (s["hostname"], s["port"]) for s in slave]
        directory = None
        for agent in agents:
            with urllib.request.urlopen(agent + "/state", timeout=10) as r:
                state = json.loads(r.read())
            for fw in state.get("frameworks", []) + state.get("completed_frameworks", []):
                for ex in fw.get("executors", []) + fw.get("completed_executors", []):
                    if ex["id"] == "filed":
                        directory, where = ex["directory"], agent
        self.assertIsNotNone(directory)
        with urllib.request.urlopen(where + "/files/read?path=%s/stdout&offset=0" % directory,
                                    timeout=10) as r:
            self.assertEqual(r.headers["Access-Control-Allow-Origin"], "*")
            self.assertIn("file-output", json.loads(r.read())["data"])
        with urllib.request.urlopen(where + "/files/browse?path=" + directory, timeout=10) as r:
            names = [os.path.basename(f["path"]) for f in json.loads(r.read())]
        self.assertIn("stdout", names)
        with self.assertRaises(urllib.error.HTTPError) as escape:
            urllib.request.urlopen(where + "/files/read?path=/etc/passwd", timeout=10)
        self.assertEqual(escape.exception.code, 404)
        status, body, _ = post(where.replace("http://", ""), "/api/v1", {"type": "GET_STATE"})
        self.assertEqual(status, 200)
        self.assertIn("get_tasks", json.loads(body)["get_state"])
        metrics = json.loads(urllib.request.urlopen(where + "/metrics/snapshot").read())
        self.assertIn("slave/tasks_running", metrics)


if __name__ == "__main__":
    unittest.main(verbosity=2)
