// Real executors: a master and an agent in this process launch `cairn-executor`
// child processes that run real commands; argv and environment, exit statuses,
// kills with a grace period, an executor that never registers, one that dies,
// and one that does not end when shut down.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <caf/io/middleman.hpp>
#include <caf/send.hpp>

#include "actors/agent/agent.hpp"
#include "actors/agent/mesos_containerizer.hpp"
#include "actors/master/master.hpp"
#include "actors/resources/parse.hpp"
#include "actors/task_state.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"
#include "tests/support/test_framework.hpp"

using namespace cairn;
using namespace std::chrono_literals;
using schema::TaskState;
using Reason = schema::TaskStatus::Reason;
namespace fs = std::filesystem;

namespace {

std::string built_executor() {
  const char* path = std::getenv("CAIRN_EXECUTOR");
  REQUIRE_MESSAGE(path != nullptr, "CAIRN_EXECUTOR must name the built cairn-executor");
  return path;
}

struct real_cluster {
  system_config cfg;
  caf::actor_system sys{cfg};
  std::string work_dir;
  master_actor master;
  agent_actor agent;

  explicit real_cluster(std::string executor_binary, duration registration_timeout = 1min,
                        duration shutdown_grace_period = 5s) {
    setup_logging("WARNING");
    char tmpl[] = "/tmp/cairn-executor-test-XXXXXX";
    work_dir = mkdtemp(tmpl);
    master_options m;
    m.allocation_interval = 50ms;
    master = spawn_master(sys, m);
    agent_options a;
    a.work_dir = work_dir;
    a.total = parse_resources("cpus:4;mem:1024;disk:100").value();
    a.executor_registration_timeout = registration_timeout;
    a.executor_shutdown_grace_period = shutdown_grace_period;
    a.executor_command = {executor_binary};
    a.make_containerizer = [](caf::actor_system& sys, caf::strong_actor_ptr) {
      return spawn_mesos_containerizer(sys, {}, make_plugins({}).value());
    };
    agent = spawn_agent(sys, a, caf::actor_cast<agent_call_sink>(master));
    auto port = sys.middleman().publish(agent, 0, "127.0.0.1");
    REQUIRE(port);
    caf::anon_send(agent, endpoint_atom::value, "127.0.0.1:" + std::to_string(*port));
  }

  ~real_cluster() {
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(master, caf::exit_reason::user_shutdown);
  }

  // The sandbox directory of `task` (the command executor's id is the task's).
  std::string sandbox(const std::string& task) {
    for (auto& e : fs::recursive_directory_iterator(work_dir))
      if (e.is_directory() && e.path().parent_path().filename() == "runs"
          && e.path().parent_path().parent_path().filename() == task)
        return e.path();
    return {};
  }

  scheduler_call_sink scheduler_endpoint() {
    return caf::actor_cast<scheduler_call_sink>(master);
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

task_spec shell_task(const std::string& id, const std::string& command) {
  task_spec t;
  t.id = id;
  t.shell_command = command;
  t.res = parse_resources("cpus:0.5;mem:64").value();
  return t;
}

// Launches one task on the first offer and returns the framework.
std::unique_ptr<testing::test_framework> launch_one(real_cluster& c, const task_spec& task) {
  auto fw = std::make_unique<testing::test_framework>(c.sys, c.scheduler_endpoint());
  REQUIRE(fw->subscribed());
  auto offers = fw->offers();
  REQUIRE(!offers.empty());
  fw->launch(offers.front(), task);
  return fw;
}

// The contents of `path` once it is written (waits a bounded time).
std::string wait_for_file(const std::string& path) {
  for (int i = 0; i < 200; ++i) {
    auto text = read_file(path);
    if (!text.empty())
      return text;
    usleep(50 * 1000);
  }
  return {};
}

bool process_gone(pid_t pid, duration bound) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::kill(pid, 0) != 0 && errno == ESRCH)
      return true;
    usleep(50 * 1000);
  }
  return false;
}

pid_t parent_of(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  std::istringstream rest(stat.substr(close + 2));
  char state;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

// A task that writes its pid and sleeps, running: its framework, its pid and
// its executor's.
struct sleeping_task {
  std::unique_ptr<testing::test_framework> fw;
  pid_t pid = 0;
  pid_t executor = 0;
};

sleeping_task launch_sleeper(real_cluster& c, const std::string& id) {
  sleeping_task t;
  t.fw = launch_one(c, shell_task(id, "echo $$ > pid; sleep 60"));
  REQUIRE(t.fw->wait_for(id, TaskState::TASK_RUNNING));
  std::istringstream(wait_for_file(c.sandbox(id) + "/pid")) >> t.pid;
  REQUIRE(t.pid > 0);
  t.executor = parent_of(t.pid);
  REQUIRE(t.executor > 1);
  return t;
}

} // namespace

