#include "actors/cron/job.hpp"

#include <cassert>
#include <cctype>

#include <capnp/message.h>

#include "actors/cron/job_container.hpp"
#include "runtime/json.hpp"

namespace cairn::cron {

namespace {

// Chronos' fields that cairn does not implement: given with anything but
// their empty value, the job is refused naming the field.
constexpr const char* unsupported_fields[] = {
  "executor", "executorFlags", "taskInfoData", "runAsUser", "async",
  "dataProcessingJobType", "highPriority", "dataJob", "environmentVariablesSecrets"};

bool empty_json(capnp::JsonValue::Reader v) {
  switch (v.which()) {
    case capnp::JsonValue::NULL_: return true;
    case capnp::JsonValue::BOOLEAN: return !v.getBoolean();
    case capnp::JsonValue::STRING: return v.getString().size() == 0;
    case capnp::JsonValue::ARRAY: return v.getArray().size() == 0;
    case capnp::JsonValue::OBJECT: return v.getObject().size() == 0;
    default: return false;
  }
}

caf::error refuse_unsupported(std::string_view json) {
  try {
    capnp::MallocMessageBuilder raw;
    detail::decode_raw_json(json, raw);
    auto root = raw.getRoot<capnp::JsonValue>().asReader();
    if (!root.isObject())
      return make_error("a job is a JSON object");
    for (auto f : root.getObject()) {
      if (f.getName() == "container")
        if (auto err = refuse_container_keys(f.getValue()))
          return err;
      for (auto name : unsupported_fields)
        if (f.getName() == name && !empty_json(f.getValue()))
          return make_error(std::string("job field '") + name + "' is not supported yet");
    }
  } catch (const kj::Exception& e) {
    return make_error(std::string("invalid JSON: ") + e.getDescription().cStr());
  }
  return {};
}

caf::expected<double> resource(const char* name, double given, double fallback) {
  if (!(given >= 0) || given > 1e9)
    return make_error(std::string(name) + " must be a number from 0 up");
  return given == 0 ? fallback : given;
}

caf::error read_schedule(job& j, schema::cron::Job::Reader s, int64_t now_ms,
                         const zone_finder& zones) {
  bool iso = s.getSchedule().size() > 0, cron = s.getCron().size() > 0;
  if (iso && cron)
    return make_error("give schedule or cron, not both");
  if (iso) {
    std::shared_ptr<const time_zone> zone;
    if (s.getScheduleTimeZone().size() > 0) {
      auto z = zones(s.getScheduleTimeZone());
      if (!z)
        return make_error("scheduleTimeZone: " + error_message(z.error()));
      zone = *z;
    }
    auto sched = job_schedule::iso8601(s.getSchedule().cStr(), zone, now_ms);
    if (!sched)
      return sched.error();
    j.schedule = std::move(*sched);
    return {};
  }
  auto z = zones(s.getTimezone().size() > 0 ? std::string(s.getTimezone()) : "UTC");
  if (!z)
    return make_error("timezone: " + error_message(z.error()));
  int64_t after = now_ms;
  if (s.getNextRunAt().size() > 0) {
    // Resumes at the stored instant: the run due there has not happened.
    auto w = parse_date_time(s.getNextRunAt().cStr());
    if (!w || !w->offset_s)
      return make_error("nextRunAt: a date-time with its offset");
    after = w->local_ms - int64_t{*w->offset_s} * 1000 - 1;
  }
  auto sched = job_schedule::cron(s.getCron().cStr(), *z, after);
  if (!sched)
    return sched.error();
  j.schedule = std::move(*sched);
  return {};
}

caf::error read_parts(job& j, schema::cron::Job::Reader s) {
  if (s.getCommand().size() == 0)
    return make_error("a job needs a command");
  if (s.getRetries() < 0 || s.getRetries() > 1000)
    return make_error("retries must be from 0 to 1000");
  if (s.hasContainer())
    if (auto err = check_container(s.getContainer()))
      return err;
  auto eps = parse_epsilon(s.getEpsilon().cStr());
  if (!eps)
    return eps.error();
  j.epsilon_ms = *eps;
  auto cpus = resource("cpus", s.getCpus(), default_cpus);
  auto mem = resource("mem", s.getMem(), default_mem_mb);
  auto disk = resource("disk", s.getDisk(), default_disk_mb);
  if (!cpus || !mem || !disk)
    return !cpus ? cpus.error() : !mem ? mem.error() : disk.error();
  j.cpus = *cpus;
  j.mem_mb = *mem;
  j.disk_mb = *disk;
  for (auto c : s.getConstraints()) {
    std::vector<std::string> fields;
    for (auto f : c)
      fields.emplace_back(f.cStr());
    auto parsed = read_constraint(fields);
    if (!parsed)
      return parsed.error();
    j.constraints.push_back(std::move(*parsed));
  }
  for (auto v : s.getEnvironmentVariables())
    if (v.getName().size() == 0)
      return make_error("an environment variable without a name");
  for (auto f : s.getFetch())
    if (f.getUri().size() == 0)
      return make_error("a fetch entry without a uri");
  // Metronome's schedules allow overlap unless told; Chronos' follow `concurrent`.
  bool metronome = s.getCron().size() > 0;
  auto policy = read_concurrency_policy(s.getConcurrencyPolicy().cStr(),
                                        metronome || s.getConcurrent());
  if (!policy)
    return policy.error();
  j.policy = *policy;
  return {};
}

} // namespace

bool valid_job_name(std::string_view name) {
  if (name.empty() || name.size() > 128)
    return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return true;
}

caf::expected<job> read_job(std::string_view json, job_kind kind, int64_t now_ms,
                            const zone_finder& zones) {
  if (auto err = refuse_unsupported(json))
    return err;
  auto spec = from_json<schema::cron::Job>(json);
  if (!spec)
    return spec.error();
  auto s = spec->get();
  job j;
  j.name = s.getName();
  if (!valid_job_name(j.name))
    return make_error("job name '" + j.name + "' must match [\\w.-]+ (at most 128 characters)");
  bool scheduled = s.getSchedule().size() > 0 || s.getCron().size() > 0;
  bool dependent = s.getParents().size() > 0;
  if (scheduled && dependent)
    return make_error("a job has a schedule or parents, not both");
  if (!scheduled && !dependent)
    return make_error("a job needs a schedule (or cron) or parents");
  if (kind == job_kind::scheduled && !scheduled)
    return make_error("this endpoint takes scheduled jobs: give a schedule "
                      "(dependent jobs go to /v1/scheduler/dependency)");
  if (kind == job_kind::dependent && !dependent)
    return make_error("this endpoint takes dependent jobs: give parents "
                      "(scheduled jobs go to /v1/scheduler/iso8601)");
  for (auto p : s.getParents()) {
    if (p == s.getName())
      return make_error("a job cannot be its own parent");
    j.parents.emplace_back(p.cStr());
  }
  if (scheduled)
    if (auto err = read_schedule(j, s, now_ms, zones))
      return err;
  if (auto err = read_parts(j, s))
    return err;
  j.counters.success_count = s.getSuccessCount();
  j.counters.error_count = s.getErrorCount();
  j.counters.errors_since_last_success = s.getErrorsSinceLastSuccess();
  j.counters.last_success = s.getLastSuccess();
  j.counters.last_error = s.getLastError();
  j.skip_count = s.getSkipCount();
  j.disabled = s.getDisabled();
  j.spec = std::move(*spec);
  assert(j.dependent() == !j.parents.empty());
  return j;
}

wire<schema::cron::Job> job_document(const job& j) {
  return make_wire<schema::cron::Job>([&](schema::cron::Job::Builder b) {
    // Every field as posted, then what runs changed.
    auto src = j.spec.get();
    auto schema = capnp::Schema::from<schema::cron::Job>();
    auto dst = capnp::toDynamic(b);
    auto from = capnp::toDynamic(src);
    for (auto field : schema.getFields())
      if (from.has(field))
        dst.set(field, from.get(field));
    if (j.schedule) {
      if (j.spec->getSchedule().size() > 0)
        b.setSchedule(j.schedule->text());
      auto next = j.schedule->next_ms();
      if (next)
        b.setNextRunAt(format_date_time(*next, j.schedule->zone().offset_at(*next)));
      else
        b.setNextRunAt("");
    }
    b.setSuccessCount(j.counters.success_count);
    b.setErrorCount(j.counters.error_count);
    b.setErrorsSinceLastSuccess(j.counters.errors_since_last_success);
    b.setLastSuccess(j.counters.last_success);
    b.setLastError(j.counters.last_error);
    b.setSkipCount(j.skip_count);
    b.setDisabled(j.disabled);
  });
}

} // namespace cairn::cron
