#include "actors/http/routes.hpp"

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

http_response with_cors(http_response r) {
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return r;
}

} // namespace cairn
