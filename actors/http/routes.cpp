#include "actors/http/routes.hpp"

#include <cctype>

#include <caf/send.hpp>

namespace cairn {

http_response json_response(std::string body, int status) {
  http_response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

http_response text_response(int status, std::string body) {
  http_response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

void exit_with_stream(http_stream& stream, const caf::actor_addr& actor) {
  stream.on_end([actor] {
    if (auto a = caf::actor_cast<caf::actor>(actor))
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  });
}

http_response with_cors(const http_request& request, http_response r) {
  if (request.method == "GET" || request.method == "HEAD")
    r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return r;
}

std::string media_type(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!type.empty() && blank(type.front()))
    type.remove_prefix(1);
  while (!type.empty() && blank(type.back()))
    type.remove_suffix(1);
  std::string out(type);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<http_response> refuse_body_type(const http_request& request, body_format format) {
  constexpr std::string_view json = "application/json";
  constexpr std::string_view protobuf = "application/x-protobuf";
  constexpr std::string_view bytes = "application/octet-stream";
  auto given = request.header("content-type");
  auto type = media_type(given);
  if (type == json || (format == body_format::bytes && type == bytes))
    return std::nullopt;
  if (format == body_format::mesos_call && type == protobuf)
    return std::nullopt;
  std::string expected = format == body_format::bytes
                           ? "application/octet-stream or application/json"
                         : format == body_format::mesos_call
                           ? "application/json or application/x-protobuf"
                           : "application/json";
  return text_response(415, "Expecting 'Content-Type' of " + expected + ", got '" + given + "'");
}

} // namespace cairn
