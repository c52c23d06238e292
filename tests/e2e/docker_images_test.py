"""Docker images for the mesos containerizer (the unified path): images made
on a real Docker engine, saved with `docker save -o DIR/NAME:TAG.tar`, then
the engine stopped; `cairn local --image_providers=docker` runs MESOS tasks
in them from --docker_registry=DIR: the image's ENV and ENTRYPOINT with
shell false, the sandbox at /mnt/mesos/sandbox and none of the host's
files, a top layer's deletion honoured, layers reused by a second launch,
and a missing image or a missing docker/runtime named. Twice: with the
backend the agent picks (overlay where a test mount works, else copy, as
where $TMPDIR is itself on overlayfs), and with copy asked for."""
import json
import re
import os
import subprocess
import sys
import tempfile
import time
import unittest

import docker_engine
from cairn_local import Local

CAIRN = sys.argv.pop(1)


def final_update(result):
    lines = [l for l in result.stdout.splitlines() if l.startswith("{")]
    assert lines, result.stdout + result.stderr
    return json.loads(lines[-1])


def save_images(registry, log_dir):
    """greet:1 (ENV and ENTRYPOINT) and nocat:1 (a top layer deleting
    /bin/cat) as `docker save` archives in `registry`."""
    dockerd = docker_engine.start_engine(log_dir)
    try:
        docker_engine.import_busybox(
            "greet:1", "ENV GREETING=hi", 'ENTRYPOINT ["/bin/sh","-c","echo $GREETING"]')
        docker_engine.build_image()
        docker_engine.remove("cairn-make-nocat")
        docker_engine.docker("run", "--name", "cairn-make-nocat", "--network", "none",
                             docker_engine.IMAGE, "rm", "/bin/cat")
        docker_engine.docker("commit", "cairn-make-nocat", "nocat:1")
        docker_engine.remove("cairn-make-nocat")
        for image in ("greet:1", "nocat:1"):
            docker_engine.docker("save", "-o", os.path.join(registry, image + ".tar"), image)
    finally:
        # The unified path needs no engine: it is stopped before any task runs.
        if dockerd is not None:
            dockerd.terminate()
            dockerd.wait(timeout=60)


def layer_dirs(store):
    layers = os.path.join(store, "layers")
    if not os.path.isdir(layers):
        return {}
    return {name: os.stat(os.path.join(layers, name)).st_ino for name in os.listdir(layers)}


REGISTRY = None


def file_system_type(path):
    return subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True,
                          check=True).stdout.strip()


def chosen_backend(logs):
    """(backend, reason) from the agent's log line naming its choice."""
    found = re.findall(r"image provisioner backend: (\w+) \((.*)\)", logs)
    assert len(found) == 1, logs
    return found[0]


