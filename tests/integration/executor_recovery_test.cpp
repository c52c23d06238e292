// The command executor of a checkpointing framework outlives its agent: the
// task keeps running, the executor reaches a new agent at the same endpoint
// and subscribes with what was not acknowledged, gives up after the recovery
// timeout, obeys an agent that did not recover it; without checkpointing the
// task dies with the agent. Fake agents run in actor systems of their own
// (one per agent "process"), published on loopback as the real agent is.
// A DOCKER task's kill that the engine did not carry out is sent again.
#include <doctest/doctest.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/executor/executor.hpp"
#include "actors/task_state.hpp"
#include "runtime/actor_gate.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"
#include "tests/support/fake_docker_engine.hpp"

using namespace cairn;
using namespace std::chrono_literals;
using schema::TaskState;
using Call = schema::executor::Call;
using Event = schema::executor::Event;

namespace {

// Everything one fake agent was sent, for the test thread to wait on.
struct recorder {
  std::mutex m;
  std::condition_variable changed;
  std::vector<executor_call> calls;

  void add(executor_call c) {
    std::lock_guard<std::mutex> lock(m);
    calls.push_back(std::move(c));
    changed.notify_all();
  }

  // The first call `pred` accepts, waiting up to `bound` for it.
  template <class Pred>
  executor_call wait_for(Pred pred, std::chrono::milliseconds bound = 20s) {
    std::unique_lock<std::mutex> lock(m);
    executor_call found;
    changed.wait_for(lock, bound, [&] {
      for (auto& c : calls)
        if (pred(*c)) {
          found = c;
          return true;
        }
      return false;
    });
    return found;
  }

  std::vector<executor_call> snapshot() {
    std::lock_guard<std::mutex> lock(m);
    return calls;
  }
};

bool is_update(Call::Reader c, TaskState state) {
  return c.getType() == Call::Type::UPDATE && c.getUpdate().getStatus().getState() == state;
}

bool is_subscribe(Call::Reader c) {
  return c.getType() == Call::Type::SUBSCRIBE;
}

std::string uuid_of(schema::TaskStatus::Reader s) {
  return std::string(reinterpret_cast<const char*>(s.getUuid().begin()), s.getUuid().size());
}

enum class agent_mode {
  acknowledge_none,  // keeps nothing: every update stays unacknowledged
  acknowledge_all,   // acknowledges updates, those in a SUBSCRIBE too
  shutdown,          // did not recover this executor: SHUTDOWN to every call
};

using kill_task_atom = caf::atom_constant<caf::atom("killtask")>;
using fake_agent_actor = executor_call_sink::extend<caf::reacts_to<kill_task_atom>>;

struct fake_agent_config {
  std::shared_ptr<recorder> calls;
  agent_mode mode = agent_mode::acknowledge_all;
  std::string launch_command;  // empty: launches nothing
};

struct fake_agent_state {
  static inline const char* name = "fake-agent";
  fake_agent_config config;
  executor_sink executor;
  bool launched = false;
};

void send_event(const executor_sink& to, const std::function<void(Event::Builder)>& fill) {
  caf::anon_send(to, make_wire<Event>([&](Event::Builder e) { fill(e); }));
}

void acknowledge(const executor_sink& to, schema::TaskStatus::Reader status) {
  send_event(to, [&](Event::Builder e) {
    e.setType(Event::Type::ACKNOWLEDGED);
    e.initAcknowledged().setTaskId(status.getTaskId());
    e.getAcknowledged().setUuid(status.getUuid());
  });
}

void on_subscribe(fake_agent_state& st, Call::Reader call) {
  send_event(st.executor, [](Event::Builder e) {
    e.setType(Event::Type::SUBSCRIBED);
    e.initSubscribed().initFrameworkInfo().setName("recovery-test");
  });
  if (st.config.mode == agent_mode::acknowledge_all)
    for (auto u : call.getSubscribe().getUnacknowledgedUpdates())
      acknowledge(st.executor, u.getStatus());
  if (st.config.launch_command.empty() || st.launched)
    return;
  st.launched = true;
  send_event(st.executor, [&](Event::Builder e) {
    e.setType(Event::Type::LAUNCH);
    auto task = e.initLaunch().initTask();
    task.setName("sleeper");
    task.initTaskId().setValue("sleeper");
    task.initCommand().setValue(st.config.launch_command);
  });
}

fake_agent_actor::behavior_type fake_agent(
  fake_agent_actor::stateful_pointer<fake_agent_state> self, fake_agent_config config) {
  self->state.config = std::move(config);
  return {
    [=](const executor_call& msg) {
      auto& st = self->state;
      st.config.calls->add(msg);
      st.executor = caf::actor_cast<executor_sink>(self->current_sender());
      auto call = *msg;
      if (st.config.mode == agent_mode::shutdown)
        return send_event(st.executor, [](Event::Builder e) { e.setType(Event::Type::SHUTDOWN); });
      if (call.getType() == Call::Type::SUBSCRIBE)
        return on_subscribe(st, call);
      if (call.getType() == Call::Type::UPDATE && st.config.mode == agent_mode::acknowledge_all)
        acknowledge(st.executor, call.getUpdate().getStatus());
    },
    [=](kill_task_atom) {
      send_event(self->state.executor, [](Event::Builder e) {
        e.setType(Event::Type::KILL);
        e.initKill().initTaskId().setValue("sleeper");
      });
    },
  };
}

// One fake agent "process": its own actor system, its actor published on
// loopback behind a gate as the real agent's is. Destroying it is the agent
// going away: the gate cuts the executor off, the actors end.
struct agent_node {
  system_config cfg;
  caf::actor_system sys{cfg};
  fake_agent_actor agent;
  std::unique_ptr<published_actor> published;

