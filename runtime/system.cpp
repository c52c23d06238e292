#include "runtime/system.hpp"

#include <algorithm>
#include <thread>

#include <caf/io/middleman.hpp>

#include "runtime/type_ids.hpp"

namespace cairn {

system_config::system_config(bool with_network) {
  add_message_types<caf::id_block::cairn>();
  if (with_network)
    load<caf::io::middleman>();
  // cairn logs through spdlog; CAF's own log file stays off.
  set("logger.file-verbosity", caf::atom("quiet"));
  set("logger.console-verbosity", caf::atom("quiet"));
}

void system_config::sleep_when_idle(size_t max_threads) {
  set("scheduler.policy", caf::atom("sharing"));
  if (max_threads == 0)
    max_threads = std::max<size_t>(4, std::thread::hardware_concurrency());
  set("scheduler.max-threads", max_threads);
}

} // namespace cairn
