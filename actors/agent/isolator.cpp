#include "actors/agent/isolator.hpp"

namespace cairn {

container_limits limits_of(const resources& res) {
  container_limits limits;
  limits.cpus = res.get_scalar("cpus");
  limits.mem_mb = res.get_scalar("mem");
  limits.disk_mb = res.get_scalar("disk");
  return limits;
}

} // namespace cairn
