// The scheduler calls: SUBSCRIBE and TEARDOWN here, the others dispatched to
// the file that owns them; framework disconnection and failover.
#include "actors/master/state.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "actors/checks.hpp"
#include "actors/master/unsupported.hpp"
#include "runtime/clock.hpp"
#include "runtime/limits.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "storage/registry.hpp"

namespace cairn {

namespace {

using Call = schema::Call;
using Event = schema::Event;
using Capability = schema::FrameworkInfo::Capability::Type;

} // namespace

void send_error(master_ptr self, const caf::strong_actor_ptr& to, const std::string& message) {
  logger("master")->warn("refusing a scheduler call: {}", message);
  if (!to)
    return;
  self->send(caf::actor_cast<scheduler_sink>(to), make_wire<Event>([&](Event::Builder e) {
               e.setType(Event::Type::ERROR);
               e.initError().setMessage(message);
             }));
}

namespace {

void send_subscribed(master_ptr self, framework_record& fw) {
  auto& st = self->state;
  self->send(fw.sink, make_wire<Event>([&](Event::Builder e) {
               e.setType(Event::Type::SUBSCRIBED);
               auto s = e.initSubscribed();
               s.initFrameworkId().setValue(fw.id);
               s.setHeartbeatIntervalSeconds(to_seconds(st.options.framework_heartbeat_interval));
               fill_master_info(self, s.initMasterInfo());
             }));
  // As Mesos does: the first heartbeat comes at once, so a client learns
  // the stream is live without waiting a whole interval.
  self->send(fw.sink, make_wire<Event>([](Event::Builder e) { e.setType(Event::Type::HEARTBEAT); }));
}

// The framework is recorded: it is subscribed (or has failed over).
void finish_subscribe(master_ptr self, const caf::strong_actor_ptr& sender, const std::string& id,
                      wire<schema::FrameworkInfo> info, std::vector<std::string> roles,
                      const scheduler_call& msg) {
  auto& st = self->state;
  for (const auto& done : st.completed_frameworks)
    if (done.id == id)
      return send_error(self, sender, fmt::format("Framework {} has been removed", id));
  auto sink = caf::actor_cast<scheduler_sink>(sender);
  bool failover = st.frameworks.count(id) > 0;
  auto& fw = st.frameworks[id];
  bool was_recovered = fw.recovered;
  if (failover && fw.sink && fw.sink != sink) {
    // A new connection replaces the old one (framework failover): the old
    // scheduler is told, as Mesos does, and forgotten.
    st.framework_by_addr.erase(fw.sink.address());
    self->demonitor(fw.sink.address());
    self->send(fw.sink, make_wire<Event>([](Event::Builder e) {
                 e.setType(Event::Type::ERROR);
                 e.initError().setMessage("Framework failed over");
               }));
  }
  fw.id = id;
  set_framework_info(fw, std::move(info), std::move(roles));
  fw.sink = sink;
  fw.connected = true;
  fw.active = true;
  fw.recovered = false;
  if (!failover)
    fw.registered_time = wall_clock_seconds();
  st.framework_by_addr[sink.address()] = id;
  self->monitor(sink);
  send_subscribed(self, fw);
  auto name = fw.info->getName();
  if (failover) {
    // Offers made to the scheduler it replaces go back, as Mesos does on a
    // failover: the new one never heard of them, and they would be held for ever.
    std::vector<std::string> offers(fw.offers.begin(), fw.offers.end());
    for (const auto& o : offers)
      remove_offer(self, o, 0);
    logger("master")->info("framework {} ({}) {}", id, name.cStr(),
                           was_recovered ? "re-subscribed after the master failed over"
                                         : "re-subscribed");
    // The subscription says exactly which roles are suppressed, as in Mesos:
    // a role its predecessor suppressed and this one does not is revived.
    allocator_update_framework(self, fw, msg->getSubscribe().getSuppressedRoles());
    allocator_simple(self, schema::allocator::Call::ACTIVATE_FRAMEWORK, id);
    publish_framework(self, fw, schema::operator_api::Event::Type::FRAMEWORK_UPDATED);
  } else {
    logger("master")->info("framework {} ({}) subscribed", id, name.cStr());
    allocator_add_framework(self, fw);
    publish_framework(self, fw, schema::operator_api::Event::Type::FRAMEWORK_ADDED);
    auto suppressed = msg->getSubscribe().getSuppressedRoles();
    if (suppressed.size() > 0)
      allocator_roles(self, false, id, suppressed);
  }
}

void on_subscribe(master_ptr self, const scheduler_call& msg) {
  auto& st = self->state;
  auto sender = self->current_sender();
  if (!sender) {
    logger("master")->warn("SUBSCRIBE without a sender to answer; dropped");
    return;
  }
  auto call = *msg;
  auto info = call.getSubscribe().getFrameworkInfo();
  auto roles = check_framework_info(info);
  if (!roles)
    return send_error(self, sender, error_message(roles.error()));
  if (auto why = unsupported_in_subscribe(call.getSubscribe()); !why.empty())
    return send_error(self, sender, why);
  for (auto r : call.getSubscribe().getSuppressedRoles())
    if (!std::binary_search(roles->begin(), roles->end(), std::string(r.cStr())))
      return send_error(self, sender,
                        fmt::format("Suppressed role '{}' is not a role of the framework",
                                    r.cStr()));
  std::string id = info.getId().getValue();
  if (id.empty() && call.hasFrameworkId()) {
    id = call.getFrameworkId().getValue();
    auto problem = check_id(whole(call.getFrameworkId().getValue()));
    if (!problem.empty())
      return send_error(self, sender, "Invalid framework_id: " + problem);
  }
  for (const auto& done : st.completed_frameworks)
    if (done.id == id)
      return send_error(self, sender, fmt::format("Framework {} has been removed", id));
  auto addr = sender->address();
  if (st.pending_subscriptions.count(addr) > 0)
    return; // a retry while the first is being recorded
  if (st.frameworks.count(id) == 0
      && st.frameworks.size() + st.pending_subscriptions.size() >= limits::max_frameworks)
    return send_error(self, sender, "Too many frameworks");
  // A master started again with its predecessor's options counts from the
  // start: an id in use is skipped, never given to a second framework.
  auto taken = [&](const std::string& candidate) {
    if (st.frameworks.count(candidate) > 0)
      return true;
    return std::any_of(st.completed_frameworks.begin(), st.completed_frameworks.end(),
                       [&](const framework_record& done) { return done.id == candidate; });
  };
  if (id.empty()) {
    do
      id = fmt::format("{}-{:04}", st.master_id, st.next_framework++);
    while (taken(id));
  }
  wire_builder<schema::FrameworkInfo> b;
  b.message().setRoot(info);
  b.message().getRoot<schema::FrameworkInfo>().initId().setValue(id);
  auto recorded = std::move(b).finish();
  // The registry learns of the framework before the framework hears it is
  // subscribed: a new leader knows every framework that was ever told so.
  st.pending_subscriptions.insert(addr);
  write_registry(self, add_framework_entry(*recorded),
                 [=, roles = std::move(*roles)](bool ok, const std::string& why) {
                   self->state.pending_subscriptions.erase(addr);
                   if (!ok)
                     return send_error(self, sender,
                                       "The framework could not be recorded: " + why);
                   finish_subscribe(self, sender, id, recorded, roles, msg);
                 });
}

// REVIVE and SUPPRESS name roles of the framework, or none (all of them);
// a call naming another is dropped with a warning.
void offer_control(master_ptr self, const framework_record& fw, bool revive,
                   capnp::List<capnp::Text>::Reader roles) {
  for (auto r : roles)
    if (std::find(fw.roles.begin(), fw.roles.end(), r.cStr()) == fw.roles.end()) {
      logger("master")->warn("framework {}: ignoring {} of role '{}', not one of its roles",
                             fw.id, revive ? "REVIVE" : "SUPPRESS", r.cStr());
      return;
    }
  allocator_roles(self, revive, fw.id, roles);
}

void on_message(master_ptr self, framework_record& fw, Call::Message::Reader message) {
  auto& st = self->state;
  auto agent = st.agents.find(message.getAgentId().getValue());
  if (agent == st.agents.end())
    return;
  self->send(agent->second.sink, make_wire<schema::agent::Event>([&](auto e) {
               e.setType(schema::agent::Event::Type::MESSAGE);
               auto m = e.initMessage();
               m.initFrameworkId().setValue(fw.id);
               m.setExecutorId(message.getExecutorId());
               m.setData(message.getData());
             }));
}

} // namespace

void set_framework_info(framework_record& fw, wire<schema::FrameworkInfo> info,
                        std::vector<std::string> roles) {
  fw.roles = std::move(roles);
  fw.partition_aware = has_capability(*info, Capability::PARTITION_AWARE);
  fw.task_killing_state = has_capability(*info, Capability::TASK_KILLING_STATE);
  fw.failover_timeout = info->getFailoverTimeout();
  fw.info = std::move(info);
}

void on_scheduler_call(master_ptr self, const scheduler_call& msg) {
  auto& st = self->state;
  auto call = *msg;
  if (call.getType() == Call::Type::SUBSCRIBE) {
    if (!call.hasSubscribe())
      return send_error(self, self->current_sender(), "Expecting 'subscribe' to be present");
    return on_subscribe(self, msg);
  }
  auto sender = self->current_sender();
  std::string id = call.getFrameworkId().getValue();
  auto i = st.frameworks.find(id);
  if (i == st.frameworks.end())
    return send_error(self, sender, fmt::format("Framework '{}' is not subscribed", id));
  auto& fw = i->second;
  if (!sender || caf::actor_cast<scheduler_sink>(sender) != fw.sink)
    return send_error(self, sender,
                      fmt::format("Framework '{}' is subscribed from another connection", id));
  switch (call.getType()) {
    case Call::Type::TEARDOWN:
      logger("master")->info("framework {} asked to be torn down", id);
      return remove_framework(self, id);
    case Call::Type::ACCEPT:
      if (!call.hasAccept())
        return send_error(self, sender, "Expecting 'accept' to be present");
      return on_accept(self, fw, call.getAccept());
    case Call::Type::DECLINE:
      if (!call.hasDecline())
        return send_error(self, sender, "Expecting 'decline' to be present");
      return on_decline(self, fw, call.getDecline());
    case Call::Type::REVIVE:
      return offer_control(self, fw, true, call.getRevive().getRoles());
    case Call::Type::SUPPRESS:
      return offer_control(self, fw, false, call.getSuppress().getRoles());
    case Call::Type::KILL:
      if (!call.hasKill())
        return send_error(self, sender, "Expecting 'kill' to be present");
      return on_kill(self, fw, call.getKill());
    case Call::Type::ACKNOWLEDGE:
      if (!call.hasAcknowledge())
        return send_error(self, sender, "Expecting 'acknowledge' to be present");
      return on_acknowledge(self, fw, call.getAcknowledge());
    case Call::Type::RECONCILE:
      return on_reconcile(self, fw, call.getReconcile());
    case Call::Type::MESSAGE:
      if (!call.hasMessage())
        return send_error(self, sender, "Expecting 'message' to be present");
      return on_message(self, fw, call.getMessage());
    case Call::Type::REQUEST:
      // As in Mesos, whose allocator ignores resource requests: accepted, no effect.
      return;
    case Call::Type::SHUTDOWN:
      if (!call.hasShutdown())
        return send_error(self, sender, "Expecting 'shutdown' to be present");
      return on_shutdown_executor(self, fw, call.getShutdown());
    case Call::Type::UPDATE_FRAMEWORK:
      if (!call.hasUpdateFramework())
        return send_error(self, sender, "Expecting 'update_framework' to be present");
      return on_update_framework(self, fw, msg);
    default:
      if (auto why = unsupported_call(call.getType()); !why.empty())
        return send_error(self, sender, why);
      return send_error(self, sender, "Unknown call type");
  }
}

void on_framework_disconnected(master_ptr self, const std::string& framework_id) {
  auto& st = self->state;
  auto i = st.frameworks.find(framework_id);
  if (i == st.frameworks.end())
    return;
  auto& fw = i->second;
  fw.connected = false;
  fw.active = false;
  fw.unregistered_time = wall_clock_seconds();
  ++fw.disconnections;
  allocator_simple(self, schema::allocator::Call::DEACTIVATE_FRAMEWORK, framework_id);
  std::vector<std::string> offers(fw.offers.begin(), fw.offers.end());
  for (const auto& o : offers)
    remove_offer(self, o, 0);
  auto timeout = from_seconds(fw.failover_timeout);
  logger("master")->info("framework {} disconnected; failover timeout {}", framework_id,
                         format_duration(timeout));
  publish_framework(self, fw, schema::operator_api::Event::Type::FRAMEWORK_UPDATED);
  self->delayed_send(self, timeout, failover_atom::value, framework_id, fw.disconnections);
}

void on_failover_timeout(master_ptr self, const std::string& framework_id, uint64_t epoch) {
  auto& st = self->state;
  auto i = st.frameworks.find(framework_id);
  if (i == st.frameworks.end() || i->second.connected || i->second.disconnections != epoch)
    return;
  logger("master")->info("framework {} did not come back within its failover timeout",
                         framework_id);
  remove_framework(self, framework_id);
}

void remove_framework(master_ptr self, const std::string& framework_id) {
  auto& st = self->state;
  auto i = st.frameworks.find(framework_id);
  if (i == st.frameworks.end())
    return;
  auto& fw = i->second;
  // Outstanding offers and the framework's allocation go back with the
  // allocator's removeFramework; here only the master's books change.
  for (const auto& o : fw.offers) {
    auto offer = st.offers.find(o);
    if (offer == st.offers.end())
      continue;
    if (auto a = st.agents.find(offer->second.agent_id); a != st.agents.end()) {
      a->second.offered -= offer->second.res;
      a->second.offers.erase(o);
    }
    st.offers.erase(offer);
  }
  fw.offers.clear();
  std::set<std::string> agents_to_tell;
  for (auto& [task_id, task] : fw.tasks) {
    auto a = st.agents.find(task.agent_id);
    if (a != st.agents.end()) {
      a->second.tasks.erase({framework_id, task_id});
      if (!task.terminal()) {
        a->second.used -= task.res;
        agents_to_tell.insert(task.agent_id);
      }
    }
    if (!task.terminal())
      change_task_state(self, fw, task, task_state::TASK_KILLED, task_reason::FRAMEWORK_REMOVED,
                        "Framework removed", false);
    keep_completed_task(self, fw, std::move(task));
  }
  fw.tasks.clear();
  for (const auto& agent_id : agents_to_tell)
    self->send(st.agents[agent_id].sink, make_wire<schema::agent::Event>([&](auto e) {
                 e.setType(schema::agent::Event::Type::SHUTDOWN_FRAMEWORK);
                 e.initShutdownFramework().initFrameworkId().setValue(framework_id);
               }));
  allocator_simple(self, schema::allocator::Call::REMOVE_FRAMEWORK, framework_id);
  if (fw.sink) {
    st.framework_by_addr.erase(fw.sink.address());
    self->demonitor(fw.sink.address());
  }
  fw.used = {};
  fw.offered = {};
  fw.connected = false;
  fw.active = false;
  fw.unregistered_time = wall_clock_seconds();
  logger("master")->info("framework {} removed", framework_id);
  write_registry(self, remove_framework_entry(framework_id));
  publish_framework(self, fw, schema::operator_api::Event::Type::FRAMEWORK_REMOVED);
  keep_completed_framework(self, std::move(fw));
  st.frameworks.erase(i);
}

} // namespace cairn
