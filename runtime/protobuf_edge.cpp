#include "runtime/protobuf_edge.hpp"

#include <memory>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "mesos/v1/agent/agent.pb.h"
#include "mesos/v1/executor/executor.pb.h"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"
#include "runtime/errors.hpp"
#include "runtime/limits.hpp"

namespace cairn {

namespace pb = google::protobuf;

namespace {

constexpr std::string_view type_url_prefix = "type.googleapis.com";

// Named through the generated classes, so that their descriptors are linked
// in and registered with the generated pool.
const pb::Descriptor* descriptor_of(mesos_message m) {
  switch (m) {
    case mesos_message::scheduler_call: return mesos::v1::scheduler::Call::descriptor();
    case mesos_message::scheduler_event: return mesos::v1::scheduler::Event::descriptor();
    case mesos_message::executor_call: return mesos::v1::executor::Call::descriptor();
    case mesos_message::executor_event: return mesos::v1::executor::Event::descriptor();
    case mesos_message::master_call: return mesos::v1::master::Call::descriptor();
    case mesos_message::master_response: return mesos::v1::master::Response::descriptor();
    case mesos_message::master_event: return mesos::v1::master::Event::descriptor();
    case mesos_message::agent_call: return mesos::v1::agent::Call::descriptor();
    case mesos_message::agent_response: return mesos::v1::agent::Response::descriptor();
    case mesos_message::agent_event: return mesos::v1::agent::Event::descriptor();
  }
  return nullptr;
}

pb::util::TypeResolver& resolver() {
  // descriptor_of() first, so the generated files are registered before the
  // resolver looks types up.
  descriptor_of(mesos_message::agent_response);
  descriptor_of(mesos_message::master_event);
  static std::unique_ptr<pb::util::TypeResolver> r(pb::util::NewTypeResolverForDescriptorPool(
    std::string(type_url_prefix), pb::DescriptorPool::generated_pool()));
  return *r;
}

std::unique_ptr<pb::Message> new_message(const pb::Descriptor* d) {
  return std::unique_ptr<pb::Message>(
    pb::MessageFactory::generated_factory()->GetPrototype(d)->New());
}

bool number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// `json` with every number that has a fraction or an exponent written as a
// string. Mesos' parser takes a string for a double field, but for an
// integer field only digits: so 1.7e18 (or 3.0) for an int64 is refused,
// as a typed client refuses it, where the plain parser would accept any
// double that happens to be whole.
std::string quote_non_integers(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size())
        out += json[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    if ((c >= '0' && c <= '9') || c == '-') {
      size_t end = i;
      while (end < json.size() && number_char(json[end]))
        ++end;
      auto token = json.substr(i, end - i);
      bool whole = token.find_first_of(".eE") == std::string_view::npos;
      if (whole)
        out.append(token);
      else
        out.append("\"").append(token).append("\"");
      i = end - 1;
      continue;
    }
    out += c;
  }
  return out;
}

// Parses `json` into a message of type `d` the way a strict Mesos client
// does, or says why not.
caf::expected<std::unique_ptr<pb::Message>> parse_strict(const pb::Descriptor* d,
                                                         std::string_view json) {
  if (json.size() > limits::json_max_bytes)
    return make_error("JSON document is too large");
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::string binary;
  auto status = pb::util::JsonToBinaryString(
    &resolver(), std::string(type_url_prefix) + "/" + d->full_name(),
    quote_non_integers(json), &binary, options);
  if (!status.ok())
    return make_error(std::string(status.message()));
  auto message = new_message(d);
  if (!message->ParsePartialFromString(binary))
    return make_error("not a " + d->full_name());
  if (!message->IsInitialized())
    return make_error("missing required field(s): " + message->InitializationErrorString());
  return message;
}

} // namespace

std::string_view proto_name(mesos_message m) {
  return descriptor_of(m)->full_name();
}

caf::expected<std::string> protobuf_to_json(mesos_message m, std::string_view binary) {
  if (binary.size() > limits::http_max_body_bytes)
    return make_error("protobuf body is too large");
  auto d = descriptor_of(m);
  auto message = new_message(d);
  // Parsed partially first, so a missing required field can be named.
  if (!message->ParsePartialFromArray(binary.data(), static_cast<int>(binary.size())))
    return make_error("not a valid " + d->full_name() + " (malformed protobuf)");
  if (!message->IsInitialized())
    return make_error("missing required field(s): " + message->InitializationErrorString());
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status = pb::util::MessageToJsonString(*message, &json, options);
  if (!status.ok())
    return make_error("cannot read " + d->full_name() + ": " + std::string(status.message()));
  return json;
}

caf::expected<std::string> json_to_protobuf(mesos_message m, std::string_view json) {
  auto d = descriptor_of(m);
  auto message = parse_strict(d, json);
  if (!message)
    return make_error(d->full_name() + ": " + error_message(message.error()));
  std::string binary;
  if (!(*message)->SerializeToString(&binary))
    return make_error("cannot write " + d->full_name());
  return binary;
}

std::string strict_json_problem(std::string_view type, std::string_view json) {
  resolver();
  auto d = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(type));
  if (d == nullptr)
    return "no message type " + std::string(type);
  auto message = parse_strict(d, json);
  return message ? std::string{} : error_message(message.error());
}

} // namespace cairn
