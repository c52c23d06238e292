// The docker containerizer pulls an image only when it is missing or a pull
// is forced, fails a launch whose image cannot be pulled, whose container
// cannot be created or whose task cannot be mapped (launching nothing),
// creates the container and hands it to the executor through the
// environment, and at recovery removes the mesos- containers no
// checkpoint names, and only those, and after --docker_remove_delay those
// of runs that ended before the restart; against a fake engine.
#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/agent/docker_containerizer.hpp"
#include "actors/docker/handover.hpp"
#include "runtime/errors.hpp"
#include "runtime/json.hpp"
#include "runtime/system.hpp"
#include "tests/support/fake_docker_engine.hpp"

using namespace cairn;
using cairn::test::fake_docker_engine;
using cairn::test::fake_reply;
using cairn::test::fake_request;
using Config = schema::containerizer::ContainerConfig;

namespace {

// What the stand-in for the mesos containerizer was asked to launch.
struct launches {
  std::mutex mutex;
  std::vector<container_config> configs;
};

containerizer_actor::behavior_type stub_processes(containerizer_actor::pointer self,
                                                  std::shared_ptr<launches> seen) {
  return {
    [=](container_launch_atom, const container_config& c) -> caf::result<int64_t> {
      std::lock_guard<std::mutex> lock(seen->mutex);
      seen->configs.push_back(c);
      return int64_t{4242};
    },
    [=](container_wait_atom, const std::string&) -> caf::result<container_termination> {
      return self->make_response_promise<container_termination>();  // never ends
    },
    [=](container_update_atom, const container_config&) { return true; },
    [=](container_usage_atom, const std::string&) -> caf::result<container_statistics> {
      return make_error("no usage here");
    },
    [=](container_destroy_atom, const std::string&) { return true; },
    [=](container_limitation_atom, const std::string&) -> caf::result<container_termination> {
      return make_error("no limits here");
    },
    [=](container_recover_atom, const container_recovery&) { return true; },
  };
}

container_config docker_config(const std::string& id, const std::string& docker_json,
                               const std::string& ports = "") {
  auto task = from_json<schema::TaskInfo>(R"({"name": "t", "task_id": {"value": "t"},
    "agent_id": {"value": "a"}, "command": {"value": "echo hi"},
    "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.5}})" + ports +
                                          R"(], "container": {"type": "DOCKER", "docker": )" +
                                          docker_json + "}}");
  REQUIRE(task);
  return make_wire<Config>([&](Config::Builder c) {
    c.setContainerId(id);
    c.setDirectory("/tmp/sandbox-" + id);
    c.setResources((*task)->getResources());
    c.setContainer((*task)->getContainer());
    c.setHasContainer(true);
    c.setTask(**task);
    c.setHasTask(true);
    c.initCommand().setValue("cairn");
  });
}

std::string env_of(const container_config& c, const std::string& name) {
  for (auto v : c->getCommand().getEnvironment().getVariables())
    if (name == v.getName().cStr())
      return v.getValue();
  return "<unset>";
}

bool asked(const fake_docker_engine& fake, const std::string& method, const std::string& part) {
  for (const auto& r : fake.requests())
    if (r.method == method && r.target.find(part) != std::string::npos)
      return true;
  return false;
}

struct fixture {
  system_config cfg{false};
  caf::actor_system sys{cfg};
  std::shared_ptr<launches> seen = std::make_shared<launches>();
  std::vector<caf::actor> spawned;

