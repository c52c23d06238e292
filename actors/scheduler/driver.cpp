#include "actors/scheduler/driver.hpp"

#include <caf/actor_system.hpp>
#include <caf/system_messages.hpp>

#include "actors/scheduler/calls.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using Event = schema::Event;
using Call = schema::Call;

struct driver_state {
  static inline const char* name = "driver";
  driver_options options;
  scheduler_call_sink master;
  scheduler_sink framework;
  std::string framework_id;
  bool subscribed = false;
  bool failed = false;  // the master sent ERROR: no more calls go out
};

using self_ptr = driver_actor::stateful_pointer<driver_state>;

void subscribe(self_ptr self) {
  auto& st = self->state;
  if (st.subscribed || st.failed)
    return;
  self->send(st.master, make_wire<Call>([&](Call::Builder c) {
               c.setType(Call::Type::SUBSCRIBE);
               auto info = *st.options.framework_info;
               if (info.hasId())
                 c.setFrameworkId(info.getId());
               c.initSubscribe().setFrameworkInfo(info);
             }));
  self->delayed_send(self, st.options.subscribe_backoff, resubscribe_atom::value);
}

void on_event(self_ptr self, const scheduler_event& msg) {
  auto& st = self->state;
  auto e = *msg;
  switch (e.getType()) {
    case Event::Type::SUBSCRIBED:
      if (st.subscribed)
        return; // an answer to a retried SUBSCRIBE
      st.subscribed = true;
      st.framework_id = e.getSubscribed().getFrameworkId().getValue();
      logger("driver")->info("subscribed as framework {}", st.framework_id);
      break;
    case Event::Type::ERROR:
      st.failed = true;
      logger("driver")->error("master reported an error: {}", e.getError().getMessage().cStr());
      break;
    default:
      break;
  }
  self->send(st.framework, msg);
  if (e.getType() == Event::Type::UPDATE && st.options.auto_acknowledge
      && e.getUpdate().getStatus().getUuid().size() > 0)
    self->send(st.master, calls::acknowledge(st.framework_id, e.getUpdate().getStatus()));
}

driver_actor::behavior_type driver(self_ptr self, driver_options options,
                                   scheduler_call_sink master, scheduler_sink framework) {
  auto& st = self->state;
  st.options = std::move(options);
  st.master = std::move(master);
  st.framework = std::move(framework);
  self->monitor(st.master);
  self->monitor(st.framework);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    if (msg.source == st.framework.address()) {
      self->quit(); // the framework is gone; so is its driver
      return;
    }
    logger("driver")->error("lost the master");
    self->send(st.framework, make_wire<Event>([](Event::Builder e) {
                 e.setType(Event::Type::ERROR);
                 e.initError().setMessage("Lost the connection to the master");
               }));
    self->quit();
  });
  subscribe(self);
  return {
    [=](const scheduler_event& e) { on_event(self, e); },
    [=](const scheduler_call& c) {
      auto& st = self->state;
      if (!st.subscribed || st.failed) {
        logger("driver")->warn("dropping a call: the framework is not subscribed");
        return;
      }
      self->send(st.master, c);
    },
    [=](resubscribe_atom) { subscribe(self); },
  };
}

} // namespace

driver_actor spawn_driver(caf::actor_system& sys, driver_options options,
                          scheduler_call_sink master, scheduler_sink framework) {
  return sys.spawn(driver, std::move(options), std::move(master), std::move(framework));
}

} // namespace cairn