  agent_node(uint16_t port, fake_agent_config config) {
    agent = sys.spawn(fake_agent, std::move(config));
    auto p = publish_actor(sys, agent, "127.0.0.1", port);
    REQUIRE_MESSAGE(p, "cannot publish a fake agent on port " << port);
    published = std::move(*p);
  }

  ~agent_node() {
    published.reset();
    caf::anon_send_exit(agent, caf::exit_reason::kill);
  }

  uint16_t port() const {
    return published->port();
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool alive(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

bool gone_within(pid_t pid, std::chrono::milliseconds bound) {
  for (auto waited = 0ms; waited < bound; waited += 50ms) {
    if (!alive(pid) && errno == ESRCH)
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// The executor's side: its own actor system, as `cairn-executor` has.
struct executor_node {
  system_config cfg;
  caf::actor_system sys{cfg};
  std::string sandbox;
  executor_actor executor;
  pid_t task_pid = 0;

  executor_node(uint16_t agent_port, bool checkpoint, duration recovery_timeout,
                std::optional<docker_task_options> docker = std::nullopt) {
    char tmpl[] = "/tmp/cairn-exrec-test-XXXXXX";
    sandbox = mkdtemp(tmpl);
    executor_options options;
    options.framework_id = "framework";
    options.executor_id = "sleeper";
    options.sandbox = sandbox;
    options.subscribe_retry = 200ms;
    options.checkpoint = checkpoint;
    options.recovery_timeout = recovery_timeout;
    options.reconnect.host = "127.0.0.1";
    options.reconnect.port = agent_port;
    options.reconnect.backoff_max = 100ms;
    // A container's kill is its SIGKILL alone (no grace period).
    if (docker)
      options.default_grace_period = duration{0};
    options.docker = std::move(docker);
    auto agent = sys.middleman().remote_actor<executor_call_sink>("127.0.0.1", agent_port);
    REQUIRE(agent);
    executor = spawn_command_executor(sys, options, *agent);
  }

  ~executor_node() {
    if (task_pid > 0 && alive(task_pid))
      ::kill(-task_pid, SIGKILL);
    caf::anon_send_exit(executor, caf::exit_reason::kill);
    std::error_code ignored;
    std::filesystem::remove_all(sandbox, ignored);
  }

  // The task's pid, once its shell wrote it.
  pid_t wait_for_task_pid() {
    for (int i = 0; i < 400 && task_pid == 0; ++i) {
      auto text = read_file(sandbox + "/pid");
      if (!text.empty() && text.back() == '\n')
        task_pid = std::stoi(text);
      else
        std::this_thread::sleep_for(50ms);
    }
    return task_pid;
  }

  // Whether the executor actor ended within `bound`.
  bool ended_within(std::chrono::milliseconds bound) {
    caf::scoped_actor self{sys};
    self->monitor(executor);
    bool ended = false;
    self->receive([&](caf::down_msg&) { ended = true; }, caf::after(bound) >> [] {});
    return ended;
  }
};

const std::string sleeper = "echo $$ > pid; exec sleep 600";

fake_agent_config config_of(std::shared_ptr<recorder> calls, agent_mode mode,
                            std::string launch = {}) {
  return fake_agent_config{std::move(calls), mode, std::move(launch)};
}

} // namespace

TEST_CASE("checkpointed: the task outlives its agent; the executor re-subscribes with what is "
          "unacknowledged and carries on") {
  setup_logging("WARNING");
  auto first_calls = std::make_shared<recorder>();
  auto first = std::make_unique<agent_node>(
    0, config_of(first_calls, agent_mode::acknowledge_none, sleeper));
  uint16_t port = first->port();
  executor_node ex{port, true, 10min};
  auto running = first_calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_RUNNING); });
  REQUIRE(running);
  auto starting = first_calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_STARTING); });
  REQUIRE(starting);
  pid_t pid = ex.wait_for_task_pid();
  REQUIRE(pid > 0);

  first.reset();  // the agent goes away
  // Give the executor time to notice and to fail reaching nobody a few times.
  std::this_thread::sleep_for(500ms);
  CHECK(alive(pid));

  auto second_calls = std::make_shared<recorder>();
  agent_node second{port, config_of(second_calls, agent_mode::acknowledge_all)};
  auto subscribe = second_calls->wait_for([](auto c) { return is_subscribe(c); });
  REQUIRE(subscribe);
  // The task was not killed while the agent was away.
  CHECK(alive(pid));
  auto s = subscribe->getSubscribe();
  // No update of the task was acknowledged, so the agent may not know it.
  REQUIRE(s.getUnacknowledgedTasks().size() == 1);
  CHECK(std::string(s.getUnacknowledgedTasks()[0].getTaskId().getValue()) == "sleeper");
  CHECK(std::string(s.getUnacknowledgedTasks()[0].getCommand().getValue()) == sleeper);
  // Both updates, in the order made, each as the first agent got it.
  REQUIRE(s.getUnacknowledgedUpdates().size() == 2);
  auto u0 = s.getUnacknowledgedUpdates()[0].getStatus();
  auto u1 = s.getUnacknowledgedUpdates()[1].getStatus();
  CHECK(u0.getState() == TaskState::TASK_STARTING);
  CHECK(u1.getState() == TaskState::TASK_RUNNING);
  CHECK(uuid_of(u0) == uuid_of(starting->getUpdate().getStatus()));
  CHECK(uuid_of(u1) == uuid_of(running->getUpdate().getStatus()));
  CHECK(std::string(s.getUnacknowledgedUpdates()[1].getStatus().getTaskId().getValue())
        == "sleeper");
  CHECK(std::string(subscribe->getExecutorId().getValue()) == "sleeper");
  CHECK(std::string(subscribe->getFrameworkId().getValue()) == "framework");

  // The executor carries on with the new agent: a kill ends the task and,
  // once its end is acknowledged, the executor.
  caf::anon_send(second.agent, kill_task_atom::value);
  auto killed = second_calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_KILLED); });
  REQUIRE(killed);
  CHECK(ex.ended_within(20s));
  CHECK(gone_within(pid, 10s));
  // The acknowledged updates were not sent again.
  for (auto& c : second_calls->snapshot())
    CHECK((c->getType() != Call::Type::UPDATE
           || c->getUpdate().getStatus().getState() == TaskState::TASK_KILLED));
}

