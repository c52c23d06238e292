"""What deploy/ gives an operator: systemd units that systemd-analyze accepts
without a complaint, and example configurations from which each role starts
(the master serves, the agent joins it)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

CAIRN = sys.argv.pop(1)
DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
    return env


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode()


class Deploy(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-deploy-")
        self.procs = []

    def tearDown(self):
        for p in reversed(self.procs):  # agents first: they tell the master
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_units_pass_systemd_analyze_verify(self):
        units = []
        for name in ("cairn-master.service", "cairn-agent.service"):
            with open(os.path.join(DEPLOY, "systemd", name)) as f:
                text = f.read()
            self.assertIn("ExecStart=/usr/local/bin/cairn", text)
            self.assertIn("Restart=on-failure", text)
            self.assertIn("EnvironmentFile=-/etc/default/", text)
            # Only where the binary is differs from an installed machine.
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write(text.replace("/usr/local/bin/cairn", os.path.abspath(CAIRN)))
            units.append(path)
        with open(units[1]) as f:
            self.assertIn("KillMode=process", f.read())
        r = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze complained")

    def start_role(self, role, overrides):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MESOS_", "CAIRN_"))}
        env.update(read_env(os.path.join(DEPLOY, "config", "cairn-" + role)))
        env.update(overrides)
        with open(os.path.join(self.dir, role + ".log"), "w") as log:
            p = subprocess.Popen([CAIRN, role], env=env, stdout=subprocess.DEVNULL, stderr=log)
        self.procs.append(p)
        return p

    def wait_until(self, check, bound=30):
        deadline = time.time() + bound
        while time.time() < deadline:
            try:
                if check():
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def test_each_role_starts_from_its_example_configuration(self):
        master_port, agent_port = free_port(), free_port()
        self.start_role("master", {
            "MESOS_IP": "127.0.0.1", "MESOS_ADVERTISE_IP": "127.0.0.1",
            "MESOS_PORT": str(master_port), "MESOS_WORK_DIR": self.dir + "/master"})
        master = "http://127.0.0.1:%d" % master_port
        self.assertTrue(self.wait_until(lambda: get(master + "/health")[0] == 200))
        self.start_role("agent", {
            "MESOS_MASTER": "127.0.0.1:%d" % master_port, "MESOS_IP": "127.0.0.1",
            "MESOS_ADVERTISE_IP": "127.0.0.1", "MESOS_PORT": str(agent_port),
            "MESOS_WORK_DIR": self.dir + "/agent"})
        joined = lambda: json.loads(get(master + "/master/state")[1])["activated_slaves"] == 1
        self.assertTrue(self.wait_until(joined), "the agent never joined the master")


if __name__ == "__main__":
    unittest.main(verbosity=2)
