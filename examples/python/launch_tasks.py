#!/usr/bin/python3
"""A framework in Python (standard library only) that speaks the Mesos v1
scheduler HTTP API: it subscribes, launches N tasks on the offers it gets,
acknowledges every status update, and tears itself down when all tasks have
finished. Exit status 0 when all N finished. Given every master, it finds the
leading one (a standby answers 307 with the leader's address) and, when the
event stream breaks, subscribes again with its framework id wherever the lead
has gone; its tasks run on meanwhile.

    launch_tasks.py --master 127.0.0.1:5050 --tasks 10 --command 'echo hi'
    launch_tasks.py --master h1:5050,h2:5050,h3:5050 --tasks 10
    launch_tasks.py --executor examples/python/executor.py   # tasks on a custom executor

Written from the Mesos documentation of the scheduler HTTP API: POST
/api/v1/scheduler with JSON Calls; SUBSCRIBE answers with a chunked stream of
RecordIO-framed JSON events ("<length>\\n<json>") and a Mesos-Stream-Id header
that every later call must carry.
"""
import argparse
import base64
import http.client
import json
import sys
import threading
import time
import urllib.parse

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"}


# How long to look for a leading master before giving up, and the pause
# between rounds over every master while none leads.
FIND_MASTER_SECONDS = 60
RETRY_SECONDS = 0.25


def address(text):
    """(host, port) of "host[:port]"."""
    host, _, port = text.partition(":")
    return host, int(port or 5050)


