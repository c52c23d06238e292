@0x9f705cff6f3e57de;
# The cron framework's jobs and runs, in Chronos' JSON (its field names are
# the schema's own camelCase): the bodies of /v1/scheduler and what the
# framework keeps in the replicated key-value store.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("cairn::schema::cron");
using Json = import "/capnp/compat/json.capnp";

struct Job {
  name @0 :Text;
  command @1 :Text;
  shell @2 :Bool = true;
  arguments @3 :List(Text);
  schedule @4 :Text;
  # R[n]/<start>/<period>; or `cron` below; or `parents`.
  scheduleTimeZone @5 :Text;
  epsilon @6 :Text;
  # An ISO 8601 period; empty is PT5M.
  parents @7 :List(Text);
  retries @8 :Int32 = 2;
  softError @9 :Bool;
  cpus @10 :Float64;
  mem @11 :Float64;
  disk @12 :Float64;
  container @13 :Container;
  environmentVariables @14 :List(EnvironmentVariable);
  fetch @15 :List(Fetch);
  uris @16 :List(Text);
  constraints @17 :List(List(Text));
  # [attribute, EQUALS|LIKE|UNLIKE, value]; the attribute may be "hostname".
  owner @18 :Text;
  ownerName @19 :Text;
  description @20 :Text;
  disabled @21 :Bool;
  concurrent @22 :Bool;
  cron @23 :Text;
  # Five fields, as Metronome's schedules take them, instead of `schedule`.
  timezone @24 :Text;
  concurrencyPolicy @25 :Text;
  # ALLOW, FORBID or REPLACE; empty follows `concurrent`.

  # What the framework keeps about the job's runs.
  successCount @26 :UInt64;
  errorCount @27 :UInt64;
  errorsSinceLastSuccess @28 :UInt64;
  lastSuccess @29 :Text;
  lastError @30 :Text;
  skipCount @31 :UInt64;
  # Runs skipped because they could not start within epsilon (cairn's own).
  nextRunAt @32 :Text;
  # The next due instant, as ISO 8601 (cairn's own; for `cron` jobs it is
  # where the schedule resumes after a restart).

  struct Container {
    type @0 :Text;
    # DOCKER (Chronos' default); MESOS is refused (no image path yet).
    image @1 :Text;
    network @2 :Text;
    # HOST (Chronos' default), BRIDGE or NONE.
    forcePullImage @3 :Bool;
    volumes @4 :List(Volume);
    parameters @5 :List(Parameter);

    struct Volume {
      containerPath @0 :Text;
      hostPath @1 :Text;
      mode @2 :Text;
      # RW (default) or RO.
    }

    struct Parameter {
      key @0 :Text;
      value @1 :Text;
    }
  }

  struct EnvironmentVariable {
    name @0 :Text;
    value @1 :Text;
  }

  struct Fetch {
    uri @0 :Text;
    executable @1 :Bool;
    extract @2 :Bool = true;
    cache @3 :Bool;
    outputFile @4 :Text;
  }
}

struct Jobs {
  jobs @0 :List(Job);
}

# One run of a job (cairn's history; Chronos keeps these in Cassandra).
struct Run {
  taskId @0 :Text;
  jobName @1 :Text;
  start @2 :Text;
  end @3 :Text;
  state @4 :Text;
  # The task's last state: TASK_FINISHED, TASK_FAILED, ...; QUEUED before launch.
  agentId @5 :Text;
  exitStatus @6 :Int32 = -1;
  sandbox @7 :Text;
  # Under the agent's work dir.
  attempt @8 :UInt32;
  message @9 :Text;
}

struct History {
  runs @0 :List(Run);
}

# GET job/stat/{name}, in Chronos' shape.
struct JobStat {
  histogram @0 :Histogram;
  taskStatHistory @1 :List(TaskStat);

  struct Histogram {
    p75 @0 :Float64 $Json.name("75thPercentile");
    p95 @1 :Float64 $Json.name("95thPercentile");
    p98 @2 :Float64 $Json.name("98thPercentile");
    p99 @3 :Float64 $Json.name("99thPercentile");
    median @4 :Float64;
    mean @5 :Float64;
    count @6 :UInt64;
  }

  struct TaskStat {
    taskId @0 :Text;
    jobName @1 :Text;
    slaveId @2 :Text;
    taskState @3 :Text;
    taskStartTs @4 :Text;
    taskEndTs @5 :Text;
    taskDuration @6 :Text;
  }
}

struct Summary {
  jobs @0 :List(Entry);
  struct Entry {
    name @0 :Text;
    status @1 :Text;
    # success, failure or fresh
    state @2 :Text;
    # idle, queued or "N running"
    schedule @3 :Text;
    parents @4 :List(Text);
    disabled @5 :Bool;
    waitingFor @6 :Text;
    # Why the last offers did not fit a queued run (as Marathon's queue
    # tells): "cpus, mem, disk, constraints" lacking; empty otherwise.
  }
}

struct Leader {
  leader @0 :Text;
}
