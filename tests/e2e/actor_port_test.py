"""Bytes that crash CAF 0.17's middleman (a handshake with no payload, garbage,
a message without a body) sent to every actor port and log port of three
`cairn master` processes and a `cairn agent`: each peer is cut off, every
process keeps running and serving, and the cluster still runs a task."""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

from processes import Process, free_base, get

CAIRN = sys.argv.pop(1)


def header(op, payload_len, dest_actor=0, source_actor=0, operation_data=0, flags=0):
    return struct.pack(">BBBBIQQQ", op, 0, 0, flags, payload_len, operation_data,
                       source_actor, dest_actor)


# Each is something CAF 0.17.6 alone dies on, or would parse unchecked.
HOSTILE = {
    "empty client handshake": b"\x01" + b"\x00" * 31,
    "empty server handshake": header(0, 0, operation_data=3),
    "garbage": bytes(range(256)) * 4,
    "message before handshake": header(2, 1, dest_actor=1) + b"x",
    "payload larger than any message": header(1, 0xFFFFFFFF),
}


def send_hostile(port, data, bound=15):
    """Sends `data`; True once the other side has closed the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=bound) as s:
        s.sendall(data)
        deadline = time.time() + bound
        while time.time() < deadline:
            try:
                if not s.recv(65536):
                    return True
            except ConnectionResetError:
                return True
    return False


class ActorPorts(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-ports-")
        self.procs = {}
        base = free_base(4, 30000, 39000)
        self.masters = ["127.0.0.1:%d" % (base + i) for i in range(3)]
        for i, address in enumerate(self.masters):
            self.start("master-%d" % i, [
                CAIRN, "master", "--ip", "127.0.0.1", "--http-port", address.split(":")[1],
                "--masters", ",".join(self.masters), "--quorum", "2",
                "--work-dir", "%s/master-%d" % (self.dir, i)])
        self.agent = "127.0.0.1:%d" % (base + 3)
        self.start("agent", [
            CAIRN, "agent", "--master", ",".join(self.masters), "--ip", "127.0.0.1",
            "--http-port", str(base + 3), "--work-dir", "%s/agent" % self.dir,
            "--resources", "cpus:2;mem:1024;disk:100"])

    def tearDown(self):
        for p in self.procs.values():
            p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, name, args):
        self.procs[name] = Process(args, os.path.join(self.dir, name + ".log"))

    def logs(self):
        out = []
        for name in self.procs:
            with open(os.path.join(self.dir, name + ".log"), errors="replace") as f:
                out.append("--- %s\n%s" % (name, f.read()[-3000:]))
        return "\n".join(out)

    def endpoint(self, address):
        status, body = get(address, "/cairn/endpoint")
        return json.loads(body) if status == 200 else None

    def leader_with_agent(self, bound=60):
        deadline = time.time() + bound
        while time.time() < deadline:
            for address in self.masters:
                ep = self.endpoint(address)
                if ep and ep["port"] != 0:
                    status, body = get(address, "/master/state")
                    if status == 200 and len(json.loads(body)["slaves"]) == 1:
                        return address, ep
            time.sleep(0.2)
        raise AssertionError("no leader with the agent registered:\n" + self.logs())

    def test_hostile_bytes_cut_off_and_nothing_stops(self):
        leader, leader_ep = self.leader_with_agent()
        targets = {"leader's actor port": leader_ep["port"]}
        for i, address in enumerate(self.masters):
            targets["master-%d's log port" % i] = self.endpoint(address)["log_port"]
        targets["agent's actor port"] = self.endpoint(self.agent)["port"]
        for where, port in targets.items():
            self.assertNotEqual(port, 0, where)
            for what, data in HOSTILE.items():
                with self.subTest(where=where, what=what):
                    self.assertTrue(send_hostile(port, data), "%s kept %s open" % (where, what))
        for name, p in self.procs.items():
            self.assertIsNone(p.proc.poll(), "%s died:\n%s" % (name, self.logs()))
        for address in self.masters + [self.agent]:
            self.assertEqual(get(address, "/health")[0], 200, address)
        # The same leader still leads, the agent is still there, and a task runs.
        self.assertEqual(self.leader_with_agent(bound=10)[0], leader)
        run = subprocess.run([CAIRN, "execute", "--master", leader, "--name", "after",
                              "--command", "true"], capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr + self.logs())
        self.assertIn("TASK_FINISHED", run.stdout)
        with open(os.path.join(self.dir, "agent.log"), errors="replace") as f:
            self.assertIn("cut off", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
