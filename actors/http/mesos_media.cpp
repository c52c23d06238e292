#include "actors/http/mesos_media.hpp"

#include <cstdlib>

#include "actors/http/routes.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The q of one media range's parameters ("q=0.5"), 1 when absent.
double quality(std::string_view params) {
  while (!params.empty()) {
    auto semi = params.find(';');
    auto param = trim(params.substr(0, semi));
    if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
      return std::strtod(std::string(param.substr(2)).c_str(), nullptr);
    if (semi == std::string_view::npos)
      break;
    params.remove_prefix(semi + 1);
  }
  return 1.0;
}

} // namespace

bool accepts_media(const http_request& request, std::string_view type) {
  auto accept = request.header("accept");
  if (trim(accept).empty())
    return true;
  auto slash = type.find('/');
  auto family = std::string(type.substr(0, slash)) + "/*";
  std::string_view rest = accept;
  while (true) {
    auto comma = rest.find(',');
    auto range = rest.substr(0, comma);
    auto semi = range.find(';');
    auto name = media_type(range.substr(0, semi));
    auto params = semi == std::string_view::npos ? std::string_view{} : range.substr(semi + 1);
    if ((name == type || name == family || name == "*/*") && quality(params) > 0)
      return true;
    if (comma == std::string_view::npos)
      return false;
    rest.remove_prefix(comma + 1);
  }
}

std::optional<http_response> negotiate(const http_request& request, mesos_media& out) {
  if (auto refused = refuse_body_type(request, body_format::mesos_call))
    return refused;
  out.protobuf_body = media_type(request.header("content-type")) == media_protobuf;
  if (accepts_media(request, media_json))
    out.protobuf_answer = false;
  else if (accepts_media(request, media_protobuf))
    out.protobuf_answer = true;
  else
    return text_response(406, "Expecting 'Accept' to allow application/json or "
                              "application/x-protobuf");
  return std::nullopt;
}

caf::expected<std::string> write_mesos_message(const mesos_media& media, mesos_message type,
                                               std::string json) {
  if (!media.protobuf_answer)
    return json;
  return json_to_protobuf(type, json);
}

http_response mesos_answer(const mesos_media& media, mesos_message type, std::string json,
                           int status) {
  auto body = write_mesos_message(media, type, std::move(json));
  if (!body) {
    // cairn wrote something Mesos would not: a bug here, said as such.
    auto why = error_message(body.error());
    logger("http")->error("answer is not a Mesos message: {}", why);
    return text_response(500, "Failed to write the answer as protobuf: " + why);
  }
  http_response r;
  r.status = status;
  r.content_type = media.answer_type();
  r.body = std::move(*body);
  return r;
}

} // namespace cairn
