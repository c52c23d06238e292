#include "actors/scheduler/driver.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/system_messages.hpp>

#include "actors/scheduler/calls.hpp"
#include "runtime/connector.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Event = schema::Event;
using Call = schema::Call;

// A master that sends nothing for this many heartbeat intervals is gone.
constexpr int missed_heartbeats_allowed = 5;

struct driver_state {
  static inline const char* name = "driver";
  driver_options options;
  scheduler_call_sink master;  // null while looking for it
  scheduler_sink framework;
  caf::actor connector;
  uint64_t connection = 0;
  std::string framework_id;
  bool subscribed = false;
  bool failed = false;  // the master sent ERROR: no more calls go out
  duration heartbeat_interval{};
  caf::actor_clock::time_point last_event{};
};

using self_ptr = driver_actor::stateful_pointer<driver_state>;

void find_master(self_ptr self);

void subscribe(self_ptr self) {
  auto& st = self->state;
  if (st.subscribed || st.failed || !st.master)
    return;
  self->send(st.master, make_wire<Call>([&](Call::Builder c) {
               c.setType(Call::Type::SUBSCRIBE);
               auto info = *st.options.framework_info;
               auto sub = c.initSubscribe();
               sub.setFrameworkInfo(info);
               // After the first SUBSCRIBED the driver subscribes as that framework.
               if (!st.framework_id.empty()) {
                 c.initFrameworkId().setValue(st.framework_id);
                 sub.getFrameworkInfo().initId().setValue(st.framework_id);
               } else if (info.hasId()) {
                 c.setFrameworkId(info.getId());
               }
             }));
  self->delayed_send(self, st.options.subscribe_backoff, resubscribe_atom::value);
}

void on_master_lost(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.options.master_addresses.empty()) {
    logger("driver")->error("lost the master ({})", why);
    self->send(st.framework, make_wire<Event>([&](Event::Builder e) {
                 e.setType(Event::Type::ERROR);
                 e.initError().setMessage("Lost the connection to the master: " + why);
               }));
    self->quit();
    return;
  }
  logger("driver")->warn("lost the master ({}); looking for it again", why);
  if (st.master)
    self->demonitor(st.master.address());
  st.master = nullptr;
  st.subscribed = false;
  ++st.connection;
  find_master(self);
}

void on_master_found(self_ptr self, const caf::strong_actor_ptr& master) {
  auto& st = self->state;
  st.master = caf::actor_cast<scheduler_call_sink>(master);
  ++st.connection;
  self->monitor(st.master);
  subscribe(self);
}

connector_options master_connector(self_ptr self) {
  connector_options options;
  options.addresses = self->state.options.master_addresses;
  options.connect = connect_as<scheduler_call_sink>();
  options.standby_retry = leader_poll_interval;
  options.watch_interval = self->state.options.leader_watch_interval;
  // A master answers /cairn/endpoint at once; one that does not within
  // this is hung or gone, and the next one is asked.
  options.http_timeout = std::chrono::seconds(2);
  return options;
}

void find_master(self_ptr self) {
  auto connection = self->state.connection;
  request_connection(
    self, self->state.connector, [&] { return master_connector(self); },
    [=](const caf::strong_actor_ptr& master) {
      if (connection == self->state.connection)
        on_master_found(self, master);
    });
}

// While subscribed, the connector asks the other masters whether one of them
// leads now: a leader that hangs keeps its connection open, and missed
// heartbeats would take five heartbeat intervals to tell.
void watch_leader(self_ptr self) {
  auto& st = self->state;
  if (st.options.master_addresses.empty() || st.options.leader_watch_interval.count() <= 0
      || !st.master)
    return;
  if (!st.connector) {
    st.connector = spawn_connector(self->home_system(), master_connector(self));
    self->link_to(st.connector);
  }
  auto connection = st.connection;
  self->request(st.connector, caf::infinite, watch_atom::value,
                caf::actor_cast<caf::strong_actor_ptr>(st.master))
    .then(
      [=](watch_atom) {
        if (connection == self->state.connection)
          on_master_lost(self, "another master leads now");
      },
      [](caf::error&) {});  // replaced by a newer watch
}

