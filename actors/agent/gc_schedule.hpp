// When sandboxes are removed, as Mesos' garbage collector decides it: a
// path is due --gc_delay after it was scheduled (its executor ended), and
// sooner as the work dir's disk fills. Every --disk_watch_interval the
// agent measures the file system's usage u (0..1) and everything that has
// waited at least
//
//     max_age = gc_delay × max(0, 1 − gc_disk_headroom − u)
//
// is due at once (Mesos' Slave::age and GarbageCollector::prune). A pure
// core: no clock and no I/O; the GC actor (sandbox_gc.hpp) feeds it the
// time and the usage and removes what it hands back.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/duration.hpp"

namespace cairn {

struct gc_policy {
  duration delay = std::chrono::hours(24 * 7);  // --gc_delay (1weeks)
  double disk_headroom = 0.1;                   // --gc_disk_headroom
};

// How long a scheduled path may wait at disk usage `usage`.
duration gc_max_age(const gc_policy& policy, double usage);

class gc_schedule {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit gc_schedule(gc_policy policy) : policy_(policy) {
  }

  // `path` is due policy.delay after `now`; scheduling it again moves it.
  void schedule(const std::string& path, time_point now);

  // `path` is wanted again (a new run of its executor or framework): not
  // removed. False when it was not scheduled.
  bool unschedule(const std::string& path);

  // Paths due by `now`, in the order they became due; they leave the schedule.
  std::vector<std::string> due(time_point now);

  // The file system is `usage` full: paths that have waited max_age or more
  // leave the schedule, to be removed now.
  std::vector<std::string> prune(double usage, time_point now);

  // When the next path is due; none when nothing is scheduled.
  std::optional<time_point> next_due() const;

  bool scheduled(const std::string& path) const {
    return removal_.count(path) > 0;
  }
  size_t size() const {
    return removal_.size();
  }
  const gc_policy& policy() const {
    return policy_;
  }

private:
  // Takes every path due at or before `deadline`.
  std::vector<std::string> take_until(time_point deadline);

  gc_policy policy_;
  std::multimap<time_point, std::string> by_time_;
  std::unordered_map<std::string, time_point> removal_;
};

} // namespace cairn
