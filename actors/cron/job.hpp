// A cron job: what Chronos' JSON gives (kept as posted, for GET to answer it
// back) and what cairn derives from it (its schedule, epsilon, policy,
// constraints), with what its runs changed (counters, the schedule moved
// on). Reading a job validates it whole; a field cairn does not implement is
// refused by name.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/cron/constraints.hpp"
#include "actors/cron/run_policy.hpp"
#include "actors/cron/schedule.hpp"
#include "runtime/wire.hpp"
#include "schema/cron.capnp.h"

namespace cairn::cron {

// Chronos' defaults for a job that asks for 0.
constexpr double default_cpus = 0.1;
constexpr double default_mem_mb = 128;
constexpr double default_disk_mb = 256;

struct job {
  std::string name;
  wire<schema::cron::Job> spec;           // as posted
  std::optional<job_schedule> schedule;  // none: a dependent job
  std::vector<std::string> parents;
  int64_t epsilon_ms = 0;
  concurrency_policy policy = concurrency_policy::forbid;
  std::vector<constraint> constraints;
  double cpus = default_cpus, mem_mb = default_mem_mb, disk_mb = default_disk_mb;
  run_counters counters;
  uint64_t skip_count = 0;
  bool disabled = false;

  bool dependent() const { return !schedule.has_value(); }
};

using zone_finder =
  std::function<caf::expected<std::shared_ptr<const time_zone>>(const std::string&)>;

enum class job_kind { scheduled, dependent, any };

// A job from JSON. `kind` is what the endpoint takes (iso8601: a schedule
// or cron; dependency: parents); `now_ms` is an empty start's instant, and
// where a cron schedule without nextRunAt begins.
caf::expected<job> read_job(std::string_view json, job_kind kind, int64_t now_ms,
                            const zone_finder& zones);

// The job's JSON as GET answers it and as it is stored: the posted fields,
// the schedule as it stands, the counters, nextRunAt.
wire<schema::cron::Job> job_document(const job& j);

// `[\w.-]+`, at most 128 characters.
bool valid_job_name(std::string_view name);

} // namespace cairn::cron
