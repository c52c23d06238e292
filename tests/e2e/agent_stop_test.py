"""An agent told to stop (SIGTERM) stops, even when no master ever answers:
its search for the master and its containerizer end with it."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from processes import free_base, get

CAIRN = sys.argv.pop(1)


class AgentStop(unittest.TestCase):
    def test_sigterm_stops_an_agent_whose_master_never_answers(self):
        work = tempfile.mkdtemp(prefix="cairn-agent-stop-")
        base = free_base(2)
        log = open(os.path.join(work, "agent.log"), "w+")
        proc = subprocess.Popen(
            [CAIRN, "agent", "--master", "127.0.0.1:%d" % (base + 1), "--ip", "127.0.0.1",
             "--port", str(base), "--work-dir", work + "/agent"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 30
            while time.time() < deadline and get("127.0.0.1:%d" % base, "/health")[0] != 200:
                self.assertIsNone(proc.poll(), "the agent exited early")
                time.sleep(0.2)
            self.assertEqual(get("127.0.0.1:%d" % base, "/health")[0], 200)
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                code = None
            log.seek(0)
            self.assertEqual(code, 0, "still running 30 s after SIGTERM:\n" + log.read()[-3000:])
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