  // The actor system waits for every actor: they are ended with the test.
  ~fixture() {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  containerizer_actor make(const fake_docker_engine& fake, bool kill_orphans = true,
                           duration remove_delay = std::chrono::hours(6),
                           size_t launch_parallelism = 8) {
    docker_containerizer_options o;
    o.launch_parallelism = launch_parallelism;
    o.socket = fake.socket_path();
    o.kill_orphans = kill_orphans;
    o.remove_delay = remove_delay;
    o.pull_timeout = std::chrono::seconds(10);
    auto processes = sys.spawn(stub_processes, seen);
    auto c = spawn_docker_containerizer(sys, o, processes);
    spawned.push_back(caf::actor_cast<caf::actor>(processes));
    spawned.push_back(caf::actor_cast<caf::actor>(c));
    return c;
  }

  // The launch's answer: "" when it launched, else its error.
  std::string launch(containerizer_actor c, const container_config& config) {
    caf::scoped_actor self{sys};
    std::string outcome = "no answer";
    self->request(c, std::chrono::seconds(30), container_launch_atom::value, config)
      .receive([&](int64_t) { outcome.clear(); },
               [&](const caf::error& err) { outcome = error_message(err); });
    return outcome;
  }

  // A launch that must fail before any executor is launched: its error.
  std::string refused(containerizer_actor c, const container_config& config) {
    auto why = launch(c, config);
    std::lock_guard<std::mutex> lock(seen->mutex);
    CHECK(seen->configs.empty());
    return why;
  }
};

// The engine's images: busybox:local, and those pulled since (a pull of
// broken:1 fails). A create names its image in its body.
struct images {
  std::mutex mutex;
  std::set<std::string> present{"busybox:local"};

  bool has(const std::string& body) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& i : present)
      if (body.find("\"Image\":\"" + i + "\"") != std::string::npos)
        return true;
    return false;
  }
};

fake_reply image_present(const fake_request& r) {
  static images known;
  if (r.target.find("/containers/create?name=mesos-refused") != std::string::npos)
    return {400, R"({"message":"invalid reference format"})"};
  if (r.target.find("/containers/create") != std::string::npos)
    return known.has(r.body) ? fake_reply{201, R"({"Id":"f00d","Warnings":[]})"}
                             : fake_reply{404, R"({"message":"No such image"})"};
  if (r.target.find("/images/create?fromImage=app&tag=2") != std::string::npos) {
    std::lock_guard<std::mutex> lock(known.mutex);
    known.present.insert("app:2");
  }
  if (r.target.find("/containers/mesos-unstartable/start") != std::string::npos)
    return {500, R"({"message":"OCI runtime create failed"})"};
  if (r.target.find("/containers/mesos-unstartable/json") != std::string::npos)
    return {200, R"({"Id":"f00d","State":{"Status":"created","Running":false}})"};
  if (r.method == "DELETE" && r.target.find("/containers/mesos-unstartable") != std::string::npos)
    return {204, ""};
  if (r.method == "POST" && r.target.find("/start") != std::string::npos)
    return {204, ""};
  if (r.target.find("/images/busybox:local/json") != std::string::npos)
    return {200, "{}"};
  if (r.target.find("/images/") != std::string::npos && r.method == "GET")
    return {404, R"({"message":"No such image"})"};
  if (r.target.find("/images/create?fromImage=broken") != std::string::npos)
    return {200, "{\"error\":\"manifest for broken:1 not found\"}\n"};
  if (r.target.find("/images/create") != std::string::npos)
    return {200, "{\"status\":\"Downloaded\"}\n"};
  return {404, R"({"message":"unexpected"})"};
}

} // namespace

TEST_CASE("a present image is not pulled; the container is started and the executor gets it in its env") {
  fixture f;
  fake_docker_engine fake(image_present);
  auto c = f.make(fake);
  CHECK(f.launch(c, docker_config("c1", R"({"image": "busybox:local"})")) == "");
  // The create found the image: it is not looked up, one call per container.
  CHECK_FALSE(asked(fake, "GET", "/images/"));
  CHECK_FALSE(asked(fake, "POST", "/images/create"));
  auto requests = fake.requests();
  auto create = std::find_if(requests.begin(), requests.end(), [](const fake_request& r) {
    return r.method == "POST" && r.target.find("/containers/create?name=mesos-c1") !=
                                   std::string::npos;
  });
  REQUIRE(create != requests.end());
  CHECK(create->body.find(R"("Image":"busybox:local")") != std::string::npos);
  // Started before the executor is launched, never by it: the engine's
  // start is the slow step, and it need not wait on the executor's boot.
  CHECK(asked(fake, "POST", "/containers/mesos-c1/start"));
  std::lock_guard<std::mutex> lock(f.seen->mutex);
  REQUIRE(f.seen->configs.size() == 1);
  auto& launched = f.seen->configs[0];
  CHECK_FALSE(launched->getHasContainer());  // a plain process for the mesos containerizer
  CHECK(env_of(launched, docker_container_env) == "mesos-c1");
  CHECK(env_of(launched, docker_socket_env) == fake.socket_path());
}

