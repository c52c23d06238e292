// The master refuses input over the registry's limits and hostile values with
// the limit named, recording nothing, and serves on.
#include <doctest/doctest.h>

#include "tests/support/master_fixture.hpp"

namespace {

wire<schema::FrameworkInfo> labelled(const std::string& id, size_t label_bytes) {
  return make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
    i.setName("labelled");
    i.setUser("root");
    i.setFailoverTimeout(7 * 24 * 3600);  // the longest stay is the worst case
    if (!id.empty())
      i.initId().setValue(id);
    auto label = i.initLabels().initLabels(1)[0];
    label.setKey("k");
    label.setValue(std::string(label_bytes, 'l'));
  });
}

struct written_kv {
  bool ok = false;
  std::string why;
};

} // namespace

TEST_CASE_FIXTURE(master_fixture, "an oversized SUBSCRIBE or agent is refused with the limit, and nothing is recorded") {
  caf::send_as(framework.handle, master, calls::subscribe(*labelled("", 900 * 1024)));
  settle();
  auto errors = take(framework, Event::Type::ERROR);
  REQUIRE(errors.size() == 1);
  std::string why = errors[0]->getError().getMessage();
  INFO(why);
  CHECK(why.find("limit of 65536 bytes on one FrameworkInfo") != std::string::npos);
  caf::send_as(agent.handle, master, make_wire<AgentCall>([&](AgentCall::Builder c) {
                 c.setType(AgentCall::Type::REGISTER);
                 auto info = c.initRegister().initAgentInfo();
                 info.setHostname(std::string(limits::max_agent_info_bytes, 'h'));
                 set_resources(info, parse_resources("cpus:1;mem:64").value());
               }));
  settle();
  CHECK(agent.box->agent.empty());
  auto reg = stored();
  CHECK(reg.frameworks().empty());
  CHECK(reg.agents().empty());
  // Within the limits, both are admitted as ever.
  register_agent();
  subscribe(framework, framework_id);
}

TEST_CASE_FIXTURE(master_fixture, "a full key-value store refuses keys only; frameworks and agents are admitted") {
  auto set = [&](const std::string& key, const std::string& value) {
    auto out = std::make_shared<written_kv>();
    auto m = master;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(m, caf::infinite, kv_set_atom::value, key, value, uint64_t{0}, true)
        .then([=](bool ok, const std::string& why, uint64_t) { *out = {ok, why}; });
    });
    settle();
    return *out;
  };
  auto over = set("big", std::string(limits::max_kv_value_bytes + 1, 'v'));
  CHECK_FALSE(over.ok);
  CHECK(over.why.find("limit of 1048576 bytes") != std::string::npos);
  CHECK(stored().kv_size() == 0);
  size_t keys = 0;
  written_kv last;
  while ((last = set("fill/" + std::to_string(keys), std::string(limits::max_kv_value_bytes,
                                                                 'v'))).ok)
    REQUIRE(++keys < 100);
  CHECK(last.why.find("quota") != std::string::npos);
  CHECK(stored().kv_size() == keys);
  register_agent();
  subscribe(framework, framework_id);
  CHECK(stored().find_framework(framework_id) != nullptr);
}

TEST_CASE_FIXTURE(master_fixture, "with frameworks at their share, a new framework is refused and an agent admitted") {
  // Anyone may subscribe: frameworks of nearly the largest info fill their share.
  auto apply = [&](const std::string& entry) {
    auto out = std::make_shared<written_kv>();
    auto r = registrar;
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(r, caf::infinite, apply_atom::value, entry)
        .then([=](bool ok, const std::string& why, uint64_t) { *out = {ok, why}; });
    });
    settle();
    return *out;
  };
  size_t added = 0;
  while (apply(add_framework_entry(*labelled("filler-" + std::to_string(added), 60 * 1024))).ok)
    REQUIRE(++added < 1000);
  CHECK(stored().frameworks_bytes() <= limits::frameworks_quota_bytes);
  caf::send_as(framework.handle, master, calls::subscribe(*labelled("", 60 * 1024)));
  settle();
  auto errors = take(framework, Event::Type::ERROR);
  REQUIRE(errors.size() == 1);
  CHECK(std::string(errors[0]->getError().getMessage()).find("their share") !=
        std::string::npos);
  CHECK(stored().frameworks().size() == added);
  register_agent();
  CHECK(stored().find_agent(agent_id) != nullptr);
}

