"""Hostile values sent to a running `cairn local` are refused with a reason
and change nothing, and the node keeps serving: huge scalars in a LAUNCH,
ids that are paths, durations and weights out of range, text that is not
UTF-8, and control characters that would reach the log raw."""
import http.client
import json
import os
import subprocess
import sys
import time
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)


def request(address, method, path, body, headers=None):
    host, _, port = address.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request(method, path, body if isinstance(body, bytes) else body.encode(), h)
    r = conn.getresponse()
    out = (r.status, r.read().decode(errors="replace"))
    conn.close()
    return out


def subscribe_body(name='"hostile"', extra=""):
    return ('{"type": "SUBSCRIBE", "subscribe": {"framework_info": '
            '{"user": "root", "name": %s%s}}}' % (name, extra))


class Scheduler:
    """A framework over the v1 scheduler API: one streaming connection."""

    def __init__(self, address, body):
        host, _, port = address.partition(":")
        self.address = address
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.conn.request("POST", "/api/v1/scheduler", body.encode(),
                          {"Content-Type": "application/json"})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.stream_id = self.response.getheader("Mesos-Stream-Id")
        self.framework_id = None
        if self.status == 200:
            subscribed = self.next_event("SUBSCRIBED")
            self.framework_id = subscribed["subscribed"]["framework_id"]["value"]

    def next_event(self, kind, bound=30):
        deadline = time.time() + bound
        while time.time() < deadline:
            length = b""
            while not length.endswith(b"\n"):
                byte = self.response.read(1)
                if not byte:
                    raise RuntimeError("the event stream ended")
                length += byte
            event = json.loads(self.response.read(int(length)))
            if event["type"] == kind:
                return event
        raise RuntimeError("no %s event within %ss" % (kind, bound))

    def launch(self, task, raw_resources=None):
        """Accepts the next offer with `task`; returns the task's next status."""
        offer = self.next_event("OFFERS")["offers"]["offers"][0]
        task.setdefault("agent_id", offer["agent_id"])
        if "executor" not in task:
            task.setdefault("command", {"value": "true"})
        body = {"type": "ACCEPT", "framework_id": {"value": self.framework_id}, "accept": {
            "offer_ids": [offer["id"]], "filters": {"refuse_seconds": 0},
            "operations": [{"type": "LAUNCH", "launch": {"task_infos": [task]}}]}}
        text = json.dumps(body)
        if raw_resources is not None:
            # json.dumps cannot write 1e300 as other clients may: pasted as text.
            text = text.replace('"RAW"', raw_resources)
        status, answer = request(self.address, "POST", "/api/v1/scheduler", text,
                                 {"Mesos-Stream-Id": self.stream_id})
        if status != 202:
            raise RuntimeError("ACCEPT answered %d: %s" % (status, answer))
        return self.next_event("UPDATE")["update"]["status"]

    def close(self):
        self.conn.close()


