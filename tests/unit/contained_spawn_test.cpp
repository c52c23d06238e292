// A container's first process: output into its files, its user, its own
// pid namespace and /proc, and every failure before exec reported.
#include <doctest/doctest.h>

#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/contained_spawn.hpp"
#include "runtime/process.hpp"

using namespace cairn;

namespace {

struct scratch {
  std::string dir;
  scratch() {
    char templ[] = "/tmp/cairn-spawn-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    dir = templ;
    chmod(dir.c_str(), 0777);
  }
  ~scratch() {
    std::filesystem::remove_all(dir);
  }
  std::string read(const std::string& name) const {
    std::ifstream in(dir + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

launch_plan shell(const scratch& s, const std::string& line) {
  launch_plan plan;
  plan.argv = {"sh", "-c", line};
  plan.env = {"PATH=/usr/bin:/bin"};
  plan.cwd = s.dir;
  plan.stdout_path = s.dir + "/stdout";
  plan.stderr_path = s.dir + "/stderr";
  return plan;
}

int run(const launch_plan& plan) {
  auto pid = spawn_contained(plan);
  REQUIRE(pid);
  return wait_for_exit(*pid);
}

} // namespace

TEST_CASE("the process runs in its directory with its output in files") {
  scratch s;
  int status = run(shell(s, "pwd; echo oops >&2; exit 3"));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK(s.read("stdout") == s.dir + "\n");
  CHECK(s.read("stderr") == "oops\n");
}

TEST_CASE("it leads a session of its own and keeps none of the caller's descriptors") {
  scratch s;
  int status = run(shell(s, "ps -o sid= -p $$ | tr -d ' '; echo $$; ls /proc/self/fd | wc -l"));
  CHECK(WEXITSTATUS(status) == 0);
  std::istringstream out(s.read("stdout"));
  std::string sid, pid, fds;
  out >> sid >> pid >> fds;
  CHECK(sid == pid);
  // 0, 1, 2 and the one ls opens to list them.
  CHECK(fds == "4");
}

TEST_CASE("it starts with no signal blocked or ignored, whatever the caller blocks and ignores; "
          "the caller's mask is kept") {
  scratch s;
  sigset_t blocked, was;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR1);
  sigaddset(&blocked, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &blocked, &was);
  auto old_handler = signal(SIGUSR2, SIG_IGN);
  int status = run(shell(s, "grep -E '^Sig(Blk|Ign)' /proc/self/status"));
  signal(SIGUSR2, old_handler);
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, &was, &after);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(s.read("stdout") == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  CHECK(sigismember(&after, SIGUSR1) == 1);
  CHECK(sigismember(&after, SIGTERM) == 1);
  CHECK(sigismember(&after, SIGINT) == 0);
}

TEST_CASE("a program that cannot be executed is an error naming it, and no process is left") {
  scratch s;
  launch_plan plan = shell(s, "true");
  plan.argv = {"/nonexistent/program"};
  auto pid = spawn_contained(plan);
  REQUIRE_FALSE(pid);
  CHECK(to_string(pid.error()).find("cannot execute '/nonexistent/program'") != std::string::npos);
  plan.argv = {"no-such-program-anywhere"};
  pid = spawn_contained(plan);
  REQUIRE_FALSE(pid);
  CHECK(to_string(pid.error()).find("No such file") != std::string::npos);
}

TEST_CASE("a cgroup it cannot join is an error naming the cgroup") {
  scratch s;
  launch_plan plan = shell(s, "true");
  plan.cgroups = {s.dir + "/missing/cgroup.procs"};
  auto pid = spawn_contained(plan);
  REQUIRE_FALSE(pid);
  CHECK(to_string(pid.error()).find("cannot join cgroup " + s.dir + "/missing/cgroup.procs") !=
        std::string::npos);
}

TEST_CASE("a directory it cannot enter is an error") {
  scratch s;
  launch_plan plan = shell(s, "true");
  plan.cwd = s.dir + "/missing";
  auto pid = spawn_contained(plan);
  REQUIRE_FALSE(pid);
  CHECK(to_string(pid.error()).find("cannot change to its directory") != std::string::npos);
}

TEST_CASE("as root, it runs as the user it is given") {
  if (geteuid() != 0)
    FAIL("runs as root (the test suite does)");
  scratch s;
  launch_plan plan = shell(s, "id -u; id -g; id -G");
  plan.uid = 65534;
  plan.gid = 65534;
  plan.groups = {65534};
  CHECK(WEXITSTATUS(run(plan)) == 0);
  CHECK(s.read("stdout") == "65534\n65534\n65534\n");
}

TEST_CASE("in its own pid namespace it is pid 1 and its /proc shows only its own") {
  if (geteuid() != 0)
    FAIL("runs as root (the test suite does)");
  scratch s;
  launch_plan plan = shell(s, "echo $$; sleep 0.2 & ls /proc | grep -c '^[0-9]'");
  plan.namespaces = CLONE_NEWPID | CLONE_NEWNS;
  plan.private_proc = true;
  CHECK(WEXITSTATUS(run(plan)) == 0);
  std::istringstream out(s.read("stdout"));
  std::string pid, count;
  out >> pid >> count;
  CHECK(pid == "1");
  // sh, sleep and ls (grep's is the last of the pipeline, or the same count).
  CHECK(std::stoi(count) <= 4);
  // The agent's own /proc is untouched.
  CHECK(std::filesystem::exists("/proc/1"));
}

TEST_CASE("a private /proc without its namespaces is refused") {
  scratch s;
  launch_plan plan = shell(s, "true");
  plan.private_proc = true;
  CHECK_FALSE(spawn_contained(plan));
}
