// disk/du: how much disk a container's sandbox uses, measured as `du -k -s`
// would, as Mesos' posix disk isolator does; with --enforce_container_disk_quota
// a sandbox past its `disk` resource is a limitation (REASON_CONTAINER_LIMITATION_DISK).
//
// Walking a sandbox is blocking I/O that may take long, so the isolator never
// does it on the containerizer's thread: a detached collector actor measures
// every sandbox once each --container_disk_watch_interval and leaves the
// result in a book that watch() and usage() only read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actors/agent/isolator.hpp"
#include "runtime/duration.hpp"

namespace cairn {

struct disk_du_options {
  duration watch_interval = std::chrono::seconds(15);  // --container_disk_watch_interval
  bool enforce_quota = false;                          // --enforce_container_disk_quota
};

class disk_du_isolator : public isolator {
public:
  // Measures every sandbox it watches now, on the caller's thread (the
  // collector's; tests call it directly).
  virtual void collect() = 0;
};

std::unique_ptr<disk_du_isolator> make_disk_du_isolator(disk_du_options options);

// Bytes that the files beneath `path` take on disk, in 1 KiB units as
// `du -k -s` counts them: links are not followed, a file with several
// hard links is counted once. An error when `path` cannot be read at all.
caf::expected<uint64_t> disk_usage(const std::string& path);

} // namespace cairn
