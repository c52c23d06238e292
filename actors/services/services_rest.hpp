// The parts of Marathon's REST answers that /v2/apps (services_api.cpp) and
// /v2/groups (services_groups.cpp) share: bodies, query flags, the 409 of an
// app a deployment holds, service ports, and what an app may not ask yet.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/services/services_state.hpp"

namespace cairn::services {

api_answer json(std::string body, int status = 200);
api_answer message(int status, const std::string& text);  // {"message": text}
std::string string_json(const std::string& text);
std::string param(const std::string& query, const std::string& name);
bool flag(const std::string& query, const std::string& name);  // "true" or "1"

// {deploymentId, version}; a zero id where nothing changes, as Marathon answers.
api_answer deployment_result(const std::optional<std::string>& id, const std::string& version,
                             int status = 200);

// With `force` the deployments holding `apps` are cancelled; without, a held
// app is Marathon's 409 naming the deployments.
std::optional<api_answer> claim(services_actor_ptr self, const std::vector<std::string>& apps,
                                bool force);

std::map<std::string, wire<App>> all_apps(const services_state& st);

// Service ports 0 become ones from 10000-20000 that no other app holds,
// neither in `st` nor in `also` (apps about to be deployed with it).
wire<App> with_service_ports(const services_state& st, wire<App> app,
                             const std::map<std::string, wire<App>>& also = {});

// A 422 for what an app may ask of Marathon but not of cairn yet.
std::optional<api_answer> refuse_unsupported(App::Reader app);

// services_groups.cpp: /v2/groups[/{id}] (`rest`: what follows /v2/groups).
api_answer serve_groups(services_actor_ptr self, const std::string& method,
                        const std::string& rest, const std::string& query,
                        const std::string& body);

} // namespace cairn::services
