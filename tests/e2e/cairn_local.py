"""Starting and stopping `cairn local` for end-to-end tests (standard library only)."""
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request


class Local:
    """A `cairn local` process on a free port with its own work dir."""

    def __init__(self, cairn, agents=2, extra=(), work_dir=None, cron=False, services=False):
        self.cairn = cairn
        self.agents = agents
        self.work_dir = work_dir or tempfile.mkdtemp(prefix="cairn-e2e-")
        self.log = open(os.path.join(self.work_dir, "local.log"), "w+")
        self.proc = subprocess.Popen(
            [cairn, "local", "--agents", str(agents), "--http-port", "0",
             "--work-dir", self.work_dir, "--allocation-interval", "100ms",
             *(() if cron else ("--no-cron",)),
             *(() if services else ("--no-services",)), *extra],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"http://([\d.]+):(\d+)", line)
        if not match:
            self.stop()
            raise RuntimeError("cairn local did not start: %r\n%s" % (line, self.logs()))
        self.address = "%s:%s" % (match.group(1), match.group(2))
        self.cron_address = None
        if cron:
            line = self.proc.stdout.readline()
            match = re.search(r"cron listening on http://([\d.]+):(\d+)", line)
            if not match:
                self.stop()
                raise RuntimeError("cron did not start: %r\n%s" % (line, self.logs()))
            self.cron_address = "%s:%s" % (match.group(1), match.group(2))
        self.services_address = None
        if services:
            line = self.proc.stdout.readline()
            match = re.search(r"services listening on http://([\d.]+):(\d+)", line)
            if not match:
                self.stop()
                raise RuntimeError("services did not start: %r\n%s" % (line, self.logs()))
            self.services_address = "%s:%s" % (match.group(1), match.group(2))
        self.wait_healthy()
        if cron:
            self.wait_cron_owns()

    def wait_cron_owns(self, bound=30):
        """cron answers once it owns its key prefix and has read its state
        back, and then subscribes."""
        deadline = time.time() + bound
        while time.time() < deadline:
            try:
                with urllib.request.urlopen("http://%s/v1/scheduler/jobs" % self.cron_address,
                                            timeout=10) as r:
                    if r.status == 200 and any(
                            f["name"] == "cron" for f in self.state()["frameworks"]):
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError("cron did not take its prefix:\n" + self.logs())

    def url(self, path):
        return "http://%s%s" % (self.address, path)

    def get(self, path):
        with urllib.request.urlopen(self.url(path), timeout=10) as r:
            return r.status, r.read().decode()

    def state(self):
        return json.loads(self.get("/master/state")[1])

    def wait_healthy(self, bound=30):
        deadline = time.time() + bound
        while time.time() < deadline:
            try:
                status, _ = self.get("/health")
                # Every agent registered: tests compare what they list.
                if status == 200 and len(self.state()["slaves"]) == self.agents:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("cairn local never became healthy:\n" + self.logs())

    def execute(self, *args, bound=120):
        return subprocess.run([self.cairn, "execute", "--master", self.address, *args],
                              capture_output=True, text=True, timeout=bound)

    def sandbox_file(self, task, name="stdout"):
        for root, _dirs, files in os.walk(self.work_dir):
            if "/executors/%s/runs/" % task in root + "/" and name in files:
                with open(os.path.join(root, name)) as f:
                    return f.read()
        return None

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