class Scheduler:
    def __init__(self, masters, tasks, command, cpus, mem, executor=None):
        self.masters = [address(m) for m in masters.split(",") if m]
        self.host, self.port = self.masters[0]
        self.wanted, self.command, self.cpus, self.mem = tasks, command, cpus, mem
        self.executor = executor
        self.framework_id = None
        self.stream_id = None
        self.launched = 0
        self.states = {}
        self.agent_of = {}    # launched tasks not yet ended: task id -> agent id
        self.heard = set()    # tasks an agent has spoken of
        self.asked = set()    # reconciled after a failover, not yet answered
        self.again = []       # launches lost with a master, to make again
        self.lock = threading.Lock()

    # -- calls
    def call(self, body):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                         {"Content-Type": "application/json", "Accept": "application/json",
                          "Mesos-Stream-Id": self.stream_id})
            response = conn.getresponse()
            text = response.read().decode()
        except OSError:
            return  # the master is gone: the event stream breaks too, and we subscribe again
        finally:
            conn.close()
        if response.status in (307, 503):
            return  # it no longer leads: likewise
        if response.status != 202:
            raise RuntimeError("%s call answered %d: %s" % (body["type"], response.status, text))

    def fid(self):
        return {"value": self.framework_id}

    def accept(self, offer, tasks):
        self.call({"framework_id": self.fid(), "type": "ACCEPT", "accept": {
            "offer_ids": [offer["id"]],
            "operations": [{"type": "LAUNCH", "launch": {"task_infos": tasks}}],
            "filters": {"refuse_seconds": 0}}})

    def decline(self, offer):
        self.call({"framework_id": self.fid(), "type": "DECLINE",
                   "decline": {"offer_ids": [offer["id"]], "filters": {"refuse_seconds": 5}}})

    def acknowledge(self, status):
        self.call({"framework_id": self.fid(), "type": "ACKNOWLEDGE", "acknowledge": {
            "agent_id": status["agent_id"], "task_id": status["task_id"],
            "uuid": status["uuid"]}})

    # -- events
    def scalar(self, offer, name):
        return sum(r.get("scalar", {}).get("value", 0) for r in offer.get("resources", [])
                   if r["name"] == name)

    def on_offers(self, offers):
        for offer in offers:
            cpus, mem = self.scalar(offer, "cpus"), self.scalar(offer, "mem")
            tasks = []
            while ((self.again or self.launched < self.wanted)
                   and cpus >= self.cpus and mem >= self.mem):
                if self.again:
                    task_id = self.again.pop(0)
                else:
                    task_id = "python-task-%d" % self.launched
                    self.launched += 1
                self.agent_of[task_id] = offer["agent_id"]["value"]
                cpus -= self.cpus
                mem -= self.mem
                task = {
                    "name": task_id, "task_id": {"value": task_id},
                    "agent_id": offer["agent_id"],
                    "resources": [
                        {"name": "cpus", "type": "SCALAR", "scalar": {"value": self.cpus}},
                        {"name": "mem", "type": "SCALAR", "scalar": {"value": self.mem}}]}
                if self.executor:
                    # One executor per agent runs all of this framework's tasks there;
                    # it runs the command it finds in the task's data.
                    task["executor"] = {
                        "executor_id": {"value": "python-executor"},
                        "command": {"shell": True, "value": "/usr/bin/python3 " + self.executor}}
                    task["data"] = base64.b64encode(self.command.encode()).decode()
                else:
                    task["command"] = {"shell": True, "value": self.command}
                tasks.append(task)
            if tasks:
                self.accept(offer, tasks)
            else:
                self.decline(offer)

    def reconcile(self, task_ids):
        """Asks the master about tasks, as Mesos' reconciliation guide advises
        after a failover; it says nothing while a task's agent is still to come
        back, so what is unanswered is asked again at each heartbeat."""
        if not task_ids:
            return
        self.asked = set(task_ids)
        self.call({"framework_id": self.fid(), "type": "RECONCILE", "reconcile": {"tasks": [
            {"task_id": {"value": t}, "agent_id": {"value": self.agent_of[t]}}
            for t in task_ids]}})

    def lost_launch(self, status):
        """A task no agent spoke of that the new master does not know (or whose
        offer it never made): the launch went down with the old master."""
        task_id = status["task_id"]["value"]
        return (task_id in self.agent_of and task_id not in self.heard
                and (status.get("reason") == "REASON_INVALID_OFFERS"
                     or (status.get("reason") == "REASON_RECONCILIATION"
                         and status["state"] in ("TASK_LOST", "TASK_UNKNOWN", "TASK_GONE",
                                                 "TASK_DROPPED"))))

    def on_update(self, status):
        task_id = status["task_id"]["value"]
        self.asked.discard(task_id)
        if self.lost_launch(status):
            print("%s: the launch was lost with the master; launching again" % task_id,
                  file=sys.stderr, flush=True)
            del self.agent_of[task_id]
            self.again.append(task_id)
            self.call({"framework_id": self.fid(), "type": "REVIVE"})
            return
        if (status.get("reason") == "REASON_RECONCILIATION"
                and self.states.get(task_id) == status["state"]):
            return  # what was known already
        self.heard.add(task_id)
        if status["state"] in TERMINAL:
            self.agent_of.pop(task_id, None)
        print("%s %s %s" % (status["task_id"]["value"], status["state"],
                            status.get("message", "")), flush=True)
        if "uuid" in status:
            self.acknowledge(status)
        self.states[status["task_id"]["value"]] = status["state"]

    def done(self):
        return (len(self.states) == self.wanted
                and all(s in TERMINAL for s in self.states.values()))

    # -- the subscription
    def subscribe_at(self, host, port):
        """The event stream of the master at host:port, or of the leader it
        redirects to; None when it cannot be had there now."""
        info = {"user": "root", "name": "python-example", "roles": ["*"],
                "capabilities": [{"type": "MULTI_ROLE"}]}
        body = {"type": "SUBSCRIBE", "subscribe": {"framework_info": info}}
        if self.framework_id:
            info["id"] = body["framework_id"] = self.fid()
        for _ in range(2):  # a standby's redirect, then the leader
            conn = http.client.HTTPConnection(host, port, timeout=60)
            try:
                conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                             {"Content-Type": "application/json", "Accept": "application/json"})
                response = conn.getresponse()
            except OSError:
                conn.close()
                return None
            if response.status == 200:
                self.host, self.port = host, port
                self.stream_id = response.getheader("Mesos-Stream-Id")
                print("subscribed at %s:%d" % (host, port), file=sys.stderr, flush=True)
                return conn, response
            text = response.read()
            conn.close()
            if response.status in (301, 302, 303, 307) and response.getheader("Location"):
                # "//leader:5050/api/v1/scheduler", as Mesos writes it.
                location = urllib.parse.urlsplit(response.getheader("Location"))
                host, port = location.hostname, location.port or 5050
                continue
            if response.status == 503:
                return None  # masters are electing a leader
            raise RuntimeError("SUBSCRIBE answered %d: %s" % (response.status, text))
        return None

    def subscribe(self):
        """Asks the master it used last, then each other one, until one leads."""
        deadline = time.time() + FIND_MASTER_SECONDS
        while time.time() < deadline:
            order = [(self.host, self.port)] + [m for m in self.masters
                                                 if m != (self.host, self.port)]
            for host, port in order:
                stream = self.subscribe_at(host, port)
                if stream:
                    return stream
            time.sleep(RETRY_SECONDS)
        raise RuntimeError("no master led within %ds" % FIND_MASTER_SECONDS)

    def events(self):
        """Events as they come, across failovers of the master."""
        conn, response = self.subscribe()
        try:
            while True:
                try:
                    length = b""
                    while not length.endswith(b"\n"):
                        byte = response.read(1)
                        if not byte:
                            raise ConnectionError("the master closed the event stream")
                        length += byte
                    event = json.loads(response.read(int(length)))
                except (OSError, http.client.HTTPException, ValueError):
                    # The master is gone: find the leader and subscribe again
                    # as the same framework.
                    conn.close()
                    print("lost the master; subscribing again", file=sys.stderr, flush=True)
                    conn, response = self.subscribe()
                    continue
                yield event
        finally:
            conn.close()

    def run(self):
        # Held until TEARDOWN is sent: closing the stream first would end the
        # subscription and its stream id with it.
        events = self.events()
        for event in events:
            kind = event["type"]
            if kind == "SUBSCRIBED":
                again = self.framework_id is not None
                self.framework_id = event["subscribed"]["framework_id"]["value"]
                if again:
                    self.reconcile(list(self.agent_of))
            elif kind == "HEARTBEAT":
                self.reconcile(list(self.asked))
            elif kind == "OFFERS":
                self.on_offers(event["offers"]["offers"])
            elif kind == "UPDATE":
                self.on_update(event["update"]["status"])
            elif kind == "ERROR":
                raise RuntimeError("master error: " + event["error"]["message"])
            if self.done():
                break
        self.call({"framework_id": self.fid(), "type": "TEARDOWN"})
        events.close()
        return all(s == "TASK_FINISHED" for s in self.states.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", default="127.0.0.1:5050",
                        help="the masters' HTTP addresses, HOST:PORT[,HOST:PORT...]")
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--command", default="echo hello from python")
    parser.add_argument("--cpus", type=float, default=0.1)
    parser.add_argument("--mem", type=float, default=32)
    parser.add_argument("--executor", help="path of a custom executor to run the tasks on")
    args = parser.parse_args()
    scheduler = Scheduler(args.master, args.tasks, args.command, args.cpus, args.mem,
                          args.executor)
    ok = scheduler.run()
    print("all %d tasks finished" % args.tasks if ok else "some tasks did not finish")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
