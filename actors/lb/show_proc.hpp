// The master's line of HAProxy's `show proc` (its master CLI): how many
// reloads it has done and how many of them failed. A reload is confirmed by
// the count going up, since the master may miss a SIGUSR2 that arrives while
// it is still starting from the previous one. Pure.
#pragma once

#include <cstdint>
#include <string_view>

#include <caf/expected.hpp>

namespace cairn::lb {

struct master_reloads {
  int64_t reloads = 0;
  int64_t failed = 0;
};

// From lines such as "11049  master  2 [failed: 0]  0d00h00m15s  2.6.12".
caf::expected<master_reloads> parse_show_proc(std::string_view text);

} // namespace cairn::lb
