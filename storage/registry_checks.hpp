// What the registry checks in an entry before it changes anything, and how it
// counts the bytes its bounds are made of. Internal to storage/registry*.cpp:
// the registry applies these checks, and the edges reach them through
// registry.hpp's *_problem functions, so both refuse alike.
#pragma once

#include <cassert>
#include <cstring>
#include <string>
#include <string_view>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <kj/exception.h>

#include "storage/registry.hpp"

namespace cairn::registry_detail {

using namespace registry_limits;

// Which share of the registry a record counts against.
enum class record_kind { agent, framework, weight, kv };

inline std::string_view view(capnp::Text::Reader text) {
  return {text.begin(), text.size()};
}

inline std::string_view view(capnp::Data::Reader data) {
  return {reinterpret_cast<const char*>(data.begin()), data.size()};
}

// Names from an entry go into error messages; a long one is cut.
std::string quoted(std::string_view s);

// Why `name` cannot be an agent id, framework id, role or key; empty if it can.
std::string check_name(std::string_view what, std::string_view name, size_t max_bytes);
std::string check_time(double seconds);
std::string check_weight(std::string_view role, double weight);
std::string check_kv(std::string_view key, std::string_view value);

template <class Reader>
uint64_t info_bytes(Reader info) {
  return info.totalSize().wordCount * sizeof(capnp::word);
}

template <class Reader>
uint64_t info_record_bytes(Reader info) {
  return info_bytes(info) + record_overhead_bytes;
}

inline uint64_t kv_record_bytes(std::string_view key, std::string_view value) {
  return key.size() + value.size() + record_overhead_bytes;
}

inline uint64_t weight_record_bytes(std::string_view role) {
  return role.size() + record_overhead_bytes;
}

// Why an info of `size_bytes` is too large for one `type` ("" if it is not).
std::string info_size_problem(std::string_view type, uint64_t size_bytes, uint64_t limit_bytes);

template <class T>
struct info_traits;
template <>
struct info_traits<schema::AgentInfo> {
  static constexpr const char* what = "agent";
  static constexpr const char* type = "AgentInfo";
  static constexpr uint64_t max_bytes = max_agent_info_bytes;
};
template <>
struct info_traits<schema::FrameworkInfo> {
  static constexpr const char* what = "framework";
  static constexpr const char* type = "FrameworkInfo";
  static constexpr uint64_t max_bytes = max_framework_info_bytes;
};

// Why this info may not be stored ("" if it may): its size and its id.
template <class T>
std::string info_problem(typename T::Reader info) {
  using traits = info_traits<T>;
  if (auto why = info_size_problem(traits::type, info_bytes(info), traits::max_bytes);
      !why.empty())
    return why;
  return check_name(fmt::format("{} id", traits::what), view(info.getId().getValue()),
                    max_name_bytes);
}

// Why replacing a record of `remove` bytes by one of `add` would break a
// bound; empty if it would not.
std::string over_bounds(const registry_state& s, record_kind kind, uint64_t remove,
                        uint64_t add);
void account(registry_state& s, record_kind kind, uint64_t remove, uint64_t add);

inline std::string to_string(capnp::MessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

inline capnp::Text::Reader text_of(const std::string& s) {
  return capnp::Text::Reader(s.c_str(), s.size());
}

inline capnp::Data::Reader data_of(std::string_view s) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(s.data()), s.size());
}

// Reads one entry as an Operation and hands it to `use`; answers why not
// when the entry is not one ("" when `use` ran).
template <class Use>
std::string with_operation(std::string_view entry, Use&& use) {
  if (entry.empty())
    return "an empty entry";
  if (entry.size() > max_entry_bytes)
    return fmt::format("an entry of {} bytes, more than {}", entry.size(), max_entry_bytes);
  if (entry.size() % sizeof(capnp::word) != 0)
    return fmt::format("an entry of {} bytes is not whole words", entry.size());
  // Copied: the log's bytes need not be aligned as Cap'n Proto reads them.
  auto words = kj::heapArray<capnp::word>(entry.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), entry.data(), entry.size());
  try {
    capnp::ReaderOptions options;
    // Enough to check, read and copy each word a few times; a message whose
    // pointers overlap to make more of it runs out.
    options.traversalLimitInWords = words.size() * 8 + 1024;
    options.nestingLimit = limits::wire_max_nesting;
    capnp::FlatArrayMessageReader message(words, options);
    if (message.getEnd() != words.end())
      return fmt::format("{} words after the operation", words.end() - message.getEnd());
    auto op = message.getRoot<schema::registry::Operation>();
    op.totalSize();  // walks the whole entry, bounds-checking every pointer
    use(op);
    return {};
  } catch (const kj::Exception& e) {
    return std::string("a malformed entry: ") + e.getDescription().cStr();
  }
}

} // namespace cairn::registry_detail