class HostileValues(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1)
        cls.address = cls.local.address

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def assert_serving(self):
        self.assertEqual(self.local.get("/health")[0], 200)
        # /master/state is valid UTF-8 and valid JSON (urllib decodes strictly).
        raw = request(self.address, "GET", "/master/state", "")[1]
        json.loads(raw)

    def framework_names(self):
        state = self.local.state()
        return [f["name"] for f in state["frameworks"] + state.get("completed_frameworks", [])]

    def assert_refused(self, status, text, *words):
        self.assertEqual(status, 400, text)
        for word in words:
            self.assertIn(word, text)
        self.assert_serving()

    def test_huge_scalars_in_a_launch_are_a_task_error(self):
        scheduler = Scheduler(self.address, subscribe_body('"launcher"'))
        self.assertEqual(scheduler.status, 200)
        try:
            for value in ("1e300", "1e16", "-1"):
                task = {"name": "huge", "task_id": {"value": "huge-" + value},
                        "resources": "RAW"}
                status = scheduler.launch(task, '[{"name": "cpus", "type": "SCALAR", '
                                                '"scalar": {"value": %s}}]' % value)
                self.assertEqual(status["state"], "TASK_ERROR", value)
                self.assertIn("cpus", status["message"], value)
                self.assert_serving()
            tasks = [t["id"] for t in json.loads(self.local.get("/master/tasks")[1])["tasks"]]
            self.assertFalse([t for t in tasks if t.startswith("huge-")])
        finally:
            scheduler.close()

    def test_ids_that_are_paths_are_refused_and_make_no_directory(self):
        for field in ('"id": {"value": "../../../../tmp/x"}', '"id": {"value": ".."}',
                      '"id": {"value": "a/b"}'):
            status, text = request(self.address, "POST", "/api/v1/scheduler",
                                   subscribe_body('"path-id"', ", " + field))
            self.assert_refused(status, text, "id")
        self.assertNotIn("path-id", self.framework_names())
        scheduler = Scheduler(self.address, subscribe_body('"path-task"'))
        try:
            for task in ({"name": "t", "task_id": {"value": "../../../../escaped"}},
                         {"name": "t", "task_id": {"value": "ok-1"},
                          "executor": {"executor_id": {"value": ".."},
                                       "command": {"value": "true"}}}):
                task["resources"] = [{"name": "cpus", "type": "SCALAR",
                                      "scalar": {"value": 0.1}}]
                status = scheduler.launch(task)
                self.assertEqual(status["state"], "TASK_ERROR")
                self.assertIn("ID", status["message"])
        finally:
            scheduler.close()
        work = os.path.realpath(self.local.work_dir)
        for root, dirs, _files in os.walk(work):
            for d in dirs:
                self.assertNotIn(d, ("x", "escaped", "tmp"), os.path.join(root, d))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(work), "tmp", "x")))
        self.assert_serving()

    def test_durations_that_are_no_duration_are_refused(self):
        for timeout in ("1e400", "-1", "1e300"):
            status, text = request(self.address, "POST", "/api/v1/scheduler",
                                   subscribe_body('"timeout-%s"' % timeout,
                                                  ', "failover_timeout": ' + timeout))
            self.assert_refused(status, text, "failover_timeout")
            self.assertNotIn("timeout-" + timeout, self.framework_names())

    def test_weights_are_parsed_not_pasted_and_checked(self):
        before = self.local.get("/weights")[1]
        for body in ('[], "weight_infos":[{"role": "web", "weight": 2}]',
                     '[{"role": "a b", "weight": 1}]', '[{"role": "..", "weight": 1}]',
                     '[{"role": "web", "weight": 5e-324}]', '[{"role": "web", "weight": 1e400}]',
                     '[{"role": "web", "weight": 1e12}]', '{"role": "web", "weight": 1}'):
            status, text = request(self.address, "PUT", "/weights", body)
            self.assert_refused(status, text)
            self.assertTrue(text.strip(), body)
            self.assertEqual(self.local.get("/weights")[1], before, body)
        status, _ = request(self.address, "PUT", "/weights", '[{"role": "web", "weight": 2}]')
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(self.local.get("/weights")[1]),
                         [{"role": "web", "weight": 2}])

    def test_text_that_is_not_utf8_is_refused(self):
        for name in (b'"lone\\ud800surrogate"', b'"raw\xff\xfebytes"', b'"cut\xe2\x82"'):
            body = subscribe_body("NAME").encode().replace(b"NAME", name)
            status, text = request(self.address, "POST", "/api/v1/scheduler", body)
            self.assert_refused(status, text, "UTF-8")
        self.assertFalse([n for n in self.framework_names()
                          if "lone" in n or "raw" in n or "cut" in n])

    def test_control_characters_reach_the_log_escaped(self):
        scheduler = Scheduler(self.address, subscribe_body('"bell\\u0007esc\\u001b[31mred"'))
        self.assertEqual(scheduler.status, 200)
        scheduler.close()
        self.assert_serving()
        deadline = time.time() + 10
        log = ""
        while time.time() < deadline and "bell" not in log:
            log = self.local.logs()
            time.sleep(0.1)
        self.assertIn("bell\\x07esc\\x1b[31mred", log)
        self.assertNotIn("\x1b", log)
        self.assertNotIn("\x07", log)


class HostileFlags(unittest.TestCase):
    def test_flags_out_of_range_stop_the_start_with_a_reason(self):
        for flag, value in (("--resources", "cpus:1e16"), ("--resources", "mem:1e300"),
                            ("--resources", "ports:[0-18446744073709551615]"),
                            ("--resources", "cpus(..):1"), ("--weights", "web=5e-324"),
                            ("--weights", "a b=1")):
            r = subprocess.run([CAIRN, "local", "--http-port", "0", "--work-dir",
                                "/nonexistent-cairn-e2e", flag, value],
                               capture_output=True, text=True, timeout=60)
            self.assertNotEqual(r.returncode, 0, value)
            self.assertIn(flag, r.stdout + r.stderr, value)


if __name__ == "__main__":
    unittest.main(verbosity=2)
