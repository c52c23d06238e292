// The agent's operator event stream (SUBSCRIBE): its state once, then each
// task it is given and each status update it takes, and heartbeats. Mesos'
// agents stream nothing; this follows the master's stream in form.
#include "actors/agent/state.hpp"

#include <algorithm>

#include "actors/resources/convert.hpp"
#include "runtime/limits.hpp"
#include "runtime/log.hpp"
#include "schema/operator.capnp.h"

namespace cairn {

namespace {

using Event = schema::operator_api::AgentEvent;

template <class F>
void publish(agent_ptr self, F&& fill) {
  auto& subs = self->state.subscribers;
  if (subs.empty())
    return;
  auto event = make_wire<Event>(std::forward<F>(fill));
  for (auto& s : subs)
    self->send(s, event);
}

double seconds_of(duration d) {
  return std::chrono::duration<double>(d).count();
}

} // namespace

void add_subscriber(agent_ptr self, agent_operator_sink sink) {
  auto& st = self->state;
  if (st.subscribers.size() >= limits::max_operator_subscribers) {
    logger("agent")->warn("refusing an operator subscriber: {} already", st.subscribers.size());
    return;
  }
  self->monitor(sink);
  self->send(sink, make_wire<Event>([&](Event::Builder e) {
               e.setType(Event::Type::SUBSCRIBED);
               auto s = e.initSubscribed();
               fill_agent_get_state(st, s.initGetState());
               s.setHeartbeatIntervalSeconds(seconds_of(st.options.operator_heartbeat_interval));
             }));
  self->send(sink, make_wire<Event>([](Event::Builder e) { e.setType(Event::Type::HEARTBEAT); }));
  // One timer serves every subscriber: it runs while there is one.
  if (st.subscribers.empty())
    self->delayed_send(self, st.options.operator_heartbeat_interval, op_heartbeat_atom::value);
  st.subscribers.push_back(std::move(sink));
}

bool on_subscriber_gone(agent_ptr self, const caf::actor_addr& addr) {
  auto& subs = self->state.subscribers;
  auto before = subs.size();
  subs.erase(std::remove_if(subs.begin(), subs.end(),
                            [&](const agent_operator_sink& s) { return s.address() == addr; }),
             subs.end());
  return subs.size() != before;
}

void publish_task_added(agent_ptr self, const std::string& framework_id,
                        const executor_entry& ex, const std::string& task_id,
                        const agent_task& task) {
  publish(self, [&](Event::Builder e) {
    e.setType(Event::Type::TASK_ADDED);
    auto t = e.initTaskAdded().initTask();
    t.setName(task.info->getName());
    t.initTaskId().setValue(task_id);
    t.initFrameworkId().setValue(framework_id);
    t.initExecutorId().setValue(ex.id);
    t.initAgentId().setValue(self->state.agent_id);
    t.setState(task.state);
    set_resources(t, task.res);
  });
}

void publish_task_updated(agent_ptr self, const std::string& framework_id,
                          schema::TaskStatus::Reader status) {
  publish(self, [&](Event::Builder e) {
    e.setType(Event::Type::TASK_UPDATED);
    auto u = e.initTaskUpdated();
    u.initFrameworkId().setValue(framework_id);
    u.setStatus(status);
    u.setState(status.getState());
  });
}

void heartbeat_subscribers(agent_ptr self) {
  auto& st = self->state;
  if (st.subscribers.empty())
    return; // the timer stops; the next subscriber starts it again
  publish(self, [](Event::Builder e) { e.setType(Event::Type::HEARTBEAT); });
  self->delayed_send(self, st.options.operator_heartbeat_interval, op_heartbeat_atom::value);
}

} // namespace cairn
