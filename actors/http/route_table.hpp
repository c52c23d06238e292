// One table of routes per HTTP server: method, path, handler. Every request
// passes through serve(), so what all routes share (authentication, later)
// has one place to go; Mesos' own paths (/master/..., /slave(1)/...) are
// entries like any other. A path the table does not have answers 404; a
// path it has, asked with a method it does not take, answers 405.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/http_server.hpp"

namespace cairn {

class route_table {
public:
  // `methods`: those the route takes ("GET" takes HEAD too); empty takes any
  // method and leaves the check to the handler.
  route_table& add(std::vector<std::string> paths, std::vector<std::string> methods,
                   http_handler handler);
  route_table& get(std::vector<std::string> paths, http_handler handler) {
    return add(std::move(paths), {"GET"}, std::move(handler));
  }
  // Every path that starts with `prefix`.
  route_table& add_prefix(std::string prefix, std::vector<std::string> methods,
                          http_handler handler);

  void serve(http_request request, http_reply reply) const;

  // A handler for the server that serves the table.
  static http_handler handler(std::shared_ptr<const route_table> table);

private:
  struct route {
    std::vector<std::string> methods;
    http_handler handler;
  };
  const route* find(const std::string& path) const;

  std::unordered_map<std::string, route> exact_;
  std::vector<std::pair<std::string, route>> prefixes_;
};

} // namespace cairn
