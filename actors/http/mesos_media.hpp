// The wire forms of Mesos' v1 APIs (/api/v1/scheduler, /api/v1/executor,
// /api/v1): a request body is JSON or protobuf by its Content-Type, and the
// answer (or each RecordIO record of a stream) is JSON or protobuf by what
// its Accept header allows, as Mesos decides: JSON when it is allowed
// (Accept absent or */* included), else protobuf, else 406.
#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "runtime/http_server.hpp"
#include "runtime/json.hpp"
#include "runtime/protobuf_edge.hpp"

namespace cairn {

inline constexpr std::string_view media_json = "application/json";
inline constexpr std::string_view media_protobuf = "application/x-protobuf";

struct mesos_media {
  bool protobuf_body = false;
  bool protobuf_answer = false;

  // The Content-Type of the answer, naming the accepted type.
  std::string answer_type() const {
    return std::string(protobuf_answer ? media_protobuf : media_json);
  }
};

// Whether the Accept header of `request` allows `type` (absent allows all;
// `*/*`, `application/*` and a q of 0 are understood).
bool accepts_media(const http_request& request, std::string_view type);

// The media of a Mesos API request, or the 415 (unsupported body) or 406
// (no acceptable answer) to send instead.
std::optional<http_response> negotiate(const http_request& request, mesos_media& out);

// Reads the call in `request`'s body into T; a protobuf body of type
// `type` is converted through its JSON form.
template <class T>
caf::expected<wire<T>> read_mesos_call(const http_request& request, const mesos_media& media,
                                       mesos_message type) {
  if (!media.protobuf_body)
    return from_json<T>(request.body);
  auto json = protobuf_to_json(type, request.body);
  if (!json)
    return json.error();
  return from_json<T>(*json);
}

// One message that cairn wrote as `json`, in the answer's form; an error
// (naming the field) when it is not a `type` Mesos would write.
caf::expected<std::string> write_mesos_message(const mesos_media& media, mesos_message type,
                                               std::string json);

// A whole answer: `json` in the accepted form with `status`, or a 500 that
// names what in cairn's message Mesos would not write.
http_response mesos_answer(const mesos_media& media, mesos_message type, std::string json,
                           int status = 200);

} // namespace cairn
