// Starting the services framework in a process: `cairn services` alone, or
// beside the masters and agents of `cairn local`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/services/services_actor.hpp"
#include "runtime/flag_table.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

struct services_flags {
  uint16_t http_port = 8080;
  std::string role = "*";
  std::string user;
  std::string framework_name = "marathon";
  // Marathon's form: milliseconds.
  uint64_t decline_offer_duration_ms = 120'000;

  // `port_names`: "http_port" for `cairn services` (Marathon's name),
  // "services_port" in `cairn local`.
  void add_to(flag_table& t, std::vector<std::string> port_names);
};

struct services_node {
  caf::actor services;
  std::unique_ptr<http_server> http;
  std::string address;
};

// Finds the leading master (blocking: from a command's main thread), spawns
// the framework and serves its API on ip:port.
caf::expected<services_node> start_services_node(caf::actor_system& sys,
                                                 const services_flags& flags,
                                                 const std::vector<std::string>& masters,
                                                 const std::string& ip,
                                                 const std::string& advertised,
                                                 const http_server_options& http);

} // namespace cairn
