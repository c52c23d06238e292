// Actor-system bootstrap shared by every shape: the one type list, the
// middleman, and CAF settings that cairn relies on.
#pragma once

#include <caf/actor_system_config.hpp>

namespace cairn {

class system_config : public caf::actor_system_config {
public:
  // `with_network`: load CAF's middleman so actors can reach other processes.
  explicit system_config(bool with_network = true);
};

} // namespace cairn
