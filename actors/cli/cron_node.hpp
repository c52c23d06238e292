// Starting the cron framework in a process: `cairn cron` alone, or beside
// the masters and agents of `cairn local`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/cron/cron_actor.hpp"
#include "runtime/flag_table.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

struct cron_flags {
  uint16_t http_port = 4400;
  // Chronos' form: a bare number is milliseconds; Mesos' forms work too.
  std::string failure_retry = "60000";
  std::string role = "*";
  std::string user;

  // `port_names`: "http_port" for `cairn cron` (Chronos' name), "cron_port"
  // in `cairn local`.
  void add_to(flag_table& t, std::vector<std::string> port_names);
};

struct cron_node {
  caf::actor cron;
  std::unique_ptr<http_server> http;
  std::string address;
};

caf::expected<duration> parse_failure_retry(const std::string& text);

// Finds the leading master (blocking: from a command's main thread), spawns
// the framework and serves its API on ip:port.
caf::expected<cron_node> start_cron_node(caf::actor_system& sys, const cron_flags& flags,
                                         const std::vector<std::string>& masters,
                                         const std::string& ip, const std::string& advertised,
                                         const http_server_options& http);

} // namespace cairn