TEST_CASE("a missing image is pulled, and a forced pull does not look first") {
  fixture f;
  fake_docker_engine fake(image_present);
  auto c = f.make(fake);
  CHECK(f.launch(c, docker_config("c2", R"({"image": "app:2"})")) == "");
  CHECK(asked(fake, "GET", "/images/app:2/json"));
  CHECK(asked(fake, "POST", "/images/create?fromImage=app&tag=2"));
  CHECK(asked(fake, "POST", "/containers/create?name=mesos-c2"));
  CHECK(f.launch(c, docker_config("c3", R"({"image": "busybox:local",
    "force_pull_image": true})")) == "");
  CHECK(asked(fake, "POST", "/images/create?fromImage=busybox&tag=local"));
}

TEST_CASE("a failed pull fails the launch naming the image; nothing is launched") {
  fixture f;
  fake_docker_engine fake(image_present);
  auto c = f.make(fake);
  auto why = f.refused(c, docker_config("c4", R"({"image": "broken:1"})"));
  CHECK(why == "Failed to pull image 'broken:1': manifest for broken:1 not found");
}

TEST_CASE("a container the engine will not create or start fails the launch with its words") {
  fixture f;
  fake_docker_engine fake(image_present);
  auto c = f.make(fake);
  auto why = f.refused(c, docker_config("refused", R"({"image": "busybox:local"})"));
  CHECK(why.find("invalid reference format") != std::string::npos);
  why = f.refused(c, docker_config("unstartable", R"({"image": "busybox:local"})"));
  CHECK(why.find("OCI runtime create failed") != std::string::npos);
  // Created but never started, it goes at once.
  for (int i = 0; i < 300 && !asked(fake, "DELETE", "/containers/mesos-unstartable"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(asked(fake, "DELETE", "/containers/mesos-unstartable"));
}

TEST_CASE("a task that cannot be mapped fails at once, asking the engine nothing") {
  fixture f;
  fake_docker_engine fake(image_present);
  auto c = f.make(fake);
  auto why = f.launch(c, docker_config("c5", R"({"image": "busybox:local", "network": "BRIDGE",
    "port_mappings": [{"host_port": 31001, "container_port": 80}]})",
                                       R"(, {"name": "ports", "type": "RANGES",
    "ranges": {"range": [{"begin": 31000, "end": 31000}]}})"));
  CHECK(why == "Failed to create docker run options: Port [31001] not included in resources");
  CHECK(fake.requests().empty());
}

TEST_CASE("containers are created and started a few at a time; one destroyed while it waits "
          "is never created") {
  fixture f;
  // The fake answers one request at a time, in the order it logs them: a
  // create beyond the bound may come only after a start has been answered.
  fake_docker_engine fake([](const fake_request& r) {
    if (r.target.find("/start") != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return fake_reply{204, ""};
    }
    return fake_reply{201, R"({"Id":"f00d"})"};
  });
  constexpr size_t bound = 3;
  auto c = f.make(fake, true, std::chrono::hours(6), bound);
  caf::scoped_actor self{f.sys};
  constexpr int count = 12;
  for (int i = 0; i < count; ++i)
    self->send(c, container_launch_atom::value,
               docker_config("p" + std::to_string(i), R"({"image": "busybox:local"})"));
  // The last one is still waiting for its turn.
  bool destroyed = false;
  self->request(c, std::chrono::seconds(30), container_destroy_atom::value,
                std::string("p" + std::to_string(count - 1)))
    .receive([&](bool ok) { destroyed = ok; }, [&](const caf::error&) {});
  CHECK(destroyed);
  int launched = 0;
  std::vector<std::string> failures;
  for (int i = 0; i < count; ++i)
    self->receive([&](int64_t) { ++launched; },
                  [&](const caf::error& err) { failures.push_back(error_message(err)); },
                  caf::after(std::chrono::seconds(30)) >> [&] { failures.push_back("no answer"); });
  CHECK(launched == count - 1);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0] == "Container was destroyed while it was prepared");
  size_t creates = 0, starts = 0, most = 0;
  for (const auto& r : fake.requests()) {
    if (r.target.find("/containers/create") != std::string::npos)
      ++creates;
    if (r.target.find("/start") != std::string::npos)
      ++starts;
    most = std::max(most, creates - starts);
  }
  CHECK(creates == count - 1);
  CHECK(most <= bound);
  CHECK_FALSE(asked(fake, "POST", "/containers/create?name=mesos-p" + std::to_string(count - 1)));
}

