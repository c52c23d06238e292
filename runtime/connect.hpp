// Reaching a node by the HTTP address users name ("10.0.0.1:5050"): ask it
// where its actors listen, then connect CAF's middleman there. Blocking:
// call it from a main thread or a detached actor, never an event-based one.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman.hpp>

namespace cairn {

// Mesos' master HTTP port, for addresses given without one.
inline constexpr uint16_t default_master_port = 5050;

struct endpoint {
  std::string host;
  uint16_t port = 0;
  uint16_t log_port = 0;   // masters: their replica of the log
  std::string leader;      // masters: the leading master's HTTP address, if known
};

// "host:port" -> endpoint; a missing port takes `default_port`.
caf::expected<endpoint> parse_endpoint(const std::string& text, uint16_t default_port);

// "h1:5050,h2" -> {"h1:5050", "h2:<default_port>"}: a list of HTTP addresses
// as users give it (--master), each checked; an error names the bad one.
caf::expected<std::vector<std::string>> parse_address_list(const std::string& list,
                                                           uint16_t default_port);

// GET http://<http_address>/cairn/endpoint.
caf::expected<endpoint> resolve_actor_endpoint(const std::string& http_address,
                                               std::chrono::milliseconds timeout);

template <class Handle>
caf::expected<Handle> connect_to(caf::actor_system& sys, const std::string& http_address,
                                 std::chrono::milliseconds timeout) {
  auto ep = resolve_actor_endpoint(http_address, timeout);
  if (!ep)
    return ep.error();
  // A master that does not lead names the one that does.
  if (ep->port == 0 && !ep->leader.empty() && ep->leader != http_address) {
    ep = resolve_actor_endpoint(ep->leader, timeout);
    if (!ep)
      return ep.error();
  }
  if (ep->port == 0)
    return caf::make_error(caf::sec::cannot_connect_to_node,
                           http_address + " has no actor endpoint (a master that does not lead)");
  return sys.middleman().remote_actor<Handle>(ep->host, ep->port);
}

} // namespace cairn
