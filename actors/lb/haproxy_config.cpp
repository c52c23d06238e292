#include "actors/lb/haproxy_config.hpp"

#include <cassert>

#include <fmt/format.h>

namespace cairn::lb {

namespace {

// HAProxy reads the last colon as the port's: "::" and "0.0.0.0" alike.
std::string address(const std::string& host, int64_t port) {
  return fmt::format("{}:{}", host, port);
}

// Old processes finish the connections they hold after a reload; these
// bounds keep an idle one from holding an old process for ever. A server
// whose host does not resolve starts disabled instead of failing the whole
// configuration (and with it every other app's change).
constexpr const char* defaults_section =
  "defaults\n"
  "  mode tcp\n"
  "  timeout connect 5s\n"
  "  timeout client 50s\n"
  "  timeout server 50s\n"
  "  timeout http-request 10s\n"
  "  default-server init-addr libc,none\n";

} // namespace

std::string haproxy_name(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool fits = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == ':';
    out.push_back(fits ? c : '_');
  }
  while (!out.empty() && out.front() == '_')
    out.erase(out.begin());
  return out.empty() ? "_" : out;
}

std::string haproxy_config(const apps_reading& apps, const config_options& options) {
  assert(!options.bind.empty());
  assert(options.stats_port > 0 && options.stats_port <= 65535);
  std::string out = fmt::format("# Written by cairn lb from {}; rewritten on every change.\n",
                                options.source);
  out += "global\n  maxconn 4096\n\n";
  out += defaults_section;
  out += fmt::format("\nlisten stats\n  bind {}\n  mode http\n  stats enable\n"
                     "  stats uri /haproxy?stats\n"
                     "  monitor-uri /_haproxy_health_check\n",
                     address(options.bind, options.stats_port));
  int64_t previous = 0;
  for (auto& s : apps.services) {
    assert(s.service_port > previous);  // ordered, each port once: names stay unique
    previous = s.service_port;
    out += fmt::format("\nlisten {}_{}\n  bind {}\n  balance roundrobin\n",
                       haproxy_name(s.app_id), s.service_port,
                       address(options.bind, s.service_port));
    for (auto& b : s.backends)
      out += fmt::format("  server {} {}\n", haproxy_name(b.task_id), address(b.host, b.port));
  }
  return out;
}

} // namespace cairn::lb
