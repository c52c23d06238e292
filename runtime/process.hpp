// Child processes without fork in a threaded program: posix_spawn into a new
// session (so a kill reaches the whole process group), non-blocking reaping,
// and the words Mesos uses for how a process ended.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cairn {

struct spawn_options {
  std::vector<std::string> argv;  // argv[0] is the program; looked up in PATH without a '/'
  std::vector<std::string> env;   // the complete environment, "NAME=value"
  std::string cwd;                // empty: inherit
  std::string stdout_path;        // appended to; empty: inherit
  std::string stderr_path;
  // new_session: setsid(), the child leads a session and a process group of
  // its own (a container); new_group: a process group of its own inside the
  // parent's session (a task, killed as a group, still inside its container).
  enum class isolation { new_session, new_group } isolation = isolation::new_session;
};

caf::expected<pid_t> spawn_process(const spawn_options& options);

// argv or envp for exec: pointers into `xs`, null-terminated.
std::vector<char*> c_strings(const std::vector<std::string>& xs);

// The wait status of `pid` if it has exited (and reaps it); never blocks.
std::optional<int> try_reap(pid_t pid);

// Blocks until `pid` exits. Only for a dedicated thread or detached actor.
int wait_for_exit(pid_t pid);

// The wait status of `pid` if it exits within `limit` (and reaps it), else
// nothing. Blocks up to `limit`: only for a dedicated thread or detached actor.
std::optional<int> wait_for_exit_within(pid_t pid, std::chrono::milliseconds limit);

// Sends `sig` to every process in the group led by `pgid`.
void signal_group(pid_t pgid, int sig);

// Sends `sig` to every process of the session led by `sid` (a container:
// its executor, its tasks and whatever they started), found through /proc.
void signal_session(pid_t sid, int sig);

// "exited with status 3", "terminated with signal Killed", as Mesos words it.
std::string describe_wait_status(int status);
bool exited_cleanly(int status);

// This process's environment as "NAME=value" strings.
std::vector<std::string> current_environment();

// The path of the running executable (/proc/self/exe resolved).
std::string current_executable();

// The directory the running executable is in, where the programs installed
// beside it are.
std::string current_executable_dir();

} // namespace cairn
