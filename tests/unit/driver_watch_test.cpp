// The scheduler driver leaves a master that still holds its connection once
// another master claims the lead, and subscribes there as the same framework;
// while the one it follows leads, it stays.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/scheduler/driver.hpp"
#include "runtime/http_server.hpp"
#include "runtime/json.hpp"
#include "runtime/system.hpp"
#include "schema/state.capnp.h"

using namespace cairn;

namespace {

// What a fake master's /cairn/endpoint says: its actor port while it leads
// (0 otherwise) and whom it names as leader.
struct endpoint_view {
  std::mutex mutex;
  uint16_t port = 0;
  std::string leader;
};

// What a fake master saw: SUBSCRIBE calls, and the framework id of the last.
struct seen {
  std::atomic<int> subscribes{0};
  std::mutex mutex;
  std::string framework_id;
};

scheduler_call_sink::behavior_type fake_master(scheduler_call_sink::pointer self,
                                               std::shared_ptr<seen> log, std::string id_to_give) {
  return {
    [=](const scheduler_call& call) {
      if (call->getType() != schema::Call::Type::SUBSCRIBE)
        return;
      std::string id = call->hasFrameworkId() ? call->getFrameworkId().getValue().cStr()
                                              : id_to_give;
      {
        std::lock_guard<std::mutex> guard{log->mutex};
        log->framework_id = call->hasFrameworkId() ? id : "";
      }
      ++log->subscribes;
      auto driver = caf::actor_cast<scheduler_sink>(self->current_sender());
      self->send(driver, make_wire<schema::Event>([&](schema::Event::Builder e) {
                   e.setType(schema::Event::Type::SUBSCRIBED);
                   auto s = e.initSubscribed();
                   s.initFrameworkId().setValue(id);
                   s.setHeartbeatIntervalSeconds(15);  // Mesos' default: five missed is 75 s
                 }));
    },
  };
}

struct fake_master_host {
  system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<endpoint_view> view = std::make_shared<endpoint_view>();
  std::shared_ptr<seen> log = std::make_shared<seen>();
  std::unique_ptr<http_server> http;
  std::string address;
  uint16_t actor_port = 0;
  scheduler_call_sink master;

  explicit fake_master_host(const std::string& id_to_give) {
    auto v = view;
    http = std::move(*http_server::start("127.0.0.1", 0, [v](http_request, http_reply reply) {
      std::lock_guard<std::mutex> guard{v->mutex};
      http_response r;
      r.body = to_json(make_wire<schema::state::ActorEndpoint>([&](auto e) {
                         e.setHost("127.0.0.1");
                         e.setPort(v->port);
                         e.setLeader(v->leader);
                       }).get());
      reply.send(std::move(r));
    }));
    address = fmt::format("127.0.0.1:{}", http->port());
    master = sys.spawn(fake_master, log, id_to_give);
    actor_port = sys.middleman().publish(master, 0, "127.0.0.1", true).value();
  }

  ~fake_master_host() {
    caf::anon_send_exit(master, caf::exit_reason::user_shutdown);
    http.reset();
  }

  void set(bool leads, const std::string& leader) {
    std::lock_guard<std::mutex> guard{view->mutex};
    view->port = leads ? actor_port : 0;
    view->leader = leader;
  }
};

caf::behavior quiet_framework(caf::event_based_actor*) {
  return {[](const scheduler_event&) {}};
}

template <class Pred>
bool eventually(Pred pred, std::chrono::seconds bound = std::chrono::seconds(20)) {
  for (int i = 0; i < bound.count() * 100; ++i) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

} // namespace

TEST_CASE("the driver follows a master that claims the lead from one that still holds the "
          "connection") {
  fake_master_host a{"fw-1"};
  fake_master_host b{"fw-other"};
  a.set(true, a.address);
  b.set(false, a.address);
  system_config cfg;
  caf::actor_system sys{cfg};
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([](schema::FrameworkInfo::Builder i) {
    i.setName("watched");
    i.setUser("root");
  });
  options.master_addresses = {a.address, b.address};
  // As `cairn execute` does: the handle it just found, and every master.
  auto first = sys.middleman().remote_actor<scheduler_call_sink>("127.0.0.1", a.actor_port);
  REQUIRE(first);
  auto framework = sys.spawn(quiet_framework);
  auto driver = spawn_driver(sys, options, *first, caf::actor_cast<scheduler_sink>(framework));
  REQUIRE(eventually([&] { return a.log->subscribes.load() >= 1; }));

  // While A leads and B names it, the driver stays (a few watch passes).
  std::this_thread::sleep_for(options.leader_watch_interval * 4);
  CHECK(b.log->subscribes.load() == 0);

  // A keeps its connection open and still answers as leader (a paused one
  // would not answer at all); B now leads.
  b.set(true, b.address);
  REQUIRE(eventually([&] { return b.log->subscribes.load() >= 1; }));
  {
    std::lock_guard<std::mutex> guard{b.log->mutex};
    CHECK(b.log->framework_id == "fw-1");  // the same framework, not a new one
  }
  // The framework ends: its driver and the driver's watching connector end
  // with it, so that a command waiting for its actors returns.
  caf::anon_send_exit(framework, caf::exit_reason::user_shutdown);
  sys.await_all_actors_done();
}

TEST_CASE("with the watch off, a master claiming the lead moves nothing while the connection "
          "holds") {
  fake_master_host a{"fw-1"};
  fake_master_host b{"fw-other"};
  a.set(true, a.address);
  b.set(false, a.address);
  system_config cfg;
  caf::actor_system sys{cfg};
  driver_options options;
  options.framework_info = make_wire<schema::FrameworkInfo>([](schema::FrameworkInfo::Builder i) {
    i.setName("unwatched");
    i.setUser("root");
  });
  options.master_addresses = {a.address, b.address};
  options.leader_watch_interval = duration{0};
  auto framework = sys.spawn(quiet_framework);
  auto driver =
    spawn_driver(sys, options, scheduler_call_sink{}, caf::actor_cast<scheduler_sink>(framework));
  REQUIRE(eventually([&] { return a.log->subscribes.load() >= 1; }));
  b.set(true, b.address);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(b.log->subscribes.load() == 0);
  caf::anon_send_exit(driver, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(framework, caf::exit_reason::user_shutdown);
}
