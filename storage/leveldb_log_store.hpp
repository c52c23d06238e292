// The product's log_store: one LevelDB database per replica.
//
// Layout (keys sort bytewise, so the actions are one range in position order):
//   "meta/begin"     first position kept: 8 bytes, big-endian
//   "meta/promised"  the promise: 8 bytes, big-endian
//   "meta/status"    "voting" | "recovering" | "empty"
//   "action/" + position as 8 bytes big-endian   paxos::action_bytes(action)
// A missing meta key reads as a new replica's value (begin 0, promised 0,
// status empty).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "storage/log_store.hpp"

namespace cairn {

// Creates `directory` and the database in it when missing. Errors name the
// path and say what LevelDB said.
caf::expected<std::unique_ptr<log_store>> open_leveldb_log_store(const std::string& directory);

namespace leveldb_log_layout {

inline constexpr std::string_view begin_key = "meta/begin";
inline constexpr std::string_view promised_key = "meta/promised";
inline constexpr std::string_view status_key = "meta/status";
inline constexpr std::string_view action_prefix = "action/";

std::string action_key(paxos::position pos);

} // namespace leveldb_log_layout

} // namespace cairn
