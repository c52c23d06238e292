// Small blocking HTTP client over libcurl, for CLIs and for resolving
// addresses at startup. It blocks the calling thread: never call it inside an
// actor. Redirects are not followed; callers see the 3xx and decide.
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn {

struct http_result {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
  // The first value of header `name` (any case); "" when absent.
  std::string header(std::string_view name) const;
};

// Errors (refused, timed out, body above limits::http_client_max_response_bytes)
// name the method, the URL and what happened. An HTTP error status is not an
// error here: it comes back in http_result::status.
caf::expected<http_result> http_get(const std::string& url, std::chrono::milliseconds timeout);

caf::expected<http_result>
http_post(const std::string& url, const std::string& body, const std::string& content_type,
          std::chrono::milliseconds timeout,
          std::vector<std::pair<std::string, std::string>> headers = {});

// The same with another verb that carries a body (PUT, PATCH).
caf::expected<http_result>
http_send(const std::string& method, const std::string& url, const std::string& body,
          const std::string& content_type, std::chrono::milliseconds timeout,
          std::vector<std::pair<std::string, std::string>> headers = {});

// A request without a body for the other verbs (PUT, DELETE), as REST APIs
// use them to run or remove something by its path.
caf::expected<http_result> http_bodiless(const std::string& method, const std::string& url,
                                         std::chrono::milliseconds timeout);

// Streams a response body chunk by chunk to `on_chunk` (return false to stop),
// for following logs and event streams. Returns no error when the server ends
// the body or `on_chunk` stops; a non-2xx answer is an error carrying its
// status and the start of its body. A `cancelled` that becomes true ends a
// stream that sends nothing too, within about a second (as a stop does).
caf::error http_stream_get(const std::string& url,
                           const std::function<bool(std::string_view)>& on_chunk,
                           std::chrono::milliseconds connect_timeout,
                           const std::atomic<bool>* cancelled = nullptr);

// GET `url` as a health check does (Mesos runs `curl -L -k`): redirects
// followed, certificates not verified, the body discarded; the final status.
// A zero timeout waits as long as it takes; `cancelled` ends it early.
caf::expected<long> http_probe(const std::string& url, std::chrono::milliseconds timeout,
                               const std::atomic<bool>& cancelled);

} // namespace cairn