class DockerImages(unittest.TestCase):
    backend = None  # the agent picks

    @classmethod
    def setUpClass(cls):
        global REGISTRY
        cls.dir = tempfile.mkdtemp(prefix="cairn-images-e2e-")
        if REGISTRY is None:
            REGISTRY = os.path.join(cls.dir, "registry")
            os.makedirs(REGISTRY)
            save_images(REGISTRY, cls.dir)
        cls.registry = REGISTRY
        cls.store = os.path.join(cls.dir, "store")
        chosen = ("--image_provisioner_backend", cls.backend) if cls.backend else ()
        cls.local = Local(CAIRN, agents=1, extra=(
            "--isolation", "filesystem/linux,docker/runtime", "--image_providers", "docker",
            "--docker_registry", cls.registry, "--docker_store_dir", cls.store) + chosen)

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()
        cls.local.proc.stdout.close()

    def execute(self, *args):
        return self.local.execute("--json", *args)

    def run_task(self, name, command, image):
        task = {"name": name, "task_id": {"value": name}, "agent_id": {"value": "x"},
                "resources": [
                    {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
                    {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}}],
                "command": command,
                "container": {"type": "MESOS", "mesos": {"image": {
                    "type": "DOCKER", "docker": {"name": image}}}}}
        return self.execute("--task", json.dumps(task))

    def test_entrypoint_and_env_of_the_image_with_shell_false(self):
        r = self.run_task("greet", {"shell": False}, "greet:1")
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FINISHED", r.stdout + self.local.logs())
        self.assertEqual(self.local.sandbox_file("greet"), "hi\n")

    def test_the_sandbox_is_mounted_and_the_host_is_not_there(self):
        r = self.execute("--name", "inside", "--docker-image", "greet:1", "--command",
                         "echo $GREETING; pwd; echo $MESOS_SANDBOX; echo mark > here; "
                         "test -e /etc/debian_version && echo host-file || echo no-host-file; "
                         "test -e /proc/self/status && echo proc")
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FINISHED", r.stdout + self.local.logs())
        out = self.local.sandbox_file("inside")
        self.assertEqual(out.split("\n")[:6], ["hi", "/mnt/mesos/sandbox", "/mnt/mesos/sandbox",
                                               "no-host-file", "proc", ""], out)
        self.assertEqual(self.local.sandbox_file("inside", "here"), "mark\n")
        self.assertTrue(os.path.exists("/etc/debian_version"))

    def test_a_file_deleted_by_the_top_layer_is_not_there(self):
        r = self.execute("--name", "nocat", "--docker-image", "nocat:1", "--command",
                         "test -e /bin/cat && echo has-cat || echo no-cat; test -e /bin/ls "
                         "&& echo has-ls")
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FINISHED", r.stdout + self.local.logs())
        self.assertEqual(self.local.sandbox_file("nocat"), "no-cat\nhas-ls\n")

    def test_a_second_launch_reuses_the_stored_layers(self):
        r = self.execute("--name", "first", "--docker-image", "greet:1", "--command", "true")
        self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout)
        before = layer_dirs(self.store)
        self.assertTrue(before)
        r = self.execute("--name", "second", "--docker-image", "greet:1", "--command",
                         "echo again")
        self.assertEqual(final_update(r)["state"], "TASK_FINISHED", r.stdout)
        self.assertEqual(self.local.sandbox_file("second"), "again\n")
        after = layer_dirs(self.store)
        for layer, inode in before.items():
            self.assertEqual(after.get(layer), inode, "layer %s was extracted again" % layer)
        # Each rootfs goes with its container.
        deadline = time.time() + 30
        while self.rootfses() and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.rootfses(), [])
        with open("/proc/self/mountinfo") as f:
            self.assertNotIn(self.local.work_dir, f.read())

    def rootfses(self):
        found = []
        for root, dirs, _files in os.walk(self.local.work_dir):
            if root.endswith("/provisioner/containers"):
                found += dirs
        return found

    def test_an_image_not_in_the_registry_fails_naming_it(self):
        r = self.execute("--name", "missing", "--docker-image", "nothere:7", "--command", "true")
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FAILED", r.stdout)
        self.assertIn("nothere:7", last["message"])

    def test_a_command_health_check_in_an_image_is_refused_by_name(self):
        r = self.execute("--name", "probed", "--docker-image", "greet:1", "--command", "true",
                         "--health-check-command", "true")
        last = final_update(r)
        self.assertEqual(last["state"], "TASK_FAILED", r.stdout)
        self.assertIn("TaskInfo.health_check of type COMMAND in a Docker image", last["message"])

    def refused_start(self, name, *flags):
        """`cairn local` with the image flags and `flags`: it must not start."""
        r = subprocess.run([CAIRN, "local", "--http-port", "0", "--no-cron",
                            "--work-dir", os.path.join(self.dir, name),
                            "--isolation", "filesystem/linux,docker/runtime",
                            "--image_providers", "docker", "--docker_registry", self.registry,
                            "--docker_store_dir", self.store] + list(flags),
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout + r.stderr

    def test_the_backend_chosen_is_logged_with_its_reason(self):
        with open(os.path.join(self.local.work_dir, "local.log")) as f:
            backend, reason = chosen_backend(f.read())
        if self.backend:
            self.assertEqual((backend, reason), (self.backend, "--image_provisioner_backend=" +
                                                 self.backend))
            return
        self.assertIn(backend, ("overlay", "copy"))
        self.assertIn("--image_provisioner_backend unset", reason)
        # Overlay cannot take an upper directory on another overlay.
        if file_system_type(self.local.work_dir) == "overlayfs":
            self.assertEqual(backend, "copy", reason)
        if backend == "copy":
            # Asked for by name where the probe failed, overlay stops the agent, saying why.
            out = self.refused_start("overlay-refused", "--image_provisioner_backend", "overlay")
            self.assertIn("--image_provisioner_backend=overlay: overlay cannot be used here",
                          out)
            self.assertIn(reason.rsplit(": ", 1)[1], out)  # the same failure

    def test_an_unknown_backend_stops_the_agent_naming_it(self):
        out = self.refused_start("aufs-refused", "--image_provisioner_backend", "aufs")
        self.assertIn("unknown backend 'aufs'", out)

    def test_image_providers_without_docker_runtime_stops_the_agent(self):
        r = subprocess.run([CAIRN, "local", "--http-port", "0", "--no-cron",
                            "--work-dir", os.path.join(self.dir, "refused"),
                            "--isolation", "filesystem/linux", "--image_providers", "docker"],
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("docker/runtime", r.stderr + r.stdout)


class DockerImagesCopied(DockerImages):
    """The same, each rootfs a copy of the layers (whiteouts applied while copying)."""
    backend = "copy"

    test_image_providers_without_docker_runtime_stops_the_agent = None
    test_an_unknown_backend_stops_the_agent_naming_it = None


if __name__ == "__main__":
    unittest.main(verbosity=2)