TEST_CASE("an argv command gets its environment and writes its sandbox") {
  real_cluster c{built_executor()};
  task_spec t;
  t.id = "argv";
  t.argv = {"/bin/sh", "-c", "echo \"$GREETING\" > greeting; echo out; echo err >&2"};
  t.env = {{"GREETING", "hello from env"}};
  t.res = parse_resources("cpus:0.5;mem:64").value();
  auto fw = launch_one(c, t);
  CHECK(fw->wait_for("argv", TaskState::TASK_STARTING));
  CHECK(fw->wait_for("argv", TaskState::TASK_RUNNING));
  REQUIRE(fw->wait_for("argv", TaskState::TASK_FINISHED));
  auto sandbox = c.sandbox("argv");
  REQUIRE(!sandbox.empty());
  CHECK(read_file(sandbox + "/greeting") == "hello from env\n");
  CHECK(read_file(sandbox + "/stdout").find("out") != std::string::npos);
  CHECK(read_file(sandbox + "/stderr").find("err") != std::string::npos);
}

TEST_CASE("a failing command's message names its exit status or signal") {
  real_cluster c{built_executor()};
  auto fw = launch_one(c, shell_task("three", "exit 3"));
  auto failed = fw->wait_for("three", TaskState::TASK_FAILED);
  REQUIRE(failed);
  CHECK(std::string((*failed)->getMessage()).find("exited with status 3") != std::string::npos);
  auto offers = fw->offers();
  REQUIRE(!offers.empty());
  fw->launch(offers.front(), shell_task("nine", "kill -9 $$"));
  auto killed = fw->wait_for("nine", TaskState::TASK_FAILED);
  REQUIRE(killed);
  CHECK(std::string((*killed)->getMessage()).find("signal Killed") != std::string::npos);
}

TEST_CASE("a kill sends SIGTERM, then SIGKILL once the grace period is over") {
  real_cluster c{built_executor()};
  auto stubborn = shell_task("stubborn", "trap '' TERM; echo $$ > pid; while true; do sleep 1; done");
  stubborn.grace_period_seconds = 1;
  auto fw = launch_one(c, stubborn);
  auto running = fw->wait_for("stubborn", TaskState::TASK_RUNNING);
  REQUIRE(running);
  // Kill only once the shell has set its trap (it writes the pid file after).
  REQUIRE(!wait_for_file(c.sandbox("stubborn") + "/pid").empty());
  fw->send(calls::kill(fw->id(), "stubborn", (*running)->getAgentId().getValue()));
  CHECK(fw->wait_for("stubborn", TaskState::TASK_KILLING));
  auto killed = fw->wait_for("stubborn", TaskState::TASK_KILLED);
  REQUIRE(killed);
  // It ignored SIGTERM, so only SIGKILL could end it.
  CHECK(std::string((*killed)->getMessage()).find("signal Killed") != std::string::npos);

  auto offers = fw->offers();
  REQUIRE(!offers.empty());
  fw->launch(offers.front(), shell_task("polite", "sleep 60"));
  auto polite = fw->wait_for("polite", TaskState::TASK_RUNNING);
  REQUIRE(polite);
  fw->send(calls::kill(fw->id(), "polite", (*polite)->getAgentId().getValue()));
  auto ended = fw->wait_for("polite", TaskState::TASK_KILLED);
  REQUIRE(ended);
  CHECK(std::string((*ended)->getMessage()).find("signal Terminated") != std::string::npos);
}

TEST_CASE("an executor that never registers fails its task with the reason") {
  char tmpl[] = "/tmp/cairn-silent-executor-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  std::string script = "#!/bin/sh\nexec sleep 30\n";
  REQUIRE(write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size()));
  close(fd);
  chmod(tmpl, 0755);
  real_cluster c{tmpl, 1s};
  auto fw = launch_one(c, shell_task("orphan", "true"));
  auto failed = fw->wait_for("orphan", TaskState::TASK_FAILED);
  REQUIRE(failed);
  CHECK((*failed)->getReason() == Reason::EXECUTOR_REGISTRATION_TIMEOUT);
  CHECK((*failed)->getSource() == schema::TaskStatus::Source::SOURCE_AGENT);
  unlink(tmpl);
}

TEST_CASE("when an executor dies its task fails and the task's processes go too") {
  real_cluster c{built_executor()};
  auto t = launch_sleeper(c, "doomed");
  ::kill(t.executor, SIGKILL);
  auto failed = t.fw->wait_for("doomed", TaskState::TASK_FAILED);
  REQUIRE(failed);
  CHECK((*failed)->getReason() == Reason::EXECUTOR_TERMINATED);
  CHECK(process_gone(t.pid, 10s));
}

TEST_CASE("an executor that does not end when shut down has its container destroyed") {
  real_cluster c{built_executor(), 1min, 1s};
  auto t = launch_sleeper(c, "stuck");
  // Stopped, it cannot act on its shutdown; its connection stays open.
  ::kill(t.executor, SIGSTOP);
  t.fw->send(calls::teardown(t.fw->id()));
  CHECK(process_gone(t.pid, 20s));
  CHECK(process_gone(t.executor, 20s));
}
