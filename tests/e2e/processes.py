"""Child processes for end-to-end tests: their stdout lines collected as they
come, and the JSON events of the test framework (e2e/partition_framework.cpp)
with helpers to wait for some. Standard library only."""
import json
import os
import queue
import random
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request


def free_base(hosts, low=20000, high=29000):
    """An HTTP port P with P..P+hosts-1, and the same +100 and +200 (actor
    and log ports), all free on loopback."""
    for _ in range(200):
        base = random.randrange(low, high)
        ports = [base + off + i for off in (0, 100, 200) for i in range(hosts)]
        try:
            for p in ports:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


def get(address, path, bound=3):
    """(status, body) without following redirects; (None, "") when nobody answers."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open("http://%s%s" % (address, path), timeout=bound) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return None, ""


def tail_logs(procs, keep=4000):
    """The last `keep` characters of each process's log, for a failure's
    message; connection retries say little and would hide the rest."""
    out = []
    for p in procs:
        if not p.log.closed:
            p.log.flush()
        try:
            with open(p.log.name) as f:
                lines = [l for l in f if "connector]" not in l]
            out.append("== %s\n%s" % (p.log.name, "".join(lines)[-keep:]))
        except OSError:
            pass
    return "\n".join(out)


def processes_with(marker):
    """pid -> command line, for every process whose command line holds `marker`."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and "pgrep" not in cmdline:
            out[int(pid)] = cmdline
    return out


def kill_processes_under(directory):
    """SIGKILLs every process working in `directory` or below: the executors
    of a checkpointing framework outlive a killed agent, waiting for it to
    come back, and run in their sandboxes under its work dir."""
    top = directory.rstrip("/") + "/"
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cwd = os.readlink("/proc/%s/cwd" % pid)
        except OSError:
            continue
        if cwd.startswith(top):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


def kill_processes_with(marker):
    """SIGKILLs every process whose command line holds `marker` (tasks a
    test's agents left running), so that none outlives the test."""
    for pid in processes_with(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class Process:
    """A child process whose stdout lines are collected as they come."""

    def __init__(self, args, log_path):
        self.args = args
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.lines = queue.Queue()
        # Joined to read a finished process's output to its end.
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

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
