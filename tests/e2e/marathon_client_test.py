"""The services framework as a client written for Marathon sees it: Debian's
python3-marathon (the marathon-python library) creates an app, lists and
reads it, scales it, reads its tasks, info and leader, and deletes it, all
against `cairn local`'s services API, unchanged. The test installs the
package when it is missing."""
import os
import subprocess
import sys
import time
import unittest

from cairn_local import Local

CAIRN = sys.argv.pop(1)


def ensure_client():
    try:
        import marathon  # noqa: F401
    except ImportError:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "python3-marathon"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


ensure_client()
from marathon import MarathonClient  # noqa: E402
from marathon.models import MarathonApp  # noqa: E402


class MarathonPythonClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=1, services=True,
                          extra=["--resources", "cpus:4;mem:4096;disk:4096;ports:[31000-31100]"])
        cls.client = MarathonClient("http://%s" % cls.local.services_address)

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def wait_for(self, what, bound=90):
        deadline = time.time() + bound
        while time.time() < deadline:
            value = what()
            if value:
                return value
            time.sleep(0.3)
        self.fail("timed out")

    def test_the_library_drives_an_app_through_its_life(self):
        c = self.client
        self.assertTrue(c.ping())
        info = c.get_info()
        self.assertTrue(info.name)
        self.assertTrue(c.get_leader())
        created = c.create_app("lib-app", MarathonApp(cmd="sleep 600", cpus=0.1, mem=32,
                                                      instances=1))
        self.assertEqual(created.id, "/lib-app")
        self.assertEqual(created.instances, 1)
        self.assertEqual(created.upgrade_strategy.minimum_health_capacity, 1)
        self.assertIn("/lib-app", [a.id for a in c.list_apps()])
        # As Marathon's users do: the next change once the deployment is over.
        self.wait_for(lambda: c.get_app("lib-app").tasks_running == 1
                      and not c.get_app("lib-app").deployments)
        c.scale_app("lib-app", instances=3)
        self.wait_for(lambda: c.get_app("lib-app").tasks_running == 3
                      and not c.get_app("lib-app").deployments)
        tasks = c.list_tasks("lib-app")
        self.assertEqual(len(tasks), 3)
        self.assertTrue(all(t.app_id == "/lib-app" and t.host for t in tasks))
        c.delete_app("lib-app")
        self.wait_for(lambda: "/lib-app" not in [a.id for a in c.list_apps()])


if __name__ == "__main__":
    unittest.main(verbosity=2)
