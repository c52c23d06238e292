"""`cairn execute` against `cairn local --agents 2`: success, failure, a task no
agent can hold, a malformed --resources, and the agents sharing the machine."""
import os
import re
import sys
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)


class ExecuteAgainstLocal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=2)

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def test_echo_hello_finishes_and_writes_its_sandbox(self):
        r = self.local.execute("--name", "hi", "--command", "echo hello")
        lines = r.stdout.splitlines()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("TASK_RUNNING", [l.split()[0] for l in lines])
        self.assertEqual(lines[-1].split()[0], "TASK_FINISHED")
        self.assertIn("hello", self.local.sandbox_file("hi", "stdout") or "")

    def test_the_agents_share_the_machine(self):
        slaves = self.local.state()["slaves"]
        self.assertEqual(len(slaves), 2)
        self.assertLessEqual(sum(s["resources"]["cpus"] for s in slaves), os.cpu_count())
        ranges = sorted(tuple(int(p) for p in re.fullmatch(r"\[(\d+)-(\d+)\]",
                                                             s["resources"]["ports"]).groups())
                        for s in slaves)
        self.assertEqual(ranges, [(31000, 31499), (31500, 32000)])

    def test_exit_3_fails_and_names_the_status(self):
        r = self.local.execute("--name", "three", "--command", "exit 3")
        self.assertNotEqual(r.returncode, 0)
        last = r.stdout.splitlines()[-1]
        self.assertTrue(last.startswith("TASK_FAILED"), r.stdout)
        self.assertIn("exited with status 3", last)

    def test_a_task_no_agent_can_hold_is_refused_with_the_reason(self):
        r = self.local.execute("--name", "huge", "--command", "true",
                               "--resources", "cpus:1;mem:99999999", bound=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no agent can ever fit", r.stderr)
        tasks = [t["name"] for f in self.local.state()["frameworks"] +
                 self.local.state()["completed_frameworks"] for t in f.get("tasks", [])]
        self.assertNotIn("huge", tasks)

    def test_malformed_resources_stop_local_with_the_bad_part_named(self):
        import subprocess
        r = subprocess.run([CAIRN, "local", "--agents", "1", "--http-port", "0",
                            "--resources", "cpus:4;mem:lots"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("mem:lots", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
