"""Hostile HTTP clients never take a node down: with 5,000 slow uploads held, /health
answers throughout; one address past its bound is refused while others are served; a
stalled upload is cut at the body deadline; a closed SUBSCRIBE stream makes its framework
inactive from the close itself, not a heartbeat later; cross-site content types get 415 and change
nothing; nothing that changes state carries a wildcard CORS header."""
import http.client
import json
import re
import resource
import socket
import subprocess
import sys
import time
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)

SLOW_UPLOADS = 5000
# Below SLOW_UPLOADS, so that the flood passes the server's bound and the
# oldest slow uploads must make room; the flood comes from ten addresses,
# each under the per-address bound.
MAX_CONNECTIONS = 4096
PER_ADDRESS = 600
FLOOD_SOURCES = ["127.0.0.%d" % i for i in range(10, 20)]
# Seconds: a closed subscription seen by /master/state from the close itself,
# well before the minute after which a heartbeat to it would fail.
INACTIVE_BOUND = 20
BODY_TIMEOUT = 15         # seconds: the default --http-body-timeout
GENEROUS = 10             # seconds: for what must happen, never a speed check
# What the node may grow by while the flood is held: each upload announces a
# megabyte, and memory must follow what arrived (a few bytes), not what was
# announced (5 GB).
FLOOD_GROWTH_BOUND = 512 * 1024 * 1024
CROSS_SITE = "text/plain;application/json"

# Asks /health on a connection of its own every 0.1 s until its stdin closes,
# printing "status seconds" each time: a process of its own, so that the
# flood in this one cannot delay it.
PROBER = r"""
import http.client, select, sys, time
host, port = sys.argv[1], int(sys.argv[2])
while not select.select([sys.stdin], [], [], 0.1)[0]:
    start = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=10, source_address=("127.0.0.1", 0))
        conn.request("GET", "/health")
        status = conn.getresponse().status
        conn.close()
    except OSError as e:
        status = type(e).__name__
    print(status, time.monotonic() - start, flush=True)
"""


