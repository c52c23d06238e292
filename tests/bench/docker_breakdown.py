"""Where the time of docker_bench.py's DOCKER tasks goes, read after the run
from what was logged anyway: the agent's log (`launching task`, and with
--logging_level debug the docker containerizer's container created and
executor started lines), each executor's stderr in its sandbox (TASK_STARTING
once it registered and got the task, TASK_RUNNING, the kill), the engine's
own event stream
(create, start, kill, die, destroy of each mesos- container) and when the
framework heard of each update. Prints, per stage, when the last task
reached it (seconds from the launch call) and the median time a task spent
since the stage before."""
import datetime
import json
import os
import re
import statistics
import threading
import urllib.parse

LOG_LINE = re.compile(r"^[DIWE](\d{4}) (\d\d:\d\d:\d\d\.\d+) +\d+ (\w+)\] (.*)$")
LAUNCHING = re.compile(r"launching task (\S+) of framework \S+ in (\S+)$")
CONTAINER_LINE = re.compile(r"container (\S+): (created|executor started)")
EXECUTOR_LINE = re.compile(r"task \S+: (TASK_STARTING|TASK_RUNNING|SIGTERM|SIGKILL|TASK_KILLED)")
# The executor's first signal, whichever it is (SIGKILL alone with no grace period).
SIGNALS = ("SIGTERM", "SIGKILL")


def log_time(day, clock):
    """A glog-style time (no year; the machine's local time) in seconds."""
    year = datetime.datetime.now().year
    stamp = datetime.datetime.strptime("%d%s %s" % (year, day, clock), "%Y%m%d %H:%M:%S.%f")
    return stamp.timestamp()


def log_lines(path):
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = LOG_LINE.match(line.rstrip("\n"))
                if m:
                    yield log_time(m.group(1), m.group(2)), m.group(3), m.group(4)
    except OSError:
        return


class EngineEvents(threading.Thread):
    """Follows the engine's container events while the bench runs (the
    engine keeps only its last 256 events, fewer than a run makes): the
    first time of each action, by container name."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self.engine = engine
        self.events = {}
        query = urllib.parse.urlencode({"filters": json.dumps({"type": ["container"]})})
        engine.request("GET", "/events?" + query)
        self.reply = engine.getresponse()
        self.start()

    def run(self):
        decoder = json.JSONDecoder()
        text = ""
        try:
            while True:
                chunk = self.reply.read1(65536)
                if not chunk:
                    return
                text += chunk.decode(errors="replace")
                while True:
                    text = text.lstrip()
                    try:
                        event, end = decoder.raw_decode(text)
                    except ValueError:
                        break
                    text = text[end:]
                    self.note(event)
        except (OSError, ValueError):
            return

    def note(self, event):
        name = event.get("Actor", {}).get("Attributes", {}).get("name", "")
        action = event.get("Action", event.get("status", ""))
        self.events.setdefault(name, {}).setdefault(action, event["timeNano"] / 1e9)

    def stop(self):
        self.engine.close()
        return dict(self.events)


def collect(log_path, framework_times, events):
    """Per task: stage name -> wall time."""
    tasks = {}
    containers = {}
    for at, role, text in log_lines(log_path):
        m = LAUNCHING.search(text)
        if m and role == "agent":
            task, sandbox = m.group(1), m.group(2)
            container = os.path.basename(sandbox)
            tasks[task] = {"launch received": at, "_sandbox": sandbox}
            containers[container] = task
            continue
        m = CONTAINER_LINE.search(text)
        if m and m.group(1) in containers:
            tasks[containers[m.group(1)]][m.group(2)] = at
    for container, task in containers.items():
        stages = tasks[task]
        for at, _, text in log_lines(os.path.join(stages["_sandbox"], "stderr")):
            m = EXECUTOR_LINE.search(text)
            if m:
                what = "signal" if m.group(1) in SIGNALS else m.group(1)
                stages.setdefault("executor " + what, at)
        for action, at in events.get("mesos-" + container, {}).items():
            stages["engine " + action] = at
        for state, at in framework_times.get(task, {}).items():
            stages["framework " + state] = at
    return tasks


LAUNCH_STAGES = ["launch received", "created", "executor started",
                 "executor TASK_STARTING", "engine create", "engine start",
                 "executor TASK_RUNNING", "framework TASK_RUNNING"]
KILL_STAGES = ["framework KILL", "executor signal", "engine kill", "engine die",
               "executor TASK_KILLED", "framework TASK_KILLED", "engine destroy"]


def report(tasks, start, stages, title):
    print("  %s (s from its first call; last task / median step from the stage before):"
          % title)
    previous = None
    for stage in stages:
        times = [t[stage] for t in tasks.values() if stage in t]
        if not times:
            continue
        steps = [t[stage] - t[previous] for t in tasks.values()
                 if previous and stage in t and previous in t]
        print("    %-24s %3d tasks, last at %6.2f%s" % (
            stage, len(times), max(times) - start,
            ", median step %.3f" % statistics.median(steps) if steps else ""))
        previous = stage


def print_breakdown(log_path, framework_times, events, launch_at, kill_at):
    tasks = collect(log_path, framework_times, events)
    report(tasks, launch_at, LAUNCH_STAGES, "launch")
    report(tasks, kill_at, KILL_STAGES, "kill")
