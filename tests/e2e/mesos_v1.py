"""Mesos v1 HTTP API plumbing for end-to-end tests, written from Mesos' API
documentation: a POST with a Content-Type and an Accept, and RecordIO event
streams ("<length>\\n<record>"). Also compiles the .proto files in
schema/proto into Python modules (protoc, into a temporary directory)."""
import http.client
import os
import subprocess
import sys
import tempfile
import threading


# The start of an executor over the v1 executor API, as a script: its ids from
# Mesos' environment, every record it is sent kept in $RECORD_FILE, and
# call() and update() to talk to its agent.
EXECUTOR_CALLS = r'''
import base64, http.client, json, os, sys, uuid
AGENT = os.environ["MESOS_AGENT_ENDPOINT"]
IDS = {"framework_id": {"value": os.environ["MESOS_FRAMEWORK_ID"]},
       "executor_id": {"value": os.environ["MESOS_EXECUTOR_ID"]}}
out = open(os.environ["RECORD_FILE"], "a")
def call(body):
    host, _, port = AGENT.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    body.update(IDS)
    conn.request("POST", "/api/v1/executor", json.dumps(body),
                 {"Content-Type": "application/json"})
    conn.getresponse().read()
    conn.close()
def update(task_id, state):
    call({"type": "UPDATE", "update": {"status": {
        "task_id": task_id, "state": state, "source": "SOURCE_EXECUTOR",
        "uuid": base64.b64encode(uuid.uuid4().bytes).decode()}}})
'''


def post(address, path, body, content_type="application/json", accept="application/json",
         headers=None, bound=30):
    """(status, body bytes, headers) of one POST."""
    host, _, port = address.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=bound)
    h = {"Content-Type": content_type}
    if accept is not None:
        h["Accept"] = accept
    h.update(headers or {})
    conn.request("POST", path, body, h)
    r = conn.getresponse()
    out = (r.status, r.read(), {k.lower(): v for k, v in r.getheaders()})
    conn.close()
    return out


def open_stream(address, path, body, content_type="application/json",
                accept="application/json", bound=60):
    """(connection, response) of a call answered with a stream."""
    host, _, port = address.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=bound)
    h = {"Content-Type": content_type}
    if accept is not None:
        h["Accept"] = accept
    conn.request("POST", path, body, h)
    return conn, conn.getresponse()


def read_record(response):
    """The next RecordIO record of `response` (bytes), or None at its end."""
    length = b""
    while not length.endswith(b"\n"):
        byte = response.read(1)
        if not byte:
            return None
        length += byte
    return response.read(int(length))


class Recorder:
    """Reads a stream's records on a thread of its own, keeping every one."""

    def __init__(self, response):
        self.records = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, args=(response,), daemon=True)
        self.thread.start()

    def _run(self, response):
        try:
            while True:
                record = read_record(response)
                if record is None:
                    return
                with self.lock:
                    self.records.append(record)
        except (OSError, ValueError):
            return

    def snapshot(self):
        with self.lock:
            return list(self.records)


def compile_protos(proto_root):
    """Generates the _pb2 modules of every .proto under `proto_root` into a
    temporary directory and puts it first on sys.path."""
    out = tempfile.mkdtemp(prefix="cairn-pb2-")
    files = [os.path.relpath(os.path.join(d, f), proto_root)
             for d, _dirs, names in os.walk(proto_root) for f in names if f.endswith(".proto")]
    subprocess.run(["protoc", "--proto_path=" + proto_root, "--python_out=" + out, *files],
                   check=True)
    sys.path.insert(0, out)
    return out
