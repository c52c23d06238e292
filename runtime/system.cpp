#include "runtime/system.hpp"

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

} // namespace cairn
