// The operator event stream (SUBSCRIBE): the state once, then every change to
// tasks, agents and frameworks as it happens, and heartbeats.
#include "actors/master/state.hpp"

#include <algorithm>

#include "actors/master/v1_objects.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Event = op::Event;

template <class F>
void publish(master_ptr self, F&& fill) {
  auto& subs = self->state.subscribers;
  if (subs.empty())
    return;
  auto event = make_wire<Event>(std::forward<F>(fill));
  for (auto& s : subs)
    self->send(s, event);
}

} // namespace

void add_subscriber(master_ptr self, operator_sink sink) {
  auto& st = self->state;
  if (st.subscribers.size() >= limits::max_operator_subscribers) {
    logger("master")->warn("refusing an operator subscriber: {} already",
                           st.subscribers.size());
    return;
  }
  self->monitor(sink);
  self->send(sink, make_wire<Event>([&](Event::Builder e) {
               e.setType(Event::Type::SUBSCRIBED);
               auto s = e.initSubscribed();
               fill_get_state(self, s.initGetState());
               s.setHeartbeatIntervalSeconds(to_seconds(st.options.framework_heartbeat_interval));
             }));
  self->send(sink, make_wire<Event>([](Event::Builder e) { e.setType(Event::Type::HEARTBEAT); }));
  st.subscribers.push_back(std::move(sink));
}

void on_subscriber_gone(master_ptr self, const caf::actor_addr& addr) {
  auto& subs = self->state.subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(),
                            [&](const operator_sink& s) { return s.address() == addr; }),
             subs.end());
}

void publish_task_added(master_ptr self, const task_record& task) {
  const auto& fw = self->state.frameworks.at(task.framework_id);
  publish(self, [&](Event::Builder e) {
    e.setType(Event::Type::TASK_ADDED);
    fill_v1_task(e.initTaskAdded().initTask(), task, fw);
  });
}

void publish_task_updated(master_ptr self, const task_record& task) {
  publish(self, [&](Event::Builder e) {
    e.setType(Event::Type::TASK_UPDATED);
    auto u = e.initTaskUpdated();
    u.initFrameworkId().setValue(task.framework_id);
    u.setState(task.state);
    auto s = u.initStatus();
    s.initTaskId().setValue(task.id);
    s.setState(task.state);
    s.setReason(task.reason);
    s.setSource(task.source);
    if (!task.message.empty())
      s.setMessage(task.message);
    s.setTimestamp(task.timestamp);
    s.initAgentId().setValue(task.agent_id);
  });
}

void publish_agent_added(master_ptr self, const agent_record& agent) {
  publish(self, [&](Event::Builder e) {
    e.setType(Event::Type::AGENT_ADDED);
    fill_v1_agent(e.initAgentAdded().initAgent(), agent);
  });
}

void publish_agent_removed(master_ptr self, const std::string& agent_id) {
  publish(self, [&](Event::Builder e) {
    e.setType(Event::Type::AGENT_REMOVED);
    e.initAgentRemoved().initAgentId().setValue(agent_id);
  });
}

void publish_framework(master_ptr self, const framework_record& fw, Event::Type type) {
  publish(self, [&](Event::Builder e) {
    e.setType(type);
    if (type == Event::Type::FRAMEWORK_REMOVED)
      e.initFrameworkRemoved().setFrameworkInfo(*fw.info);
    else if (type == Event::Type::FRAMEWORK_ADDED)
      fill_v1_framework(self, e.initFrameworkAdded().initFramework(), fw);
    else
      fill_v1_framework(self, e.initFrameworkUpdated().initFramework(), fw);
  });
}

void heartbeat_subscribers(master_ptr self) {
  publish(self, [](Event::Builder e) { e.setType(Event::Type::HEARTBEAT); });
}

} // namespace cairn
