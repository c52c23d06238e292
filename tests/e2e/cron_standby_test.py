"""Two `cairn cron` on one key prefix: one owns it and runs each instant of a
job once; the other stands by, launches nothing, forwards the REST API to
the owner and names it at /leader; with the owner killed, the standby takes
over once the owner record stands still and runs the later instants once
each."""
import json
import os
import shutil
import signal
import tempfile
import time
import unittest

from cairn_local import Local
from processes import tail_logs

# It takes the binary's path from argv on import, as every e2e test does.
import cron_failover_test
from cron_failover_test import CronHelpers, call, due_ms

CAIRN = cron_failover_test.CAIRN


class CronStandby(unittest.TestCase, CronHelpers):
    PERIOD_S = 2

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-cron-standby-")
        self.procs = []
        os.makedirs(os.path.join(self.dir, "local"))
        self.local = Local(CAIRN, agents=1, work_dir=os.path.join(self.dir, "local"))

    def tearDown(self):
        for p in self.procs:
            p.kill()
        self.local.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self):
        return tail_logs(self.procs) + "\n== local\n" + self.local.logs()

    def leader_of(self, address):
        status, body = call(address, "GET", "/leader")
        return json.loads(body)["leader"] if status == 200 else None

    def log_text(self, name):
        with open(os.path.join(self.dir, name)) as f:
            return f.read()

    def test_one_owner_a_forwarding_standby_and_a_takeover(self):
        owner_proc = self.start_cron(self.local.address, "cron-a.log")
        owner = self.cron
        self.wait_for("a to own the prefix", lambda: self.leader_of(owner) == owner)
        self.start_cron(self.local.address, "cron-b.log")
        standby = self.cron
        self.assertEqual(self.leader_of(standby), owner, self.logs())
        # Posted to the standby: forwarded, and the owner has it.
        self.post({"name": "every2", "command": "true",
                   "schedule": "R//PT%dS" % self.PERIOD_S, "epsilon": "PT30S",
                   "concurrencyPolicy": "ALLOW"})
        status, body = call(owner, "GET", "/v1/scheduler/job/every2")
        self.assertEqual(status, 200, body)
        self.wait_for("three runs", lambda: len(self.finished("every2")) >= 3)
        status, body = call(standby, "GET", "/scheduler/jobs/summary")
        self.assertEqual(status, 200, body)
        self.assertEqual([j["name"] for j in json.loads(body)["jobs"]], ["every2"])
        self.assertNotIn("takes an offer", self.log_text("cron-b.log"))
        self.assertIn("takes an offer", self.log_text("cron-a.log"))

        owner_proc.kill(signal.SIGKILL)
        killed_ms = time.time() * 1000
        self.wait_for("the standby to take over",
                      lambda: self.leader_of(standby) == standby, bound=60)
        self.wait_for("two runs due after the takeover", lambda: len(
            [r for r in self.finished("every2") if due_ms(r) > killed_ms]) >= 2)
        self.assertIn("takes an offer", self.log_text("cron-b.log"))
        runs = sorted(self.history("every2"), key=due_ms)
        dues = [due_ms(r) for r in runs]
        self.assertEqual(len(dues), len(set(dues)), (runs, self.logs()))  # none doubled
        period_ms = self.PERIOD_S * 1000
        self.assertTrue(all((b - a) % period_ms == 0 for a, b in zip(dues, dues[1:])), dues)


if __name__ == "__main__":
    unittest.main()
