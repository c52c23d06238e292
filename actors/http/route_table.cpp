#include "actors/http/route_table.hpp"

#include <algorithm>

#include "actors/http/routes.hpp"

namespace cairn {

namespace {

bool takes(const std::vector<std::string>& methods, const std::string& method) {
  if (methods.empty())
    return true;
  auto given = method == "HEAD" ? std::string("GET") : method;
  return std::find(methods.begin(), methods.end(), given) != methods.end();
}

// "'GET' or 'PUT'"; with `quoted` false, "GET, PUT" (an Allow header).
std::string joined(const std::vector<std::string>& methods, bool quoted) {
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty())
      out += quoted ? " or " : ", ";
    out += quoted ? "'" + m + "'" : m;
  }
  return out;
}

} // namespace

route_table& route_table::add(std::vector<std::string> paths, std::vector<std::string> methods,
                              http_handler handler) {
  for (auto& path : paths)
    exact_[std::move(path)] = route{methods, handler};
  return *this;
}

route_table& route_table::add_prefix(std::string prefix, std::vector<std::string> methods,
                                     http_handler handler) {
  prefixes_.emplace_back(std::move(prefix), route{std::move(methods), std::move(handler)});
  return *this;
}

const route_table::route* route_table::find(const std::string& path) const {
  if (auto i = exact_.find(path); i != exact_.end())
    return &i->second;
  for (const auto& [prefix, r] : prefixes_)
    if (path.compare(0, prefix.size(), prefix) == 0)
      return &r;
  return nullptr;
}

void route_table::serve(http_request request, http_reply reply) const {
  const auto* r = find(request.path);
  if (!r)
    return reply.send(text_response(404, "no such endpoint: " + request.path));
  if (!takes(r->methods, request.method)) {
    auto refused = text_response(405, "Expecting " + joined(r->methods, true) + ", got '"
                                        + request.method + "'");
    refused.headers.emplace_back("Allow", joined(r->methods, false));
    return reply.send(std::move(refused));
  }
  r->handler(std::move(request), std::move(reply));
}

http_handler route_table::handler(std::shared_ptr<const route_table> table) {
  return [table = std::move(table)](http_request request, http_reply reply) {
    table->serve(std::move(request), std::move(reply));
  };
}

} // namespace cairn
