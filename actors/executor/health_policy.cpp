#include "actors/executor/health_policy.hpp"

#include <cassert>

namespace cairn {

bool healthy_outcome(const probe_outcome& outcome) {
  using kind = probe_outcome::kind;
  switch (outcome.what) {
    case kind::exited:
      return outcome.value == 0;
    case kind::http_status:
      return outcome.value >= 200 && outcome.value < 400;
    case kind::connected:
      return true;
    default:
      return false;
  }
}

health_params health_params_of(schema::HealthCheck::Reader check) {
  health_params p;
  p.delay = from_seconds(check.getDelaySeconds());
  p.interval = from_seconds(check.getIntervalSeconds());
  p.timeout = from_seconds(check.getTimeoutSeconds());
  p.grace = from_seconds(check.getGracePeriodSeconds());
  p.consecutive_failures = check.getConsecutiveFailures();
  assert(p.delay.count() >= 0 && p.interval.count() >= 0);
  assert(p.timeout.count() >= 0 && p.grace.count() >= 0);
  return p;
}

health_policy::health_policy(health_params params, duration launched)
  : params_(params), launched_(launched) {
  check_invariants();
}

bool health_policy::in_grace(duration now) const {
  // As Mesos: the grace period counts from the launch (so it includes the
  // delay) and ends for good with the first success.
  return initializing_ && params_.grace.count() > 0 && now - launched_ <= params_.grace;
}

health_verdict health_policy::on_result(bool succeeded, duration now) {
  assert(now >= launched_);
  health_verdict v;
  if (succeeded) {
    v.report = initializing_ || consecutive_failures_ > 0;
    v.healthy = true;
    initializing_ = false;
    consecutive_failures_ = 0;
  } else if (!in_grace(now)) {
    ++consecutive_failures_;
    v.report = true;
    v.healthy = false;
    v.kill = consecutive_failures_ >= params_.consecutive_failures;
  }
  v.consecutive_failures = consecutive_failures_;
  assert(!v.kill || (v.report && !v.healthy));
  check_invariants();
  return v;
}

void health_policy::check_invariants() const {
  assert(params_.delay.count() >= 0 && params_.interval.count() >= 0);
  assert(params_.timeout.count() >= 0 && params_.grace.count() >= 0);
}

void check_result::write(schema::CheckStatusInfo::Builder out) const {
  out.setType(type);
  switch (type) {
    case schema::CheckInfo::Type::COMMAND: {
      auto c = out.initCommand();
      if (exit_code) {
        c.setExitCode(*exit_code);
        c.setHasExitCode(true);
      }
      return;
    }
    case schema::CheckInfo::Type::HTTP: {
      auto h = out.initHttp();
      if (status_code) {
        h.setStatusCode(*status_code);
        h.setHasStatusCode(true);
      }
      return;
    }
    case schema::CheckInfo::Type::TCP: {
      auto t = out.initTcp();
      if (succeeded) {
        t.setSucceeded(*succeeded);
        t.setHasSucceeded(true);
      }
      return;
    }
    default:
      return;
  }
}

check_params check_params_of(schema::CheckInfo::Reader check) {
  check_params p;
  p.delay = from_seconds(check.getDelaySeconds());
  p.interval = from_seconds(check.getIntervalSeconds());
  p.timeout = from_seconds(check.getTimeoutSeconds());
  assert(p.delay.count() >= 0 && p.interval.count() >= 0 && p.timeout.count() >= 0);
  return p;
}

check_result check_result_of(schema::CheckInfo::Type type, const probe_outcome& outcome) {
  using kind = probe_outcome::kind;
  using Type = schema::CheckInfo::Type;
  check_result r;
  r.type = type;
  if (type == Type::COMMAND && outcome.what == kind::exited)
    r.exit_code = outcome.value;
  else if (type == Type::HTTP && outcome.what == kind::http_status && outcome.value >= 0)
    r.status_code = static_cast<uint32_t>(outcome.value);
  else if (type == Type::TCP && (outcome.what == kind::connected || outcome.what == kind::refused))
    r.succeeded = outcome.what == kind::connected;
  return r;
}

check_policy::check_policy(schema::CheckInfo::Type type) {
  assert(type != schema::CheckInfo::Type::UNKNOWN);
  last_.type = type;
}

std::optional<check_result> check_policy::on_result(const check_result& result) {
  assert(result.type == last_.type);
  // One field at most, the one of the check's type.
  assert(int(result.exit_code.has_value()) + int(result.status_code.has_value()) +
           int(result.succeeded.has_value()) <= 1);
  if (result == last_)
    return std::nullopt;
  last_ = result;
  return last_;
}

} // namespace cairn
