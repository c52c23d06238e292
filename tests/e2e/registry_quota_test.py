"""Oversized input to a running `cairn local` (a SUBSCRIBE with huge labels, an
oversized key-value write) is refused with a reason naming the limit, stores
nothing, and the node keeps serving and admitting frameworks and keys."""
import http.client
import json
import sys
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)

FRAMEWORK_INFO_LIMIT = 64 * 1024
KV_VALUE_LIMIT = 1024 * 1024
KV_KEY_LIMIT = 1024


def request(address, method, path, body=b"", headers=None):
    host, _, port = address.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = dict(headers or {})
    if body:
        # Key-value values are bytes; the server takes only declared types.
        headers.setdefault("Content-Type", "application/octet-stream")
    conn.request(method, path, body, headers)
    r = conn.getresponse()
    out = (r.status, r.read().decode(errors="replace"))
    conn.close()
    return out


def subscribe_call(name, label_bytes=0):
    info = {"user": "root", "name": name, "failover_timeout": 7 * 24 * 3600.0}
    if label_bytes:
        info["labels"] = {"labels": [{"key": "k", "value": "l" * label_bytes}]}
    return json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": info}})


class RegistryQuota(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1)
        cls.address = cls.local.address

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def assert_serving(self):
        status, _ = self.local.get("/health")
        self.assertEqual(status, 200, self.local.logs())

    def registry(self):
        status, body = self.local.get("/registrar(1)/registry")
        self.assertEqual(status, 200)
        return json.loads(body)

    def framework_names(self):
        stored = [f["info"]["name"] for f in self.registry().get("frameworks", [])]
        state = self.local.state()
        known = [f["name"] for f in state["frameworks"] + state.get("completed_frameworks", [])]
        return stored, known

    def test_a_subscribe_with_huge_labels_is_refused_and_nothing_is_stored(self):
        # The attack: many SUBSCRIBEs of 900 KiB labels, each refused.
        for _ in range(3):
            status, body = request(self.address, "POST", "/api/v1/scheduler",
                                   subscribe_call("hostile", 900 * 1024),
                                   {"Content-Type": "application/json"})
            self.assertEqual(status, 400, body)
            self.assertIn("limit of %d bytes on one FrameworkInfo" % FRAMEWORK_INFO_LIMIT, body)
        self.assert_serving()
        stored, known = self.framework_names()
        self.assertNotIn("hostile", stored)
        self.assertNotIn("hostile", known)
        # A framework of an ordinary size is still admitted and recorded.
        host, _, port = self.address.partition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("POST", "/api/v1/scheduler", subscribe_call("ordinary", 1024),
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        length = b""
        while not length.endswith(b"\n"):
            length += r.read(1)
        event = json.loads(r.read(int(length)))
        self.assertEqual(event["type"], "SUBSCRIBED", event)
        conn.close()
        stored, _ = self.framework_names()
        self.assertIn("ordinary", stored)

    def test_an_oversized_value_or_key_is_refused_and_nothing_is_stored(self):
        status, body = request(self.address, "PUT", "/cairn/kv/big",
                               b"v" * (KV_VALUE_LIMIT + 1))
        self.assertEqual(status, 413, body)
        self.assertIn("limit of %d bytes on one value" % KV_VALUE_LIMIT, body)
        status, body = request(self.address, "PUT", "/cairn/kv/" + "k" * (KV_KEY_LIMIT + 1),
                               b"v")
        self.assertEqual(status, 400, body)
        self.assertIn("limit of %d bytes" % KV_KEY_LIMIT, body)
        self.assert_serving()
        self.assertEqual(request(self.address, "GET", "/cairn/kv/big")[0], 404)
        keys = [e["key"] for e in self.registry().get("kv", [])]
        self.assertNotIn("big", keys)
        self.assertFalse([k for k in keys if k.startswith("kkkk")])
        # A value at the limit is taken.
        status, body = request(self.address, "PUT", "/cairn/kv/at-limit", b"v" * KV_VALUE_LIMIT)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["version"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