TEST_CASE("checkpointed: a task that ends while the agent is away is reported to the next one") {
  setup_logging("WARNING");
  auto first_calls = std::make_shared<recorder>();
  auto first = std::make_unique<agent_node>(
    0, config_of(first_calls, agent_mode::acknowledge_all, sleeper));
  uint16_t port = first->port();
  executor_node ex{port, true, 10min};
  REQUIRE(first_calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_RUNNING); }));
  pid_t pid = ex.wait_for_task_pid();
  REQUIRE(pid > 0);

  first.reset();
  ::kill(pid, SIGKILL);  // the task dies while nobody listens
  REQUIRE(gone_within(pid, 10s));
  std::this_thread::sleep_for(300ms);

  auto second_calls = std::make_shared<recorder>();
  agent_node second{port, config_of(second_calls, agent_mode::acknowledge_all)};
  auto subscribe = second_calls->wait_for([](auto c) { return is_subscribe(c); });
  REQUIRE(subscribe);
  auto s = subscribe->getSubscribe();
  // The first agent acknowledged the task's updates, though its last
  // acknowledgements may have been lost with it. The end of the task comes
  // last, in the SUBSCRIBE or right after it.
  auto updates = s.getUnacknowledgedUpdates();
  bool starting_held = false;
  for (unsigned i = 0; i < updates.size(); ++i) {
    auto state = updates[i].getStatus().getState();
    starting_held = starting_held || state == TaskState::TASK_STARTING;
    if (i + 1 < updates.size())
      CHECK((state == TaskState::TASK_STARTING || state == TaskState::TASK_RUNNING));
  }
  bool in_subscribe = updates.size() > 0
                      && updates[updates.size() - 1].getStatus().getState() == TaskState::TASK_FAILED;
  if (!in_subscribe)
    CHECK(second_calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_FAILED); }));
  // The task is held only while no update of it is acknowledged.
  CHECK(s.getUnacknowledgedTasks().size() <= 1);
  if (s.getUnacknowledgedTasks().size() == 1)
    CHECK(starting_held);
  // Once the agent acknowledges it, the executor is done.
  CHECK(ex.ended_within(20s));
}

