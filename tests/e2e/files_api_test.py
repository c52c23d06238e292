"""The agent's files API serves a sandbox and nothing beyond it: a task's
symbolic links out of its sandbox, FIFOs and `..` are refused (400) without
blocking the server, binary files are read whole, reads are Mesos' pages of
at most 64 KiB, and Mesos' virtual paths (runs/latest, /slave/log) resolve."""
import base64
import json
import os
import shutil
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request

from cairn_local import Local
import mesos_v1

CAIRN = sys.argv.pop(1)

BINARY = b"abc\x00def\xffghi\x01"
BIG_BYTES = 1024 * 1024

# Run in the task's sandbox: what a hostile or careless task leaves there.
SETUP = (
    "printf 'abc\\000def\\377ghi\\001' > binary"
    " && head -c %d /dev/zero | tr '\\000' x > big"
    " && mkdir sub && echo inner > sub/inner"
    " && ln -s {outside}/secret secret_link"
    " && ln -s {outside} dir_link"
    " && mkfifo fifo"
    " && echo sandbox-ready" % BIG_BYTES)


def get(address, endpoint, **query):
    url = "http://%s%s?%s" % (address, endpoint, urllib.parse.urlencode(query))
    try:
        # A server that blocks on a FIFO would run into this timeout.
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


class FilesApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.outside = tempfile.mkdtemp(prefix="cairn-outside-")
        with open(os.path.join(cls.outside, "secret"), "w") as f:
            f.write("top secret\n")
        cls.local = Local(CAIRN, agents=1)
        cls.agent = cls.local.state()["slaves"][0]["pid"].split("@")[1]
        r = cls.local.execute("--name", "hostile", "--command",
                              SETUP.format(outside=cls.outside))
        if r.returncode != 0:
            raise AssertionError(r.stdout + r.stderr)
        cls.sandbox = None
        for root, _dirs, files in os.walk(cls.local.work_dir):
            if "/executors/hostile/runs/" in root + "/" and "binary" in files:
                cls.sandbox = root
        if cls.sandbox is None:
            raise AssertionError("no sandbox with the task's files")
        # .../frameworks/<fw>/executors/<ex>/runs/<run>
        parts = cls.sandbox.split("/")
        cls.framework = parts[parts.index("frameworks") + 1]

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()
        shutil.rmtree(cls.outside, ignore_errors=True)

    def read(self, path, **query):
        return get(self.agent, "/files/read", path=path, **query)

    def call(self, body):
        status, text, _ = mesos_v1.post(self.agent, "/api/v1", json.dumps(body))
        return status, text

    def test_a_link_out_of_the_sandbox_is_refused(self):
        for endpoint in ("/files/read", "/files/download"):
            status, body, _ = get(self.agent, endpoint, path=self.sandbox + "/secret_link",
                                  offset=0)
            self.assertEqual(status, 400, body)
            self.assertNotIn(b"top secret", body)
            status, body, _ = get(self.agent, endpoint,
                                  path=self.sandbox + "/dir_link/secret", offset=0)
            self.assertEqual(status, 400, body)
            self.assertNotIn(b"top secret", body)
        status, body, _ = get(self.agent, "/files/browse", path=self.sandbox + "/dir_link")
        self.assertEqual(status, 400, body)
        self.assertNotIn(b"secret", body)

    def test_dot_dot_out_of_the_work_dir_is_refused(self):
        status, body, _ = self.read(self.sandbox + "/../../../../../../../../../etc/passwd",
                                    offset=0)
        self.assertEqual(status, 400, body)
        self.assertNotIn(b"root:", body)
        # `..` that stays inside is only a path.
        status, body, _ = self.read(self.sandbox + "/sub/../sub/inner", offset=0)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["data"], "inner\n")

    def test_a_fifo_is_refused_at_once(self):
        for endpoint in ("/files/read", "/files/download"):
            status, body, _ = get(self.agent, endpoint, path=self.sandbox + "/fifo", offset=0)
            self.assertEqual(status, 400, body)
            self.assertIn(b"regular file", body)
        # The server still answers.
        self.assertEqual(get(self.agent, "/health")[0], 200)

    def test_a_directory_is_not_read(self):
        status, body, _ = self.read(self.sandbox + "/sub", offset=0)
        self.assertEqual(status, 400, body)
        self.assertIn(b"directory", body)
        status, body, _ = get(self.agent, "/files/download", path=self.sandbox + "/sub")
        self.assertEqual(status, 400, body)

    def test_missing_is_404(self):
        self.assertEqual(self.read(self.sandbox + "/nothing", offset=0)[0], 404)
        self.assertEqual(self.read("/etc/passwd", offset=0)[0], 404)

    def test_binary_is_read_past_nul(self):
        status, body, _ = self.read(self.sandbox + "/binary", offset=0)
        self.assertEqual(status, 200, body)
        self.assertIn(b"\\u0000", body)
        answer = json.loads(body)
        self.assertEqual(answer["offset"], 0)
        # A byte that is not UTF-8 is '?': the page stays as long as the file.
        self.assertEqual(answer["data"], "abc\x00def?ghi\x01")
        status, body, headers = get(self.agent, "/files/download", path=self.sandbox + "/binary")
        self.assertEqual(status, 200)
        self.assertEqual(body, BINARY)
        self.assertEqual(headers["Content-Type"], "application/octet-stream")
        self.assertIn("filename=binary", headers["Content-Disposition"])

    def test_reads_are_pages_of_64_kib(self):
        status, body, _ = self.read(self.sandbox + "/big", offset=0)
        self.assertEqual(status, 200, body)
        self.assertEqual(len(json.loads(body)["data"]), 65536)
        answer = json.loads(self.read(self.sandbox + "/big", offset=0, length=10 ** 9)[1])
        self.assertEqual(len(answer["data"]), 65536)
        answer = json.loads(self.read(self.sandbox + "/big", offset=BIG_BYTES - 10)[1])
        self.assertEqual((answer["data"], answer["offset"]), ("x" * 10, BIG_BYTES - 10))
        for size_query in ({"offset": -1}, {}):
            answer = json.loads(self.read(self.sandbox + "/big", **size_query)[1])
            self.assertEqual(answer, {"data": "", "offset": BIG_BYTES})
        answer = json.loads(self.read(self.sandbox + "/big", offset=BIG_BYTES + 5)[1])
        self.assertEqual(answer, {"data": "", "offset": BIG_BYTES + 5})
        for bad in ({"offset": -2}, {"offset": "x"}, {"offset": 0, "length": -2}):
            status, body, _ = self.read(self.sandbox + "/big", **bad)
            self.assertEqual(status, 400, (bad, body))

    def test_latest_run_by_virtual_path(self):
        latest = "/frameworks/%s/executors/hostile/runs/latest" % self.framework
        status, body, _ = self.read(latest + "/stdout", offset=0)
        self.assertEqual(status, 200, body)
        self.assertIn("sandbox-ready", json.loads(body)["data"])
        status, body, _ = get(self.agent, "/files/browse", path=latest)
        self.assertEqual(status, 200, body)
        entries = {e["path"]: e for e in json.loads(body)}
        inner = entries[latest + "/binary"]
        self.assertEqual(sorted(inner), ["gid", "mode", "mtime", "nlink", "path", "size", "uid"])
        self.assertEqual(inner["size"], len(BINARY))
        self.assertTrue(inner["mode"].startswith("-rw"), inner)
        self.assertTrue(entries[latest + "/sub"]["mode"].startswith("d"))
        self.assertTrue(entries[latest + "/dir_link"]["mode"].startswith("l"))
        self.assertEqual(list(entries), sorted(entries))
        self.assertEqual(self.read(latest + "/dir_link/secret", offset=0)[0], 400)
        missing = "/frameworks/%s/executors/nobody/runs/latest" % self.framework
        self.assertEqual(get(self.agent, "/files/browse", path=missing)[0], 404)

    def test_the_agent_log_is_named_when_missing(self):
        status, body, _ = self.read("/slave/log", offset=0)
        self.assertEqual(status, 404)
        self.assertIn(b"/slave/log", body)

    def test_operator_calls_share_the_same_refusals(self):
        status, text = self.call({"type": "READ_FILE", "read_file": {
            "path": self.sandbox + "/secret_link", "offset": 0}})
        self.assertEqual(status, 400, text)
        status, text = self.call({"type": "READ_FILE", "read_file": {
            "path": self.sandbox + "/fifo", "offset": 0}})
        self.assertEqual(status, 400, text)
        status, text = self.call({"type": "LIST_FILES", "list_files": {
            "path": self.sandbox + "/dir_link"}})
        self.assertEqual(status, 400, text)
        status, text = self.call({"type": "READ_FILE", "read_file": {
            "path": self.sandbox + "/binary", "offset": 0}})
        self.assertEqual(status, 200, text)
        read = json.loads(text)["read_file"]
        self.assertEqual(base64.b64decode(read["data"]), BINARY)
        self.assertEqual(int(read["size"]), len(BINARY))
        status, text = self.call({"type": "READ_FILE", "read_file": {
            "path": self.sandbox + "/big", "offset": 0}})
        self.assertEqual(len(base64.b64decode(json.loads(text)["read_file"]["data"])), 65536)


if __name__ == "__main__":
    unittest.main(verbosity=2)
