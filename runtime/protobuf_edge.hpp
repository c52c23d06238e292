// Mesos' protobuf at the HTTP edge. Cap'n Proto stays cairn's truth; a
// protobuf body is turned into the JSON that Mesos' own JSON mapping gives
// (proto field names) and read by the JSON codec, and what cairn writes as
// JSON is turned into protobuf by libprotobuf's strict JSON parser. One
// schema inside, three wire forms outside, and this is the one place where
// protobuf meets them (the .proto files are in schema/proto).
#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace cairn {

// The Mesos v1 messages cairn reads or writes on its HTTP APIs.
enum class mesos_message {
  scheduler_call,   // mesos.v1.scheduler.Call
  scheduler_event,  // mesos.v1.scheduler.Event
  executor_call,    // mesos.v1.executor.Call
  executor_event,   // mesos.v1.executor.Event
  master_call,      // mesos.v1.master.Call
  master_response,  // mesos.v1.master.Response
  master_event,     // mesos.v1.master.Event
  agent_call,       // mesos.v1.agent.Call
  agent_response,   // mesos.v1.agent.Response
  agent_event,      // mesos.v1.agent.Event (cairn's: Mesos' agents stream nothing)
};

// The full protobuf name of `m`, e.g. "mesos.v1.scheduler.Call".
std::string_view proto_name(mesos_message m);

// A binary body of type `m` as JSON with proto field names, for from_json;
// or why it is not one (bad bytes, a required field missing, too large).
caf::expected<std::string> protobuf_to_json(mesos_message m, std::string_view binary);

// JSON that cairn wrote, as binary protobuf of type `m`; or, naming the
// field, why Mesos' parser refuses it (see strict_json_problem).
caf::expected<std::string> json_to_protobuf(mesos_message m, std::string_view json);

// Why libprotobuf's JSON parser, as strict as a typed Mesos client, refuses
// `json` as a message of the full name `type` (unknown field, unknown enum
// name, wrong type, a required field missing, an integer written with a
// fraction or exponent); empty when it takes it.
std::string strict_json_problem(std::string_view type, std::string_view json);

} // namespace cairn