TEST_CASE("recovery removes the mesos- containers no checkpoint names, and only those") {
  for (bool kill_orphans : {true, false}) {
    CAPTURE(kill_orphans);
    fixture f;
    fake_docker_engine fake([](const fake_request& r) {
      if (r.target.find("/containers/json") != std::string::npos)
        return fake_reply{200, R"([{"Names":["/mesos-c1"]},{"Names":["/mesos-orphan"]},
                                    {"Names":["/other"]}])"};
      return fake_reply{204, ""};
    });
    auto c = f.make(fake, kill_orphans);
    auto state = make_wire<schema::containerizer::RecoverState>([&](auto s) {
      auto r = s.initContainers(1)[0];
      r.setContainerId("c1");
      r.setConfig(*docker_config("c1", R"({"image": "busybox:local"})"));
    });
    caf::scoped_actor self{f.sys};
    bool recovered = false;
    self->request(c, std::chrono::seconds(30), container_recover_atom::value, state)
      .receive([&](bool ok) { recovered = ok; }, [&](const caf::error&) {});
    CHECK(recovered);
    // The removal runs on a worker of its own: wait for the listing, and for
    // the removal when there is one.
    for (int i = 0; i < 300 && !asked(fake, "GET", "/containers/json"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(asked(fake, "GET", "/containers/json?all=1"));
    if (kill_orphans)
      for (int i = 0; i < 300 && !asked(fake, "DELETE", "/containers/mesos-orphan"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(asked(fake, "DELETE", "/containers/mesos-orphan") == kill_orphans);
    CHECK_FALSE(asked(fake, "DELETE", "/containers/mesos-c1"));
    CHECK_FALSE(asked(fake, "DELETE", "/containers/other"));
  }
}

TEST_CASE("the stopped container of a run that ended before the restart is removed after the "
          "delay, orphans kept or not") {
  fixture f;
  fake_docker_engine fake([](const fake_request& r) {
    if (r.target.find("/containers/json") != std::string::npos)
      return fake_reply{200, R"([{"Names":["/mesos-ended"]},{"Names":["/mesos-orphan"]}])"};
    return fake_reply{204, ""};
  });
  auto c = f.make(fake, false, std::chrono::milliseconds(50));
  auto state = make_wire<schema::containerizer::RecoverState>([&](auto s) {
    auto r = s.initEnded(1)[0];
    r.setContainerId("ended");
    r.setConfig(*docker_config("ended", R"({"image": "busybox:local"})"));
  });
  caf::scoped_actor self{f.sys};
  bool recovered = false;
  self->request(c, std::chrono::seconds(30), container_recover_atom::value, state)
    .receive([&](bool ok) { recovered = ok; }, [&](const caf::error&) {});
  CHECK(recovered);
  for (int i = 0; i < 300 && !asked(fake, "DELETE", "/containers/mesos-ended"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(asked(fake, "DELETE", "/containers/mesos-ended"));
  // --no-docker_kill_orphans: the orphan stays.
  CHECK_FALSE(asked(fake, "DELETE", "/containers/mesos-orphan"));
}
