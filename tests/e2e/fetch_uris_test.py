"""The fetcher through a real launch: `cairn local`, then tasks whose URIs
come from an HTTP server on loopback. A tar.gz leaves the archive and its
contents, `executable` and `output_file` hold; a cached URI is fetched again
after the server has stopped; a 404 fails the task with
REASON_CONTAINER_LAUNCH_FAILED and the cause in the sandbox's stderr."""
import http.server
import io
import json
import os
import sys
import tarfile
import tempfile
import threading
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)


def task(task_id, command, uris):
    return {"name": task_id, "task_id": {"value": task_id},
            "command": {"value": command, "uris": uris},
            "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                          {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}]}


class Server:
    """Serves a directory on a loopback port until stopped."""

    def __init__(self, root):
        handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=root)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Fetcher(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = tempfile.mkdtemp(prefix="cairn-fetch-files-")
        with tarfile.open(os.path.join(cls.files, "bundle.tar.gz"), "w:gz") as tar:
            data = b"inside the archive\n"
            info = tarfile.TarInfo("bundle/inner.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        with open(os.path.join(cls.files, "tool.sh"), "w") as f:
            f.write("#!/bin/sh\necho tool ran\n")
        with open(os.path.join(cls.files, "cached.txt"), "w") as f:
            f.write("from the cache\n")
        cls.server = Server(cls.files)
        cls.local = Local(CAIRN, agents=1, extra=(
            "--fetcher_cache_dir", os.path.join(tempfile.mkdtemp(prefix="cairn-fetch-cache-"))))

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()
        cls.server.stop()

    def run_task(self, info):
        r = self.local.execute("--task", json.dumps(info), "--json", bound=120)
        statuses = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        self.assertTrue(statuses, r.stdout + r.stderr + self.local.logs())
        return statuses[-1]

    def test_archive_executable_output_file_then_cache_then_404(self):
        check = ("test -f bundle.tar.gz && grep -q inside bundle/inner.txt && "
                 "test -x tool.sh && ./tool.sh && grep -q cache renamed.txt")
        last = self.run_task(task("fetch-all", check, [
            {"value": self.server.url("bundle.tar.gz")},
            {"value": self.server.url("tool.sh"), "executable": True},
            {"value": self.server.url("cached.txt"), "output_file": "renamed.txt",
             "cache": True}]))
        self.assertEqual(last["state"], "TASK_FINISHED", last)
        self.assertIn("tool ran", self.local.sandbox_file("fetch-all"))

        # The server is gone; the cached URI still arrives.
        self.server.stop()
        last = self.run_task(task("from-cache", "grep -q cache cached.txt", [
            {"value": self.server.url("cached.txt"), "cache": True}]))
        self.assertEqual(last["state"], "TASK_FINISHED", last)

        self.__class__.server = Server(self.files)
        last = self.run_task(task("missing", "true", [{"value": self.server.url("nothing")}]))
        self.assertEqual(last["state"], "TASK_FAILED", last)
        self.assertEqual(last.get("reason"), "REASON_CONTAINER_LAUNCH_FAILED", last)
        self.assertIn("404", last.get("message", ""))
        self.assertIn("404", self.local.sandbox_file("missing", "stderr"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
