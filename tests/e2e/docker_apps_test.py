"""Marathon-with-Docker tutorial apps against `cairn local
--containerizers=docker,mesos` and `cairn lb` (a real HAProxy): both posted
verbatim but for the image (a local busybox one) and the webserver's cmd;
the answers in Marathon's current shape, the instances running in Docker,
the webserver serving HTTP on its host port and through `cairn lb` on its
service port 9000 (following /v2/events), no client refused while HAProxy
reloads, and every container gone after the apps are."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import docker_engine
from cairn_local import Local

CAIRN = sys.argv.pop(1)

CENT = ('{"container":{"type":"DOCKER","docker":{"image":"%s"}},"id":"cent","instances":1,'
        '"cpus":0.5,"mem":512,"uris":[],"cmd":"while sleep 10; do date -u +%%T; done"}'
        % docker_engine.IMAGE)
WEBSERVER = ('{"id":"webserver","cmd":"httpd -f -p 8080","cpus":0.5,"mem":64.0,"instances":1,'
             '"container":{"type":"DOCKER","docker":{"image":"%s","network":"BRIDGE",'
             '"portMappings":[{"containerPort":8080,"hostPort":0,"servicePort":9000,'
             '"protocol":"tcp"}]}}}' % docker_engine.IMAGE)


def wait_for(what, predicate, bound=90.0, context=lambda: ""):
    deadline = time.time() + bound
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s\n%s" % (what, context()))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url):
    """The HTTP status `url` answers with, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