// -- hostile input: refused with a reason; the master and its allocator keep serving

TEST_CASE_FIXTURE(master_fixture, "a task asking for 1e300 cpus is refused and the master serves on") {
  register_agent();
  subscribe(framework, framework_id);
  // calls::launch cannot hold such a value: the call is edited as a peer could send it.
  auto valid = calls::launch(framework_id, {single_offer()}, {task("huge", "cpus:1;mem:128")}, 0);
  wire_builder<schema::Call> b;
  b.message().setRoot(valid.get());
  auto launch = b.message().getRoot<schema::Call>().getAccept().getOperations()[0].getLaunch();
  for (auto r : launch.getTaskInfos()[0].getResources())
    if (r.getName() == "cpus")
      r.getScalar().setValue(1e300);
  from_framework(std::move(b).finish());
  auto updates = take(framework, Event::Type::UPDATE);
  REQUIRE(updates.size() == 1);
  auto s = updates[0]->getUpdate().getStatus();
  CHECK(s.getState() == TaskState::TASK_ERROR);
  CHECK(std::string(s.getMessage().cStr()).find("cpus") != std::string::npos);
  CHECK(agent_events(AgentEvent::Type::RUN_TASK).empty());
  // The offer went back whole: the next pass offers it again, and it launches.
  advance(1s);
  from_framework(calls::launch(framework_id, {single_offer()}, {task("ok", "cpus:4;mem:128")}));
  CHECK(agent_events(AgentEvent::Type::RUN_TASK).size() == 1);
}

TEST_CASE_FIXTURE(master_fixture, "a framework id that is a path is refused, and nothing is stored") {
  testing::fake_peer hostile = fake();
  for (const char* id : {"../../../../tmp/x", "..", "a/b"}) {
    auto info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
      i.setName("fw");
      i.initId().setValue(id);
    });
    caf::send_as(hostile.handle, master, calls::subscribe(*info));
    settle();
    auto errors = take(hostile, Event::Type::ERROR);
    REQUIRE(errors.size() == 1);
    CHECK(std::string(errors[0]->getError().getMessage().cStr()).find("id") != std::string::npos);
  }
  CHECK(stored().frameworks().empty());
  stop(hostile.handle);
}

TEST_CASE_FIXTURE(master_fixture, "a failover_timeout that is no duration is refused") {
  testing::fake_peer hostile = fake();
  for (double timeout : {std::numeric_limits<double>::infinity(), -1.0, 1e300}) {
    auto info = make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder i) {
      i.setName("fw");
      i.setFailoverTimeout(timeout);
    });
    caf::send_as(hostile.handle, master, calls::subscribe(*info));
    settle();
    auto errors = take(hostile, Event::Type::ERROR);
    REQUIRE(errors.size() == 1);
    CHECK(std::string(errors[0]->getError().getMessage().cStr()).find("failover_timeout")
          != std::string::npos);
  }
  CHECK(stored().frameworks().empty());
  stop(hostile.handle);
}

TEST_CASE_FIXTURE(master_fixture, "tasks an agent reports beyond its resources are killed, not taken over") {
  register_agent();
  subscribe(framework, framework_id);
  take(framework, Event::Type::OFFERS);
  // Five tasks of one cpu each on an agent of four: the allocator's books
  // could not hold them (it used to abort on that).
  testing::fake_peer back = fake();
  reregister(back, {"t1", "t2", "t3", "t4", "t5"});
  std::vector<std::string> killed;
  for (auto& e : back.box->agent)
    if (e->getType() == AgentEvent::Type::KILL_TASK)
      killed.push_back(e->getKillTask().getTaskId().getValue());
  CHECK(killed == std::vector<std::string>{"t5"});
  // The allocator took the agent with the four tasks and offers what is left.
  advance(1s);
  auto offers = take(framework, Event::Type::OFFERS);
  REQUIRE(offers.size() == 1);
  auto res = read_resources(offers[0]->getOffers().getOffers()[0].getResources());
  REQUIRE(res);
  CHECK(res->get_scalar("mem") == doctest::Approx(4096 - 4 * 128));
  stop(back.handle);
}
