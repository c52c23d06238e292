#include "runtime/connect.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "runtime/errors.hpp"
#include "runtime/http_client.hpp"
#include "runtime/json.hpp"
#include "schema/state.capnp.h"

namespace cairn {

caf::expected<endpoint> parse_endpoint(const std::string& text, uint16_t default_port) {
  endpoint ep;
  auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    ep.host = text;
    ep.port = default_port;
  } else {
    ep.host = text.substr(0, colon);
    auto digits = text.substr(colon + 1);
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || port > 65535)
      return make_error(fmt::format("invalid address '{}': bad port '{}'", text, digits));
    ep.port = static_cast<uint16_t>(port);
  }
  if (ep.host.empty())
    return make_error(fmt::format("invalid address '{}': no host", text));
  return ep;
}

caf::expected<std::vector<std::string>> parse_address_list(const std::string& list,
                                                           uint16_t default_port) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    auto end = std::min(list.find(',', start), list.size());
    auto part = list.substr(start, end - start);
    // "h1:5050, h2:5050" as people type it.
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (!part.empty()) {
      auto ep = parse_endpoint(part, default_port);
      if (!ep)
        return ep.error();
      out.push_back(fmt::format("{}:{}", ep->host, ep->port));
    }
    start = end + 1;
  }
  if (out.empty())
    return make_error(fmt::format("'{}' names no address (HOST:PORT[,HOST:PORT...])", list));
  return out;
}

caf::expected<endpoint> resolve_actor_endpoint(const std::string& http_address,
                                               std::chrono::milliseconds timeout) {
  auto url = "http://" + http_address + "/cairn/endpoint";
  auto res = http_get(url, timeout);
  if (!res)
    return res.error();
  if (res->status != 200)
    return make_error(fmt::format("{} answered HTTP {}", url, res->status));
  auto doc = from_json<schema::state::ActorEndpoint>(res->body);
  if (!doc)
    return make_error(fmt::format("{} answered with something else: {}", url,
                                  error_message(doc.error())));
  endpoint ep{(*doc)->getHost(), static_cast<uint16_t>((*doc)->getPort()),
              static_cast<uint16_t>((*doc)->getLogPort()), (*doc)->getLeader()};
  // A master that does not lead has no actor port, only its log's and the
  // leader's address: the caller decides which it wants.
  if (ep.host.empty() || (ep.port == 0 && ep.log_port == 0 && ep.leader.empty()))
    return make_error(fmt::format("{} gave no actor endpoint", url));
  return ep;
}

} // namespace cairn
