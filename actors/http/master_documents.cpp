#include "actors/http/master_documents.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "actors/http/routes.hpp"
#include "schema/state.capnp.h"

namespace cairn {

namespace ss = schema::state;

http_response frameworks_document(const master_snapshot& state) {
  wire_builder<ss::Frameworks> b{4096};
  b->setFrameworks(state->getFrameworks());
  b->setCompletedFrameworks(state->getCompletedFrameworks());
  return json_response(to_json(std::move(b).finish().get()));
}

http_response slaves_document(const master_snapshot& state) {
  wire_builder<ss::Slaves> b{4096};
  b->setSlaves(state->getSlaves());
  return json_response(to_json(std::move(b).finish().get()));
}

http_response tasks_document(const master_snapshot& state, const http_request& request) {
  std::vector<ss::Task::Reader> all;
  for (auto lists : {state->getFrameworks(), state->getCompletedFrameworks()})
    for (auto fw : lists) {
      for (auto t : fw.getTasks())
        all.push_back(t);
      for (auto t : fw.getCompletedTasks())
        all.push_back(t);
    }
  auto number = [&](const char* name, long fallback) {
    auto text = request.query_param(name);
    char* end = nullptr;
    long v = text.empty() ? fallback : std::strtol(text.c_str(), &end, 10);
    return (end && *end) || v < 0 ? fallback : v;
  };
  size_t limit = static_cast<size_t>(number("limit", 100));
  size_t offset = std::min(static_cast<size_t>(number("offset", 0)), all.size());
  if (request.query_param("order") == "desc")
    std::reverse(all.begin(), all.end());
  size_t n = std::min(limit, all.size() - offset);
  wire_builder<ss::Tasks> b{4096};
  auto list = b->initTasks(static_cast<unsigned>(n));
  for (size_t i = 0; i < n; ++i)
    list.setWithCaveats(static_cast<unsigned>(i), all[offset + i]);
  return json_response(to_json(std::move(b).finish().get()));
}

http_response version_document() {
  return json_response(to_json(make_wire<ss::Version>([](ss::Version::Builder v) {
                                 v.setVersion(CAIRN_VERSION);
                                 v.setBuildDate(__DATE__);
                               }).get()));
}

} // namespace cairn
