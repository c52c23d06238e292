#!/usr/bin/python3
"""A custom executor in Python (standard library only) over the Mesos v1
executor HTTP API. An agent starts it for tasks whose TaskInfo names it in
`executor`; it subscribes at MESOS_AGENT_ENDPOINT, runs each task's `data`
(base64 of a shell command) in the sandbox, reports TASK_RUNNING and then
TASK_FINISHED or TASK_FAILED, and exits when the agent says SHUTDOWN.
"""
import base64
import http.client
import json
import os
import subprocess
import sys
import threading
import uuid

AGENT = os.environ["MESOS_AGENT_ENDPOINT"]
FRAMEWORK = {"value": os.environ["MESOS_FRAMEWORK_ID"]}
EXECUTOR = {"value": os.environ["MESOS_EXECUTOR_ID"]}


def call(body):
    host, _, port = AGENT.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    body.update({"framework_id": FRAMEWORK, "executor_id": EXECUTOR})
    conn.request("POST", "/api/v1/executor", json.dumps(body),
                 {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 202:
        raise RuntimeError("%s answered %d" % (body["type"], response.status))


def update(task_id, state, message=""):
    call({"type": "UPDATE", "update": {"status": {
        "task_id": task_id, "state": state, "source": "SOURCE_EXECUTOR", "message": message,
        "uuid": base64.b64encode(uuid.uuid4().bytes).decode()}}})


def run(task):
    update(task["task_id"], "TASK_RUNNING")
    command = base64.b64decode(task.get("data", "")).decode() or "true"
    print("executor runs %s: %s" % (task["task_id"]["value"], command), flush=True)
    code = subprocess.call(command, shell=True)
    if code == 0:
        update(task["task_id"], "TASK_FINISHED", "exited with status 0")
    else:
        update(task["task_id"], "TASK_FAILED", "exited with status %d" % code)


def main():
    host, _, port = AGENT.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=3600)
    conn.request("POST", "/api/v1/executor", json.dumps({
        "type": "SUBSCRIBE", "framework_id": FRAMEWORK, "executor_id": EXECUTOR,
        "subscribe": {}}), {"Content-Type": "application/json"})
    response = conn.getresponse()
    if response.status != 200:
        sys.exit("SUBSCRIBE answered %d" % response.status)
    while True:
        length = b""
        while not length.endswith(b"\n"):
            byte = response.read(1)
            if not byte:
                return 0  # the agent ended the stream
            length += byte
        event = json.loads(response.read(int(length)))
        if event["type"] == "LAUNCH":
            threading.Thread(target=run, args=(event["launch"]["task"],)).start()
        elif event["type"] == "SHUTDOWN":
            return 0


if __name__ == "__main__":
    sys.exit(main())
