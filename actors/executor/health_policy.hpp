// What a task's health check and check decide, as Mesos' built-in executors
// decide it: when to probe, which results become TASK_RUNNING updates, and
// when failing health checks kill the task. Pure: the executor actor probes,
// keeps the clock and sends; this only judges results (time is an argument).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/duration.hpp"
#include "schema/mesos.capnp.h"

namespace cairn {

// What one probe found, whichever asked for it (a health check or a check).
struct probe_outcome {
  enum class kind {
    exited,       // COMMAND: the command ended by itself; `value` is its exit code
    signaled,     // COMMAND: killed by a signal
    http_status,  // HTTP: an answer; `value` is its status code
    connected,    // TCP: the connection was made
    refused,      // TCP: it was not (refused, unreachable)
    timed_out,    // no result within the timeout (the probe was stopped)
    failed,       // the probe itself could not run, or HTTP got no answer
  };
  kind what = kind::failed;
  int value = 0;
  std::string message;  // for the log, and the reason of a failure
};

// Mesos' success for a health check: exit code 0, HTTP 200-399, connected.
bool healthy_outcome(const probe_outcome& outcome);

struct health_params {
  duration delay{};
  duration interval{};
  duration timeout{};  // zero: no timeout (Mesos)
  duration grace{};    // failures this long after the launch are ignored until a success
  uint32_t consecutive_failures = 3;
};

// The parameters of a HealthCheck, Mesos' defaults where it sets none (the
// schema holds them: 15 s delay, 10 s interval, 20 s timeout, 10 s grace, 3
// failures). Call only on a HealthCheck that check_rules accepted.
health_params health_params_of(schema::HealthCheck::Reader check);

// What one health check result asks of the executor.
struct health_verdict {
  bool report = false;   // send TASK_RUNNING with `healthy`
  bool healthy = false;  // the value to send
  bool kill = false;     // kill the task (its terminal update says healthy=false)
  uint32_t consecutive_failures = 0;
};

class health_policy {
public:
  // `launched`: when the task started, on the executor's clock.
  health_policy(health_params params, duration launched);

  const health_params& params() const { return params_; }

  // Mesos sends a healthy update on the first success and on the first
  // success after failures; every failure past the grace period is sent
  // as unhealthy, and the task is killed once `consecutive_failures` of
  // them follow each other. A timed-out probe is a failure.
  health_verdict on_result(bool succeeded, duration now);

  uint32_t consecutive_failures() const { return consecutive_failures_; }
  bool ever_healthy() const { return !initializing_; }

  void check_invariants() const;

private:
  bool in_grace(duration now) const;

  health_params params_;
  duration launched_;
  bool initializing_ = true;  // no success yet
  uint32_t consecutive_failures_ = 0;
};

// The result of one check (TaskInfo.check) as CheckStatusInfo holds it: the
// value of its type, or none when the check could not be performed (timed
// out, the command was killed by a signal, no HTTP answer).
struct check_result {
  schema::CheckInfo::Type type = schema::CheckInfo::Type::UNKNOWN;
  std::optional<int32_t> exit_code;     // COMMAND
  std::optional<uint32_t> status_code;  // HTTP
  std::optional<bool> succeeded;        // TCP

  bool operator==(const check_result& o) const {
    return type == o.type && exit_code == o.exit_code && status_code == o.status_code &&
           succeeded == o.succeeded;
  }
  bool operator!=(const check_result& o) const { return !(*this == o); }

  void write(schema::CheckStatusInfo::Builder out) const;
};

struct check_params {
  duration delay{};
  duration interval{};
  duration timeout{};  // zero: no timeout
};

check_params check_params_of(schema::CheckInfo::Reader check);

// The CheckStatusInfo value of an outcome: its exit code, status code or
// whether it connected; empty when the check could not be performed.
check_result check_result_of(schema::CheckInfo::Type type, const probe_outcome& outcome);

// Mesos reports a check's result only when it differs from the one before;
// before any result it counts as empty (only its type).
class check_policy {
public:
  explicit check_policy(schema::CheckInfo::Type type);

  // The result to report, or nothing when it is the same as the last one.
  std::optional<check_result> on_result(const check_result& result);

  const check_result& last() const { return last_; }

private:
  check_result last_;
};

} // namespace cairn
