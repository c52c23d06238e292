#!/usr/bin/python3
"""DOCKER tasks against the Docker engine alone, in one run: N `sleep`
tasks (DOCKER, busybox:local) launched on one agent of `cairn local
--containerizers=docker,mesos` until every one is TASK_RUNNING, then killed
until every one is TASK_KILLED and its container removed; beside them the
same N containers created, started and removed over the Engine API alone,
8 at a time. Prints the four times and their ratios; asserts nothing.
Needs root; starts dockerd (and imports busybox:local) as the e2e tests do.
With --breakdown the agent logs at debug level and where the time of the
DOCKER tasks went is printed after (docker_breakdown.py).

    tests/bench/docker_bench.py build/actors/cairn [--tasks 100] [--breakdown]
"""
import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import docker_engine  # noqa: E402
from docker_breakdown import EngineEvents, print_breakdown  # noqa: E402
from cairn_local import Local  # noqa: E402
import v1_scheduler  # noqa: E402

PARALLEL = 8


class Engine(http.client.HTTPConnection):
    """One connection to the Engine API's unix socket."""

    def __init__(self):
        super().__init__("localhost", timeout=120)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(120)
        self.sock.connect(docker_engine.SOCKET)

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        self.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        reply = self.getresponse()
        data = reply.read()
        if reply.status >= 300:
            raise RuntimeError("%s %s: %d %s" % (method, path, reply.status, data[:200]))
        return json.loads(data) if data else None


def engine_alone(count, run):
    names = ["cairn-bench-%s-%d" % (run, i) for i in range(count)]

    def start(name):
        e = Engine()
        e.call("POST", "/containers/create?name=" + urllib.parse.quote(name),
               {"Image": docker_engine.IMAGE, "Cmd": ["/bin/sh", "-c", "sleep 1000"],
                "HostConfig": {"NetworkMode": "host"}})
        e.call("POST", "/containers/%s/start" % name)
        e.close()

    def remove(name):
        e = Engine()
        e.call("DELETE", "/containers/%s?force=1" % name)
        e.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        t0 = time.monotonic()
        list(pool.map(start, names))
        t1 = time.monotonic()
        list(pool.map(remove, names))
        t2 = time.monotonic()
    return t1 - t0, t2 - t1


class Scheduler(v1_scheduler.Scheduler):
    """The e2e tests' v1 HTTP framework, launching every task in the first
    offer and waiting for all of them."""

    def __init__(self, address):
        super().__init__(address, name="docker-bench")
        self.agent_id = None
        self.heard = {}  # task -> state -> wall time the update came

    def launch_all(self, tasks):
        while True:
            event = self.next_event()
            if event["type"] == "OFFERS":
                offer = event["offers"]["offers"][0]
                self.agent_id = offer["agent_id"]
                for t in tasks:
                    t["agent_id"] = offer["agent_id"]
                self.call({"type": "ACCEPT", "accept": {
                    "offer_ids": [offer["id"]],
                    "operations": [{"type": "LAUNCH", "launch": {"task_infos": tasks}}]}})
                return

    def wait_all(self, ids, state, bound=300):
        waiting = set(ids)
        deadline = time.monotonic() + bound
        while waiting:
            if time.monotonic() > deadline:
                raise RuntimeError("%d tasks not %s after %d s, e.g. %s" %
                                   (len(waiting), state, bound, sorted(waiting)[:5]))
            event = self.next_event()
            if event["type"] != "UPDATE":
                continue
            status = event["update"]["status"]
            task = status["task_id"]["value"]
            self.heard.setdefault(task, {}).setdefault(status["state"], time.time())
            if status["state"] == state:
                waiting.discard(task)
            elif task in waiting and status["state"] not in ("TASK_STARTING", "TASK_RUNNING",
                                                             "TASK_KILLING"):
                raise RuntimeError("task %s: %s %s" % (task, status["state"],
                                                       status.get("message", "")))


def mesos_containers():
    e = Engine()
    listed = e.call("GET", "/containers/json?all=1")
    e.close()
    return [n[1:] for c in listed for n in c["Names"] if n.startswith("/mesos-")]


def through_cairn(cairn, count, work_dir, breakdown):
    local = Local(cairn, agents=1, work_dir=work_dir, extra=(
        *(("--logging_level", "debug") if breakdown else ()),
        "--containerizers", "docker,mesos", "--docker_remove_delay", "1secs",
        "--resources", "cpus:%d;mem:%d;disk:1000;ports:[31000-31100]" % (count, count * 64)))
    try:
        s = Scheduler(local.address)
        ids = ["sleep-%d" % i for i in range(count)]
        tasks = [{"name": i, "task_id": {"value": i}, "agent_id": {"value": ""},
                  "resources": [
                      {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                      {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}],
                  "command": {"value": "sleep 1000"},
                  "kill_policy": {"grace_period": {"nanoseconds": 0}},
                  "container": {"type": "DOCKER", "docker": {
                      "image": docker_engine.IMAGE, "network": "HOST"}}} for i in ids]
        before = set(mesos_containers())
        events = EngineEvents(Engine()) if breakdown else None
        t0, wall0 = time.monotonic(), time.time()
        s.launch_all(tasks)
        s.wait_all(ids, "TASK_RUNNING")
        t1, wall1 = time.monotonic(), time.time()
        for i in ids:
            s.heard.setdefault(i, {})["KILL"] = time.time()
            s.call({"type": "KILL", "kill": {"task_id": {"value": i},
                                             "agent_id": s.agent_id}})
        s.wait_all(ids, "TASK_KILLED")
        t2 = time.monotonic()
        deadline = time.time() + 120
        while set(mesos_containers()) - before and time.time() < deadline:
            time.sleep(0.05)
        t3 = time.monotonic()
        s.conn.close()
        if events:
            print_breakdown(os.path.join(work_dir, "local.log"), s.heard, events.stop(), wall0,
                            wall1)
        return t1 - t0, t2 - t1, t3 - t1
    finally:
        local.stop()
        local.proc.stdout.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cairn")
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="cairn-docker-bench-")
    os.makedirs(os.path.join(work, "local"))
    dockerd = docker_engine.start_engine(work)
    try:
        docker_engine.build_image()
        run = str(os.getpid())
        e_start, e_remove = engine_alone(args.tasks, run)
        c_launch, c_kill, c_removed = through_cairn(args.cairn, args.tasks,
                                                    os.path.join(work, "local"),
                                                    args.breakdown)
        n = args.tasks
        print("%d containers, busybox:local `sleep 1000`, one agent" % n)
        print("  engine alone (%d at a time): started in %.2f s (%.1f/s), removed in "
              "%.2f s (%.1f/s)" % (PARALLEL, e_start, n / e_start, e_remove, n / e_remove))
        print("  cairn DOCKER tasks:          all TASK_RUNNING in %.2f s (%.1f/s), all "
              "TASK_KILLED in %.2f s (%.1f/s), containers removed %.2f s after the kills" %
              (c_launch, n / c_launch, c_kill, n / c_kill, c_removed))
        print("  ratio cairn/engine: launch %.2fx, kill %.2fx (goal: within 1.2x)" %
              (c_launch / e_start, c_kill / e_remove))
    finally:
        if dockerd is not None:
            dockerd.terminate()
            dockerd.wait(timeout=60)


if __name__ == "__main__":
    main()
