"""A real Docker engine for end-to-end tests: Debian's docker.io installed if
missing, `dockerd` started in the background if none answers, and a local
image `busybox:local` made by `docker import` of a busybox-static tree, so
that nothing is ever pulled. The docker CLI is used here, by the test's
setup only; cairn itself speaks the Engine API."""
import json
import os
import shutil
import subprocess
import tempfile
import time

SOCKET = "/var/run/docker.sock"
IMAGE = "busybox:local"


def run(*args, check=True, bound=120):
    return subprocess.run(args, capture_output=True, text=True, check=check, timeout=bound)


def install(*packages):
    missing = [p for p in packages
               if run("dpkg-query", "-W", "-f=${Status}", p, check=False).stdout
               != "install ok installed"]
    if missing:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=True, env=env, capture_output=True, timeout=600)


def docker(*args, check=True, bound=120):
    return run("docker", "--host", "unix://" + SOCKET, *args, check=check, bound=bound)


def answers():
    return docker("version", check=False, bound=30).returncode == 0


def start_engine(log_dir):
    """Starts dockerd unless one answers already; returns the process or None."""
    install("docker.io", "busybox-static")
    if answers():
        return None
    log = open(os.path.join(log_dir, "dockerd.log"), "w")
    proc = subprocess.Popen(["dockerd", "--host", "unix://" + SOCKET], stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if answers():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise RuntimeError("dockerd did not start; see " + log.name)


def import_busybox(image, *changes):
    """`docker import` of /bin/busybox (busybox-static) and its applet links as
    `image`, with `-c` changes (ENV, ENTRYPOINT, ...)."""
    tree = tempfile.mkdtemp(prefix="busybox-root-")
    try:
        os.makedirs(os.path.join(tree, "root", "bin"))
        for d in ("tmp", "etc", "www"):
            os.makedirs(os.path.join(tree, "root", d))
        shutil.copy("/bin/busybox", os.path.join(tree, "root", "bin", "busybox"))
        applets = run("/bin/busybox", "--list").stdout.split()
        for applet in applets:
            if applet != "busybox":
                os.symlink("busybox", os.path.join(tree, "root", "bin", applet))
        tar = os.path.join(tree, "rootfs.tar")
        run("tar", "-C", os.path.join(tree, "root"), "-cf", tar, ".")
        args = []
        for change in changes:
            args += ["-c", change]
        docker("import", *args, tar, image)
    finally:
        shutil.rmtree(tree)


def build_image():
    """busybox:local, unless the engine has it already."""
    if docker("image", "inspect", IMAGE, check=False).returncode == 0:
        return
    import_busybox(IMAGE)


def inspect(name):
    result = docker("inspect", name, check=False)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout)[0]


def remove(name):
    docker("rm", "-f", name, check=False)
