"""Calls to a services (Marathon) REST API for end-to-end tests, as a mixin
for unittest.TestCase classes whose `local` (a cairn_local.Local or alike)
has `services_address` and `logs()`. Standard library only."""
import json
import time
import urllib.error
import urllib.request


class MarathonCalls:
    def call(self, method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request("http://%s%s" % (self.local.services_address, path),
                                     data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text.strip().startswith(("{", "[")) else text), r.headers
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text.strip().startswith(("{", "[")) else text), e.headers

    def ok(self, method, path, body=None, want=200):
        status, answer, _ = self.call(method, path, body)
        self.assertEqual(status, want, answer)
        return answer

    def wait_for(self, what, bound=90):
        deadline = time.time() + bound
        while time.time() < deadline:
            value = what()
            if value:
                return value
            time.sleep(0.3)
        self.fail("not within %ss; log:\n%s" % (bound, self.local.logs()))

    def app(self, app_id):
        return self.ok("GET", "/v2/apps" + app_id)["app"]

    def settled(self, app_id, running, bound=90):
        """The app once `running` of its tasks run and no deployment holds it."""
        def check():
            a = self.app(app_id)
            alive = [t for t in a["tasks"] if t["state"] == "TASK_RUNNING"]
            return a if a["tasksRunning"] == running and len(a["tasks"]) == running \
                and len(alive) == running and not a["deployments"] else None
        return self.wait_for(check, bound)

    def deployments_of(self, app_id):
        return [d for d in self.ok("GET", "/v2/deployments") if app_id in d["affectedApps"]]


def healthy_tasks(app):
    """The app's running tasks whose health check passed last."""
    return [t for t in app["tasks"] if t["state"] == "TASK_RUNNING"
            and t.get("healthCheckResults") and t["healthCheckResults"][0]["alive"]]
