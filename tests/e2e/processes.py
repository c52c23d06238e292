"""Child processes for end-to-end tests: their stdout lines collected as they
come, and the JSON events of the test framework (e2e/partition_framework.cpp)
with helpers to wait for some. Standard library only."""
import json
import queue
import signal
import subprocess
import threading
import time


class Process:
    """A child process whose stdout lines are collected as they come."""

    def __init__(self, args, log_path):
        self.args = args
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Framework(Process):
    """The test framework's JSON events, with helpers to wait for some."""

    def events(self, bound):
        """Every event that arrives within `bound` seconds."""
        out, deadline = [], time.time() + bound
        while time.time() < deadline:
            try:
                out.append(json.loads(self.lines.get(timeout=0.2)))
            except queue.Empty:
                pass
        return out

    def wait(self, predicate, bound, what):
        """Collects events until `predicate(seen)` holds; fails after `bound`."""
        seen, deadline = [], time.time() + bound
        while time.time() < deadline:
            try:
                seen.append(json.loads(self.lines.get(timeout=0.2)))
            except queue.Empty:
                continue
            if predicate(seen):
                return seen
        raise AssertionError("timed out waiting for %s; saw %s" % (what, seen))


def latest(events):
    """task -> its latest update event."""
    out = {}
    for e in events:
        if e.get("event") == "update":
            out[e["task"]] = e
    return out