void on_check_heartbeat(self_ptr self, uint64_t connection) {
  auto& st = self->state;
  if (connection != st.connection || !st.subscribed)
    return;
  if (self->clock().now() - st.last_event > st.heartbeat_interval * missed_heartbeats_allowed)
    return on_master_lost(self, "no heartbeat");
  self->delayed_send(self, st.heartbeat_interval, check_heartbeat_atom::value, connection);
}

void on_event(self_ptr self, const scheduler_event& msg) {
  auto& st = self->state;
  auto e = *msg;
  st.last_event = self->clock().now();
  switch (e.getType()) {
    case Event::Type::SUBSCRIBED: {
      if (st.subscribed)
        return; // an answer to a retried SUBSCRIBE
      st.subscribed = true;
      st.framework_id = e.getSubscribed().getFrameworkId().getValue();
      st.heartbeat_interval = from_seconds(e.getSubscribed().getHeartbeatIntervalSeconds());
      logger("driver")->info("subscribed as framework {}", st.framework_id);
      if (!st.options.master_addresses.empty() && st.heartbeat_interval.count() > 0)
        self->delayed_send(self, st.heartbeat_interval, check_heartbeat_atom::value,
                           st.connection);
      watch_leader(self);
      break;
    }
    case Event::Type::ERROR:
      st.failed = true;
      logger("driver")->error("master reported an error: {}", e.getError().getMessage().cStr());
      break;
    default:
      break;
  }
  self->send(st.framework, msg);
  if (e.getType() == Event::Type::UPDATE && st.options.auto_acknowledge
      && e.getUpdate().getStatus().getUuid().size() > 0 && st.master)
    self->send(st.master, calls::acknowledge(st.framework_id, e.getUpdate().getStatus()));
}

driver_actor::behavior_type driver(self_ptr self, driver_options options,
                                   scheduler_call_sink master, scheduler_sink framework) {
  auto& st = self->state;
  st.options = std::move(options);
  st.framework = std::move(framework);
  self->monitor(st.framework);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (msg.source == st.framework.address()) {
      // The framework is gone; so is its driver, and its connector: a
      // normal exit does not end linked actors, and a watching connector
      // keeps itself alive by its own timer.
      if (st.connector)
        self->send_exit(st.connector, caf::exit_reason::user_shutdown);
      self->quit();
      return;
    }
    if (st.master && msg.source == st.master.address())
      on_master_lost(self, "the connection broke");
  });
  if (master || st.options.master_addresses.empty())
    on_master_found(self, caf::actor_cast<caf::strong_actor_ptr>(master));
  else
    find_master(self);
  return {
    [=](const scheduler_event& e) {
      // Only the master the driver follows speaks for the cluster: one that
      // lost the lead may send a little longer (a TASK_LOST of its own view,
      // an ERROR) before it stops.
      auto& st = self->state;
      if (!st.master
          || caf::actor_cast<caf::actor_addr>(self->current_sender()) != st.master.address()) {
        logger("driver")->info("ignoring an event from a master it no longer follows");
        return;
      }
      on_event(self, e);
    },
    [=](const scheduler_call& c) {
      auto& st = self->state;
      if (!st.subscribed || st.failed || !st.master) {
        logger("driver")->warn("dropping a call: the framework is not subscribed");
        return;
      }
      self->send(st.master, c);
    },
    [=](resubscribe_atom) { subscribe(self); },
    [=](check_heartbeat_atom, uint64_t connection) { on_check_heartbeat(self, connection); },
  };
}

} // namespace

driver_actor spawn_driver(caf::actor_system& sys, driver_options options,
                          scheduler_call_sink master, scheduler_sink framework) {
  return sys.spawn(driver, std::move(options), std::move(master), std::move(framework));
}

} // namespace cairn