def raise_descriptor_limit(wanted):
    """The flood's sockets, here, and the node's connections (it inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < wanted:
        try:  # root may raise the hard limit, where the container allows it
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, wanted))
            hard = wanted
        except (ValueError, OSError):
            pass
    if soft < min(wanted, hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < SLOW_UPLOADS + PER_ADDRESS + 1000:
        raise unittest.SkipTest("RLIMIT_NOFILE %d cannot hold the flood" % soft)


class HttpAbuse(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise_descriptor_limit(16384)
        cls.local = Local(CAIRN, agents=1, extra=[
            "--http-max-connections", str(MAX_CONNECTIONS),
            "--http-max-connections-per-address", str(PER_ADDRESS),
            # Heartbeats would find a closed stream only after a minute.
            "--framework-heartbeat-interval", "1mins"])
        host, _, port = cls.local.address.partition(":")
        cls.host, cls.port = host, int(port)
        slave = cls.local.state()["slaves"][0]
        cls.agent = (slave["hostname"], slave["port"])

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    # -- clients

    def open_from(self, source, timeout=GENEROUS):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Linux's IP_BIND_ADDRESS_NO_PORT: the port is picked at connect(),
        # which keeps 5,000 binds from costing this process a core.
        s.setsockopt(socket.IPPROTO_IP, 24, 1)
        s.settimeout(timeout)
        s.bind((source, 0))
        s.connect((self.host, self.port))
        return s

    def request(self, method, path, body=None, headers=None, source="127.0.0.1", to=None):
        host, port = to or (self.host, self.port)
        conn = http.client.HTTPConnection(host, port, timeout=GENEROUS,
                                          source_address=(source, 0))
        try:
            conn.request(method, path, body, headers or {})
            r = conn.getresponse()
            return r.status, r.read().decode(errors="replace"), dict(r.getheaders())
        finally:
            conn.close()

    def health_seconds(self, source="127.0.0.1"):
        """One /health on a connection of its own: (status, seconds it took)."""
        start = time.monotonic()
        try:
            status, _, _ = self.request("GET", "/health", source=source)
        except OSError as e:
            return repr(e), time.monotonic() - start
        return status, time.monotonic() - start

    @staticmethod
    def read_until_closed(s):
        """(bytes, closed): what the server sent until it closed; closed False when the
        connection was still open at the socket's timeout."""
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return data, False
            except ConnectionResetError:
                return data, True
            if not chunk:
                return data, True
            data += chunk

    def node_rss_bytes(self):
        with open("/proc/%d/status" % self.local.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS for the node")

    def framework(self, framework_id):
        state = self.local.state()
        for f in state["frameworks"] + state.get("completed_frameworks", []):
            if f["id"] == framework_id:
                return f
        return None

    # -- the tests

    def test_health_answers_while_5000_slow_uploads_are_held(self):
        head = ("POST /api/v1/scheduler HTTP/1.1\r\nHost: cairn\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
                '{"type": "SUBSCRIBE", ').encode()
        rss_before = self.node_rss_bytes()
        prober = subprocess.Popen([sys.executable, "-c", PROBER, self.host, str(self.port)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        uploads, rss_held = [], 0
        try:
            for i in range(SLOW_UPLOADS):
                s = self.open_from(FLOOD_SOURCES[i % len(FLOOD_SOURCES)])
                s.sendall(head)
                uploads.append(s)
            # Held for a while, with a byte now and then: a trickle, never a whole body.
            held_until = time.monotonic() + 5
            while time.monotonic() < held_until:
                for s in uploads[::50]:
                    try:
                        s.send(b" ")
                    except OSError:
                        pass
                time.sleep(0.5)
            rss_held = self.node_rss_bytes()
        finally:
            out, _ = prober.communicate("stop\n", timeout=GENEROUS + 5)
            probes = []
            for line in out.splitlines():
                status, seconds = line.split()
                probes.append((int(status) if status.isdigit() else status, float(seconds)))
            closed = 0
            for s in uploads:
                s.setblocking(False)
                try:
                    closed += s.recv(1) == b""
                except BlockingIOError:
                    pass
                except OSError:
                    closed += 1
                s.close()
        print("%d /health probes during the flood, slowest %.3f s; the server closed %d of "
              "%d slow uploads to stay within %d connections; it grew by %d MiB"
              % (len(probes), max((t for _, t in probes), default=0), closed, len(uploads),
                 MAX_CONNECTIONS, (rss_held - rss_before) // (1024 * 1024)), file=sys.stderr)
        self.assertEqual(len(uploads), SLOW_UPLOADS)
        # Answered, every time, while the uploads were held: how fast is the
        # figure printed above, not an assertion (a loaded machine slows it).
        self.assertGreaterEqual(len(probes), 2)
        self.assertEqual([s for s, _ in probes if s != 200], [])
        # Past the bound the oldest uploads made room, and no more than needed did.
        self.assertGreaterEqual(closed, SLOW_UPLOADS - MAX_CONNECTIONS)
        self.assertLess(closed, SLOW_UPLOADS - MAX_CONNECTIONS + len(probes) + 100)
        self.assertLess(rss_held - rss_before, FLOOD_GROWTH_BOUND)

    def test_an_address_past_its_bound_is_refused_at_once_while_others_are_served(self):
        held = [self.open_from("127.0.0.50") for _ in range(PER_ADDRESS)]
        try:
            for _ in range(20):
                s = self.open_from("127.0.0.50")
                data, closed = self.read_until_closed(s)
                s.close()
                self.assertTrue(closed, "a connection past the bound was left open")
                self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 503"), data)
            status, seconds = self.health_seconds(source="127.0.0.51")
            self.assertEqual(status, 200)
        finally:
            for s in held:
                s.close()
        # Once its connections end, the address is served again.
        deadline = time.monotonic() + GENEROUS
        while self.health_seconds(source="127.0.0.50")[0] != 200:
            self.assertLess(time.monotonic(), deadline, "127.0.0.50 was never served again")
            time.sleep(0.1)

    def test_a_stalled_upload_is_answered_408_and_closed_at_the_body_deadline(self):
        before = len(self.local.state()["frameworks"])
        s = self.open_from("127.0.0.60", timeout=BODY_TIMEOUT + GENEROUS)
        s.sendall(b"POST /api/v1/scheduler HTTP/1.1\r\nHost: cairn\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                  b'{"type": "SUBSCRIBE", "subscribe": {"framework_info": ')
        data, closed = self.read_until_closed(s)
        s.close()
        self.assertTrue(closed, "the stalled upload outlived the body deadline")
        self.assertTrue(data.startswith(b"HTTP/1.1 408"), data)
        self.assertIn(b"did not arrive within 15 s", data)
        self.assertEqual(len(self.local.state()["frameworks"]), before)

    def test_a_closed_subscribe_stream_makes_its_framework_inactive_within_a_second(self):
        body = json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": {
            "user": "root", "name": "goes-away", "roles": ["*"],
            "failover_timeout": 3600}}}).encode()
        s = self.open_from("127.0.0.70")
        s.sendall(b"POST /api/v1/scheduler HTTP/1.1\r\nHost: cairn\r\n"
                  b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                  % (len(body), body))
        seen = b""
        while b'"OFFERS"' not in seen:
            chunk = s.recv(65536)
            self.assertTrue(chunk, "the stream ended before any offer: %r" % seen)
            seen += chunk
        framework_id = re.search(rb'"framework_id":\{"value":"([^"]+)"', seen).group(1).decode()
        before = self.framework(framework_id)
        self.assertTrue(before and before.get("active"), before)
        # A FIN, as from a client that closes its end: kj itself reports only
        # resets, and nothing is written to a quiet subscriber for a minute.
        s.shutdown(socket.SHUT_WR)
        closed_at = time.monotonic()
        while True:
            f = self.framework(framework_id)
            elapsed = time.monotonic() - closed_at
            if f is not None and not f.get("active", False):
                break
            self.assertLess(elapsed, INACTIVE_BOUND, "the framework stayed active: %r" % f)
            time.sleep(0.05)
        s.close()
        print("framework inactive %.3f s after its stream closed" % elapsed, file=sys.stderr)
        self.assertFalse(f.get("connected", False))
        offered = f.get("offered_resources", {})
        self.assertEqual(offered.get("cpus", 0), 0, "its offers were not taken back: %r" % f)

    def test_cross_site_content_types_get_415_and_change_nothing(self):
        weights = self.request("GET", "/weights")[1]
        frameworks = len(self.local.state()["frameworks"])
        subscribe = json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": {
            "user": "root", "name": "cross-site", "roles": ["*"]}}})
        update = json.dumps({"type": "UPDATE_WEIGHTS", "update_weights": {
            "weight_infos": [{"role": "stolen", "weight": 9}]}})
        refused = [
            ("POST", "/api/v1/scheduler", subscribe, CROSS_SITE, None),
            ("POST", "/api/v1", update, CROSS_SITE, None),
            ("POST", "/api/v1", update, "text/plain", None),
            ("POST", "/api/v1", update, "application/x-www-form-urlencoded", None),
            ("POST", "/api/v1", update, "application/jsonx", None),
            ("PUT", "/weights", '[{"role": "stolen", "weight": 9}]', CROSS_SITE, None),
            ("PUT", "/cairn/kv/cross-site", "x", CROSS_SITE, None),
            ("POST", "/api/v1", json.dumps({"type": "GET_HEALTH"}), CROSS_SITE, self.agent),
        ]
        for method, path, body, content_type, to in refused:
            status, text, _ = self.request(method, path, body, {"Content-Type": content_type},
                                           to=to)
            self.assertEqual(status, 415, (method, path, content_type, text))
            self.assertIn("application/json", text)
        # Protobuf is Mesos' other form: a body that is not one is a 400.
        status, text, _ = self.request("POST", "/api/v1", update,
                                       {"Content-Type": "application/x-protobuf"})
        self.assertEqual(status, 400, text)
        self.assertEqual(self.request("GET", "/weights")[1], weights)
        self.assertEqual(len(self.local.state()["frameworks"]), frameworks)
        self.assertEqual(self.request("GET", "/cairn/kv/cross-site")[0], 404)
        # The exact type, with parameters and in any case, is JSON.
        status, _, _ = self.request("POST", "/api/v1", json.dumps({"type": "GET_HEALTH"}),
                                    {"Content-Type": "Application/JSON; charset=utf-8"})
        self.assertEqual(status, 200)

    def test_state_changing_routes_carry_no_wildcard_cors(self):
        json_type = {"Content-Type": "application/json"}
        calls = [
            ("POST", "/api/v1", json.dumps({"type": "GET_HEALTH"}), json_type, None, 200),
            ("PUT", "/weights", '[{"role": "cors", "weight": 1}]', json_type, None, 200),
            ("PUT", "/cairn/kv/cors", "v", {"Content-Type": "application/octet-stream"},
             None, 200),
            ("DELETE", "/cairn/kv/cors", None, {}, None, 200),
            ("POST", "/api/v1/scheduler", "{}", json_type, None, 400),
            ("POST", "/api/v1", json.dumps({"type": "GET_HEALTH"}), json_type, self.agent, 200),
            ("POST", "/api/v1/executor", "{}", json_type, self.agent, 400),
            ("POST", "/health", "", json_type, self.agent, 405),
        ]
        for method, path, body, headers, to, expected in calls:
            status, text, answer = self.request(method, path, body, headers, to=to)
            self.assertEqual(status, expected, (method, path, text))
            names = {k.lower() for k in answer}
            self.assertNotIn("access-control-allow-origin", names, (method, path, to))
        # The reads the UI makes of agents keep it.
        _, _, answer = self.request("GET", "/state", to=self.agent)
        self.assertEqual(answer.get("Access-Control-Allow-Origin"), "*")


if __name__ == "__main__":
    unittest.main(verbosity=2)
