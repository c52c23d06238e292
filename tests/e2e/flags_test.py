"""A Mesos-style environment file (MESOS_WORK_DIR, MESOS_IP, MESOS_PORT,
MESOS_QUORUM...) sourced into the environment starts a `cairn master` and a
`cairn agent`; /master/flags and /slave(1)/flags list every flag of the
command's table with its value, and GET_FLAGS agrees; the command line wins
over CAIRN_*, which wins over MESOS_*; a Mesos flag cairn does not have, in an
environment file, stops the node with a message naming it."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from processes import Process, free_base, get

CAIRN = sys.argv.pop(1)

# The test must see only the variables it sets.
for key in list(os.environ):
    if key.startswith(("MESOS_", "CAIRN_")):
        del os.environ[key]


def table_names(role):
    """The listed name of every flag of `cairn ROLE`, in the table's order: the
    first spelling of each option in its --help."""
    out = subprocess.run([CAIRN, role, "--help"], capture_output=True, text=True, check=True)
    names = re.findall(r"^  --([a-z0-9_]+)[ ,]", out.stdout, re.M)
    assert len(names) > 10, out.stdout
    return names


def write_env(path, entries):
    with open(path, "w") as f:
        f.write("# written as /etc/default/mesos-master would be\n")
        for key, value in entries.items():
            f.write("%s='%s'\n" % (key, value))


def sourced(env_file, role, *args):
    """`cairn ROLE ARGS` with `env_file` sourced into its environment."""
    return ["/bin/bash", "-c", 'set -a; . "$1"; set +a; shift; exec "$@"', "sh",
            env_file, CAIRN, role, *args]


def get_flags_call(address):
    req = urllib.request.Request(
        "http://%s/api/v1" % address, data=json.dumps({"type": "GET_FLAGS"}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = json.loads(r.read().decode())
    return [(f["name"], f["value"]) for f in body["get_flags"]["flags"]]


class Flags(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-flags-")
        self.procs = []

    def tearDown(self):
        for p in reversed(self.procs):
            p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, role, env, *args):
        env_file = os.path.join(self.dir, role + ".env")
        write_env(env_file, env)
        p = Process(sourced(env_file, role, *args), os.path.join(self.dir, role + ".log"))
        self.procs.append(p)
        return p

    def wait_health(self, address, proc):
        deadline = time.time() + 30
        while time.time() < deadline:
            if get(address, "/health")[0] == 200:
                return
            self.assertIsNone(proc.proc.poll(), "exited early; see %s" % proc.log.name)
            time.sleep(0.2)
        self.fail("%s never became healthy" % address)

    def flags_document(self, address, path):
        status, body = get(address, path)
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual(list(doc), ["flags"])
        return doc["flags"]

    def assert_lists_table(self, role, listed):
        self.assertEqual(list(listed), table_names(role), "listing and table differ")
        for name, value in listed.items():
            self.assertIsInstance(value, str, name)

    def run_refused(self, role, env, *args):
        env_file = os.path.join(self.dir, "refused.env")
        write_env(env_file, env)
        r = subprocess.run(sourced(env_file, role, *args), capture_output=True, text=True,
                           timeout=30)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stderr

    def test_master_and_agent_from_mesos_environment_files(self):
        base = free_base(2)
        master = "127.0.0.1:%d" % base
        m = self.start("master", {
            "MESOS_WORK_DIR": self.dir + "/master", "MESOS_IP": "127.0.0.1",
            "MESOS_PORT": str(base), "MESOS_QUORUM": "1", "MESOS_LOGGING_LEVEL": "INFO",
            "MESOS_ALLOCATION_INTERVAL": "2secs", "MESOS_MAX_SLAVE_PING_TIMEOUTS": "7",
            "MESOS_SANDBOX": "/not/a/flag", "MESOS_MASTER": "an agent flag, ignored here"})
        self.wait_health(master, m)
        listed = self.flags_document(master, "/master/flags")
        self.assert_lists_table("master", listed)
        self.assertEqual(listed["port"], str(base))
        self.assertEqual(listed["ip"], "127.0.0.1")
        self.assertEqual(listed["work_dir"], self.dir + "/master")
        self.assertEqual(listed["quorum"], "1")
        self.assertEqual(listed["allocation_interval"], "2secs")
        self.assertEqual(listed["max_agent_ping_timeouts"], "7")
        self.assertEqual(listed["heartbeat_interval"], "100ms")
        self.assertEqual(listed["election_timeout"], "500ms")
        self.assertEqual(get_flags_call(master), list(listed.items()))

        agent = "127.0.0.1:%d" % (base + 1)
        a = self.start("agent", {
            "MESOS_MASTER": master, "MESOS_WORK_DIR": self.dir + "/agent",
            "MESOS_IP": "127.0.0.1", "MESOS_PORT": "1",
            "CAIRN_HTTP_PORT": str(base + 1),  # CAIRN_* wins over MESOS_*
            "MESOS_RESOURCES": "cpus:1;mem:256;disk:100;ports:[31000-31001]",
            "MESOS_ATTRIBUTES": "rack:a", "MESOS_EXECUTOR_REGISTRATION_TIMEOUT": "1mins",
            "MESOS_FETCHER_CACHE_DIR": self.dir + "/fetch", "MESOS_FETCHER_CACHE_SIZE": "512MB",
            "MESOS_ZK": "a master flag, ignored by an agent as Mesos does"},
            "--executor_registration_timeout", "2mins")  # the command line wins
        self.wait_health(agent, a)
        listed = self.flags_document(agent, "/slave(1)/flags")
        self.assert_lists_table("agent", listed)
        self.assertEqual(listed["port"], str(base + 1))
        self.assertEqual(listed["master"], master)
        self.assertEqual(listed["attributes"], "rack:a")
        self.assertEqual(listed["executor_registration_timeout"], "2mins")
        self.assertEqual(listed["fetcher_cache_dir"], self.dir + "/fetch")
        self.assertEqual(listed["fetcher_cache_size"], "512MB")
        self.assertEqual(listed["fetcher_stall_timeout"], "1mins")
        self.assertEqual(get_flags_call(agent), list(listed.items()))
        self.assertEqual(self.flags_document(agent, "/flags"), listed)

    def test_mesos_flag_cairn_does_not_have_stops_the_master(self):
        port = free_base(1)
        err = self.run_refused("master", {
            "MESOS_WORK_DIR": self.dir + "/zk", "MESOS_IP": "127.0.0.1",
            "MESOS_PORT": str(port), "MESOS_QUORUM": "1", "MESOS_ZK": "zk://127.0.0.1:2181/mesos"})
        self.assertIn("MESOS_ZK: --zk is a Mesos flag that cairn does not have", err)
        self.assertIn("--masters", err)
        self.assertIsNone(get("127.0.0.1:%d" % port, "/health", bound=1)[0])

    def test_refusals_on_the_command_line_and_for_agents(self):
        err = self.run_refused("master", {"MESOS_WORK_DIR": self.dir + "/m"},
                               "--registry=in_memory")
        self.assertIn("--registry is a Mesos flag that cairn does not have", err)
        err = self.run_refused("agent", {"MESOS_WORK_DIR": self.dir + "/a",
                                         "MESOS_MASTER": "127.0.0.1:1",
                                         "MESOS_NETWORK_CNI_CONFIG_DIR": "/etc/cni"})
        self.assertIn("MESOS_NETWORK_CNI_CONFIG_DIR: --network_cni_config_dir is a Mesos flag "
                      "that cairn does not have", err)
        err = self.run_refused("agent", {"MESOS_WORK_DIR": self.dir + "/a",
                                         "MESOS_MASTER": "127.0.0.1:1",
                                         "MESOS_ISOLATION": "posix/cpu,network/cni"})
        self.assertIn("--isolation: unknown isolator 'network/cni'", err)
        err = self.run_refused("agent", {"MESOS_WORK_DIR": self.dir + "/a",
                                         "MESOS_MASTER": "zk://127.0.0.1:2181/mesos"})
        self.assertIn("cairn has no ZooKeeper", err)
        err = self.run_refused("agent", {"MESOS_WORK_DIR": self.dir + "/a",
                                         "MESOS_MASTER": "127.0.0.1:1",
                                         "MESOS_FETCHER_CACHE_SIZE": "lots"})
        self.assertIn("--fetcher_cache_size: invalid size 'lots'", err)
        # Mesos' --launcher_dir: where the executor program is; one without
        # it stops the agent at once, not each task later.
        err = self.run_refused("agent", {"MESOS_WORK_DIR": self.dir + "/a",
                                         "MESOS_MASTER": "127.0.0.1:1",
                                         "MESOS_LAUNCHER_DIR": self.dir})
        self.assertIn("--launcher_dir: cannot run %s/cairn-executor: No such file or directory"
                      % self.dir, err)

    def test_quorum_must_fit_the_masters(self):
        err = self.run_refused("master", {"MESOS_WORK_DIR": self.dir + "/q",
                                          "MESOS_QUORUM": "2"})
        self.assertIn("--quorum 2 needs --masters", err)
        base = free_base(3)
        masters = ",".join("127.0.0.1:%d" % (base + i) for i in range(3))
        err = self.run_refused("master", {"MESOS_WORK_DIR": self.dir + "/q",
                                          "MESOS_PORT": str(base), "MESOS_QUORUM": "1"},
                               "--masters", masters)
        self.assertIn("--quorum 1 is not a majority of 3 masters", err)

    def test_log_timings_are_checked(self):
        err = self.run_refused("master", {"MESOS_WORK_DIR": self.dir + "/t"},
                               "--election-timeout", "200ms")
        self.assertIn("--election-timeout (200ms) must be at least three times "
                      "--heartbeat-interval (100ms)", err)
        err = self.run_refused("master", {"MESOS_WORK_DIR": self.dir + "/t"},
                               "--heartbeat-interval", "0ms")
        self.assertIn("--heartbeat-interval must be at least 1ms", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