TEST_CASE("checkpointed: past the recovery timeout without an agent the task is killed and the "
          "executor exits") {
  setup_logging("WARNING");
  auto calls = std::make_shared<recorder>();
  auto agent = std::make_unique<agent_node>(0, config_of(calls, agent_mode::acknowledge_all, sleeper));
  executor_node ex{agent->port(), true, 1s};
  REQUIRE(calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_RUNNING); }));
  pid_t pid = ex.wait_for_task_pid();
  REQUIRE(pid > 0);

  agent.reset();
  CHECK(ex.ended_within(30s));
  CHECK(gone_within(pid, 10s));
}

TEST_CASE("checkpointed: an agent that did not recover the executor shuts it down") {
  setup_logging("WARNING");
  auto first_calls = std::make_shared<recorder>();
  auto first = std::make_unique<agent_node>(
    0, config_of(first_calls, agent_mode::acknowledge_all, sleeper));
  uint16_t port = first->port();
  executor_node ex{port, true, 10min};
  REQUIRE(first_calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_RUNNING); }));
  pid_t pid = ex.wait_for_task_pid();
  REQUIRE(pid > 0);

  first.reset();
  auto second_calls = std::make_shared<recorder>();
  agent_node second{port, config_of(second_calls, agent_mode::shutdown)};
  REQUIRE(second_calls->wait_for([](auto c) { return is_subscribe(c); }));
  CHECK(gone_within(pid, 20s));
  CHECK(ex.ended_within(20s));
}

TEST_CASE("without checkpointing the task dies with its agent") {
  setup_logging("WARNING");
  auto calls = std::make_shared<recorder>();
  auto agent = std::make_unique<agent_node>(0, config_of(calls, agent_mode::acknowledge_all, sleeper));
  executor_node ex{agent->port(), false, 10min};
  REQUIRE(calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_RUNNING); }));
  pid_t pid = ex.wait_for_task_pid();
  REQUIRE(pid > 0);

  agent.reset();
  CHECK(ex.ended_within(20s));
  CHECK(gone_within(pid, 10s));
}

TEST_CASE("a DOCKER task's kill the engine did not carry out is sent again until it is") {
  setup_logging("ERROR");
  // The engine fails the first kill (as one wedged or too busy to answer in
  // time does); the container stops on the second.
  std::mutex m;
  std::condition_variable stopped_cv;
  bool stopped = false;
  int kills = 0;
  cairn::test::fake_docker_engine engine(
    [&](const cairn::test::fake_request& r) -> cairn::test::fake_reply {
      if (r.target.find("/logs?") != std::string::npos)
        return {200, "", "application/vnd.docker.raw-stream"};
      if (r.target.find("/wait") != std::string::npos) {
        std::unique_lock<std::mutex> lock(m);
        stopped_cv.wait_for(lock, 20s, [&] { return stopped; });
        return {200, R"({"StatusCode":137})"};
      }
      if (r.target.find("/kill?signal=SIGKILL") != std::string::npos) {
        std::lock_guard<std::mutex> lock(m);
        if (++kills == 1)
          return {500, R"({"message":"Cannot kill container: context deadline exceeded"})"};
        stopped = true;
        stopped_cv.notify_all();
        return {204, ""};
      }
      return {404, R"({"message":"unexpected"})"};
    },
    true);
  auto calls = std::make_shared<recorder>();
  agent_node agent{0, config_of(calls, agent_mode::acknowledge_all, "sleep 600")};
  docker_task_options docker;
  docker.socket = engine.socket_path();
  docker.container = "mesos-c1";
  executor_node ex{agent.port(), false, 1min, docker};
  REQUIRE(calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_RUNNING); }));
  caf::anon_send(agent.agent, kill_task_atom::value);
  auto killed = calls->wait_for([](auto c) { return is_update(c, TaskState::TASK_KILLED); });
  REQUIRE(killed);
  std::lock_guard<std::mutex> lock(m);
  CHECK(kills == 2);
}