class DockerApps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cairn-docker-apps-")
        cls.dockerd = docker_engine.start_engine(cls.dir)
        docker_engine.build_image()
        cls.local = Local(CAIRN, agents=1, services=True,
                          extra=("--containerizers", "docker,mesos"))
        cls.stats_port = free_port()
        cls.lb_log = open(os.path.join(cls.dir, "lb.log"), "w+")
        # An interval of an hour: after its first read, /v2/events alone
        # makes cairn lb follow the apps.
        cls.lb = subprocess.Popen(
            [CAIRN, "lb", "--services", cls.local.services_address, "--bind", "127.0.0.1",
             "--stats-port", str(cls.stats_port), "--interval", "1hrs",
             "--config", os.path.join(cls.dir, "haproxy.cfg")],
            stdout=subprocess.DEVNULL, stderr=cls.lb_log, start_new_session=True)

    @classmethod
    def tearDownClass(cls):
        if cls.lb.poll() is None:
            cls.lb.send_signal(signal.SIGTERM)
            cls.lb.wait(timeout=60)
        cls.local.stop()
        cls.local.proc.stdout.close()
        cls.lb_log.close()
        for name in cls.ours():
            docker_engine.remove(name)
        if cls.dockerd is not None:
            cls.dockerd.terminate()
            cls.dockerd.wait(timeout=60)

    @staticmethod
    def containers(running_only=False):
        args = ("ps", "--format", "{{.Names}}") + (() if running_only else ("-a",))
        return [n for n in docker_engine.docker(*args).stdout.split() if n.startswith("mesos-")]

    @classmethod
    def ours(cls):
        """mesos-<ContainerID> of every run under this test's work dir (and
        no other test's, which may share the engine)."""
        names = set()
        for dirpath, dirs, _files in os.walk(cls.local.work_dir):
            if dirpath.endswith("/runs") and "/executors/" in dirpath:
                names.update("mesos-" + d for d in dirs if d != "latest")
        return names

    def request(self, method, path, body=None):
        req = urllib.request.Request("http://%s%s" % (self.local.services_address, path),
                                     data=body.encode() if body else None, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null"), r.headers
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null"), e.headers

    def running_task(self, app):
        def running():
            status, body, _ = self.request("GET", "/v2/apps/%s/tasks" % app)
            self.assertEqual(status, 200, body)
            tasks = [t for t in body["tasks"] if t["state"] == "TASK_RUNNING"]
            return tasks[0] if tasks else None
        return wait_for(app + " running", running)

    def config(self):
        with open(os.path.join(self.dir, "haproxy.cfg")) as f:
            return f.read()

    def lb_logs(self):
        self.lb_log.flush()
        self.lb_log.seek(0)
        return self.config() + "\n" + self.lb_log.read()[-3000:]

    def test_1_cent_gets_marathons_defaults_and_runs_in_docker(self):
        status, app, headers = self.request("POST", "/v2/apps", CENT)
        self.assertEqual(status, 201, app)
        self.assertEqual(headers["Location"].rsplit("/v2/apps", 1)[1], "/cent")
        self.assertEqual(app["id"], "/cent")
        self.assertEqual(app["cmd"], "while sleep 10; do date -u +%T; done")
        self.assertEqual((app["instances"], app["cpus"], app["mem"], app["disk"]),
                         (1, 0.5, 512, 0))
        self.assertEqual((app["backoffSeconds"], app["backoffFactor"],
                          app["maxLaunchDelaySeconds"]), (1, 1.15, 300))
        self.assertEqual(app["upgradeStrategy"],
                         {"minimumHealthCapacity": 1, "maximumOverCapacity": 1})
        self.assertEqual(app["killSelection"], "YOUNGEST_FIRST")
        self.assertEqual(app["networks"], [{"mode": "host"}])
        self.assertEqual(app["container"]["type"], "DOCKER")
        self.assertEqual(app["container"]["docker"]["image"], docker_engine.IMAGE)
        self.assertIn("version", app)
        self.assertIn("deployments", app)
        self.assertEqual(len(app["portDefinitions"]), 1, app)
        default = app["portDefinitions"][0]
        self.assertEqual((default["protocol"], default["name"]), ("tcp", "default"))
        self.assertTrue(10000 <= default["port"] <= 20000, default)

        task = self.running_task("cent")
        self.assertEqual(task["appId"], "/cent")
        self.assertEqual(task["servicePorts"], [default["port"]])
        running = self.ours() & set(self.containers(running_only=True))
        self.assertEqual(len(running), 1, running)
        self.assertEqual(docker_engine.inspect(running.pop())["Config"]["Image"],
                         docker_engine.IMAGE)

    def test_2_webserver_is_bridged_and_served_on_its_host_port_and_through_lb(self):
        status, app, _ = self.request("POST", "/v2/apps", WEBSERVER)
        self.assertEqual(status, 201, app)
        self.assertEqual(app["id"], "/webserver")
        self.assertEqual(app["networks"], [{"mode": "container/bridge"}])
        self.assertEqual(app["container"]["portMappings"], [
            {"containerPort": 8080, "hostPort": 0, "servicePort": 9000, "protocol": "tcp"}])
        self.assertNotIn("network", app["container"]["docker"])
        self.assertNotIn("portMappings", app["container"]["docker"])
        self.assertNotIn("portDefinitions", app)

        task = self.running_task("webserver")
        self.assertEqual(task["servicePorts"], [9000])
        host_port = task["ports"][0]
        self.assertNotEqual(host_port, 0)
        # httpd serves its working directory, the sandbox, where stdout is.
        self.assertEqual(wait_for("the webserver on its host port", lambda: http_status(
            "http://127.0.0.1:%d/stdout" % host_port)), 200)
        self.assertEqual(wait_for("the webserver through cairn lb on 9000", lambda: http_status(
            "http://127.0.0.1:9000/stdout"), bound=60, context=self.lb_logs), 200,
            self.lb_logs())
        config = self.config()
        self.assertIn("server %s 127.0.0.1:%d" % (task["id"], host_port), config)
        self.assertEqual(http_status(
            "http://127.0.0.1:%d/_haproxy_health_check" % self.stats_port), 200, self.lb_logs())

    def test_3_reloads_refuse_no_client_while_the_webserver_scales(self):
        answers = []
        done = threading.Event()

        def client():
            while not done.is_set():
                answers.append(http_status("http://127.0.0.1:9000/stdout"))

        first = self.running_task("webserver")["id"]
        reloads = self.lb_logs().count("haproxy reloaded")
        thread = threading.Thread(target=client)
        thread.start()
        try:
            status, body, _ = self.request("PUT", "/v2/apps/webserver", '{"instances": 2}')
            self.assertEqual(status, 200, body)
            wait_for("two webservers behind 9000", lambda: self.config().split(
                "listen webserver_9000")[1].split("listen")[0].count("  server ") == 2,
                context=self.lb_logs)
            # The configuration is written before HAProxy is told to load it.
            wait_for("the reload", lambda: self.lb_logs().count("haproxy reloaded") > reloads,
                     context=self.lb_logs)
            count = len(answers)
            wait_for("answers after the reload", lambda: len(answers) > count + 10)
        finally:
            done.set()
            thread.join()
        self.assertTrue(answers)
        self.assertEqual([a for a in answers if a != 200], [], self.lb_logs())
        # A scale, as in Marathon, replaces nothing that runs.
        status, body, _ = self.request("GET", "/v2/apps/webserver/tasks")
        self.assertIn(first, [t["id"] for t in body["tasks"] if t["state"] == "TASK_RUNNING"])

    def test_4_destroying_the_apps_removes_their_containers_and_lb_listener(self):
        for app in ("cent", "webserver"):
            status, body, _ = self.request("DELETE", "/v2/apps/" + app)
            self.assertEqual(status, 200, body)
        # A container's main process may ignore SIGTERM (a shell as pid 1):
        # the stop ends in a kill after the grace period.
        self.assertEqual(len(self.ours()), 3)  # cent and two webservers
        wait_for("every container stopped",
                 lambda: not self.ours() & set(self.containers(running_only=True)), bound=120)
        wait_for("cairn lb dropping 9000", lambda: "9000" not in self.config(), bound=60,
                 context=self.lb_logs)
        wait_for("nothing answering on 9000",
                 lambda: http_status("http://127.0.0.1:9000/stdout") is None, bound=60)

    def test_5_lb_stops_haproxy_when_it_ends(self):
        def children(pid):
            return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                  text=True).stdout.split()
        def command(pid):
            with open("/proc/%s/cmdline" % pid) as f:
                return f.read()
        haproxy = [p for p in children(self.lb.pid) if "haproxy" in command(p)]
        self.assertEqual(len(haproxy), 1, self.lb_logs())  # the master
        haproxy += children(haproxy[0])  # and its workers
        self.assertGreater(len(haproxy), 1, self.lb_logs())
        self.lb.send_signal(signal.SIGTERM)
        self.assertEqual(self.lb.wait(timeout=60), 0, self.lb_logs())
        for pid in haproxy:
            self.assertFalse(os.path.exists("/proc/%s" % pid), "haproxy %s outlived cairn lb" % pid)


if __name__ == "__main__":
    unittest.main(verbosity=2)
