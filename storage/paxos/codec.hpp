// The log's values in their Cap'n Proto forms (schema/log.capnp): messages
// between replicas and proposers, and actions as a replica keeps them on disk.
// What is read here comes from another process or from a disk, so reading
// validates and refuses with a reason, never crashes; writing cannot fail.
#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "runtime/wire.hpp"
#include "schema/log.capnp.h"
#include "storage/paxos/messages.hpp"

namespace cairn::paxos {

// -- actions

// Precondition: only the fields of `a.type` are set (a nop has no data and no
// truncate_to, an append no truncate_to, a truncate no data), else they would
// be lost on the way.
void write_action(const action& a, schema::log::Action::Builder out);
caf::expected<action> read_action(schema::log::Action::Reader in);

// One action as the flat words of a Cap'n Proto message (standard framing),
// as the log store keeps it.
std::string action_bytes(const action& a);
// Refuses a length that is not whole words, a message that is malformed or
// has trailing words, and an action read_action refuses. `bytes` need not be
// aligned.
caf::expected<action> action_from_bytes(std::string_view bytes);

// -- messages

wire<schema::log::Message> encode(const message& m);
// For a message from another process: its words must have been checked
// (wire<T>::from_flat); this checks what the schema cannot say.
caf::expected<message> decode(schema::log::Message::Reader in);

} // namespace cairn::paxos
