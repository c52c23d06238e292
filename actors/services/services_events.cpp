// Marathon's events for /v2/events: each subscriber (a stream actor) is
// sent the JSON of the types it asked for; one that ends is forgotten.
#include <sstream>

#include <caf/event_based_actor.hpp>

#include "actors/services/services_state.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace cairn::services {

namespace s = schema::services;

namespace {

void emit(services_actor_ptr self, const std::string& type, const std::string& json) {
  for (auto& [addr, sub] : self->state.subscribers)
    if (sub.second.empty() || sub.second.count(type))
      self->send(sub.first, services_event_atom::value, type, json);
}

bool wanted(services_actor_ptr self, const std::string& type) {
  for (auto& [addr, sub] : self->state.subscribers)
    if (sub.second.empty() || sub.second.count(type))
      return true;
  return false;
}

template <class List>
void fill_step(List actions, const deployment_step& step) {
  for (unsigned m = 0; m < step.size(); ++m) {
    actions[m].setAction(kind_name(step[m].what));
    actions[m].setApp(step[m].app.str());
    actions[m].initReadinessCheckResults(0);
  }
}

} // namespace

std::string deployment_doc(const deployment& d) {
  return to_json(make_wire<s::Deployment>([&](s::Deployment::Builder b) {
    b.setId(d.id);
    b.setVersion(d.version);
    auto affected = b.initAffectedApps(static_cast<unsigned>(d.affected.size()));
    for (unsigned k = 0; k < d.affected.size(); ++k)
      affected.set(k, d.affected[k]);
    b.initAffectedPods(0);
    auto fill = [](auto list, const deployment_step& step) { fill_step(list, step); };
    auto steps = b.initSteps(static_cast<unsigned>(d.steps.size()));
    for (unsigned k = 0; k < d.steps.size(); ++k)
      fill(steps[k].initActions(static_cast<unsigned>(d.steps[k].size())), d.steps[k]);
    if (d.current < d.steps.size())
      fill(b.initCurrentActions(static_cast<unsigned>(d.steps[d.current].size())),
           d.steps[d.current]);
    else
      b.initCurrentActions(0);
    b.setCurrentStep(static_cast<int32_t>(std::min(d.current + 1, d.steps.size())));
    b.setTotalSteps(static_cast<int32_t>(d.steps.size()));
  }).get());
}

void subscribe_events(services_actor_ptr self, caf::actor who, const std::string& types) {
  std::set<std::string> filter;
  std::istringstream in(types);
  std::string one;
  while (std::getline(in, one, ','))
    if (!one.empty())
      filter.insert(one);
  self->monitor(who);
  self->state.subscribers[who.address()] = {who, filter};
  auto attached = to_json(make_wire<s::StreamAttachedEvent>([&](auto b) {
                            b.setEventType("event_stream_attached");
                            b.setTimestamp(iso_now());
                          }).get());
  emit(self, "event_stream_attached", attached);
}

void emit_status_update(services_actor_ptr self, const instance& i, const std::string& message) {
  if (!wanted(self, "status_update_event"))
    return;
  emit(self, "status_update_event",
       to_json(make_wire<s::StatusUpdateEvent>([&](s::StatusUpdateEvent::Builder b) {
                 b.setEventType("status_update_event");
                 b.setTimestamp(iso_now());
                 b.setSlaveId(i.agent_id);
                 b.setTaskId(i.task_id);
                 b.setTaskStatus(i.state);
                 b.setMessage(message);
                 b.setAppId(i.app);
                 b.setHost(i.host);
                 auto ips = b.initIpAddresses(i.host.empty() ? 0 : 1);
                 if (!i.host.empty())
                   ips[0].setIpAddress(i.host);
                 auto ports = b.initPorts(static_cast<unsigned>(i.ports.size()));
                 for (unsigned k = 0; k < i.ports.size(); ++k)
                   ports.set(k, i.ports[k]);
                 b.setVersion(i.version);
               }).get()));
}

void emit_health_changed(services_actor_ptr self, const instance& i) {
  if (!wanted(self, "health_status_changed_event") || !i.healthy)
    return;
  emit(self, "health_status_changed_event",
       to_json(make_wire<s::HealthStatusChangedEvent>([&](auto b) {
                 b.setEventType("health_status_changed_event");
                 b.setTimestamp(iso_now());
                 b.setAppId(i.app);
                 b.setTaskId(i.task_id);
                 b.setInstanceId(i.task_id);
                 b.setVersion(i.version);
                 b.setAlive(*i.healthy);
               }).get()));
}

void emit_api_post(services_actor_ptr self, const std::string& uri, App::Reader app) {
  if (!wanted(self, "api_post_event"))
    return;
  emit(self, "api_post_event", to_json(make_wire<s::ApiPostEvent>([&](auto b) {
                                          b.setEventType("api_post_event");
                                          b.setTimestamp(iso_now());
                                          b.setUri(uri);
                                          b.setAppDefinition(app);
                                        }).get()));
}

void emit_deployment(services_actor_ptr self, const char* type, const deployment& d) {
  if (!wanted(self, type))
    return;
  auto plan = from_json<s::Deployment>(deployment_doc(d));
  emit(self, type, to_json(make_wire<s::DeploymentEvent>([&](s::DeploymentEvent::Builder b) {
                             b.setEventType(type);
                             b.setTimestamp(iso_now());
                             b.setId(d.id);
                             if (plan)
                               b.setPlan(**plan);
                             if (d.current < d.steps.size())
                               fill_step(b.initCurrentStep().initActions(static_cast<unsigned>(
                                           d.steps[d.current].size())),
                                         d.steps[d.current]);
                           }).get()));
}

} // namespace cairn::services
