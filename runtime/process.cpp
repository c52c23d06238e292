#include "runtime/process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "runtime/errors.hpp"

extern char** environ;

namespace cairn {

namespace {

// RAII for the posix_spawn attribute and file-action objects.
struct spawn_setup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  spawn_setup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

} // namespace

std::vector<char*> c_strings(const std::vector<std::string>& xs) {
  std::vector<char*> out;
  out.reserve(xs.size() + 1);
  for (const auto& x : xs)
    out.push_back(const_cast<char*>(x.c_str()));
  out.push_back(nullptr);
  return out;
}

caf::expected<pid_t> spawn_process(const spawn_options& options) {
  if (options.argv.empty())
    return make_error("spawn: no program given");
  spawn_setup s;
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.isolation == spawn_options::isolation::new_session) {
    flags |= POSIX_SPAWN_SETSID;
  } else {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&s.attr, 0);
  }
  posix_spawnattr_setflags(&s.attr, flags);
  // The parent may block signals (a main thread waiting in sigwait); the
  // child starts with none blocked and every handler at its default.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  if (!options.stdout_path.empty())
    posix_spawn_file_actions_addopen(&s.actions, STDOUT_FILENO, options.stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (!options.stderr_path.empty())
    posix_spawn_file_actions_addopen(&s.actions, STDERR_FILENO, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  // Sockets and files of the parent (listening ports included) stay behind.
  posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
  if (!options.cwd.empty())
    posix_spawn_file_actions_addchdir_np(&s.actions, options.cwd.c_str());
  auto argv = c_strings(options.argv);
  auto env = c_strings(options.env);
  pid_t pid = 0;
  bool search = options.argv[0].find('/') == std::string::npos;
  int rc = search ? posix_spawnp(&pid, argv[0], &s.actions, &s.attr, argv.data(), env.data())
                  : posix_spawn(&pid, argv[0], &s.actions, &s.attr, argv.data(), env.data());
  if (rc != 0)
    return make_error(fmt::format("cannot start '{}': {}", options.argv[0], strerror(rc)));
  return pid;
}

std::optional<int> try_reap(pid_t pid) {
  int status = 0;
  pid_t rc = waitpid(pid, &status, WNOHANG);
  if (rc == pid)
    return status;
  if (rc < 0 && errno == ECHILD)
    return W_EXITCODE(255, 0); // not our child, or reaped elsewhere: report a failure
  return std::nullopt;
}

int wait_for_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return W_EXITCODE(255, 0);
  }
  return status;
}

std::optional<int> wait_for_exit_within(pid_t pid, std::chrono::milliseconds limit) {
  if (auto done = try_reap(pid))
    return done;
  // A pidfd becomes readable when the process exits: no signal handler and
  // no polling loop. Without one (an old kernel) the wait is a plain pause.
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  struct pollfd p {};
  p.fd = fd;
  p.events = POLLIN;
  int ms = static_cast<int>(std::min<int64_t>(limit.count(), INT_MAX));
  while (::poll(fd >= 0 ? &p : nullptr, fd >= 0 ? 1 : 0, ms) < 0 && errno == EINTR) {
  }
  if (fd >= 0)
    ::close(fd);
  return try_reap(pid);
}

void signal_group(pid_t pgid, int sig) {
  if (pgid > 1)
    ::kill(-pgid, sig);
}

void signal_session(pid_t sid, int sig) {
  if (sid <= 1)
    return;
  DIR* proc = opendir("/proc");
  if (proc == nullptr)
    return;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 1)
      continue;
    if (getsid(static_cast<pid_t>(pid)) == sid)
      ::kill(static_cast<pid_t>(pid), sig);
  }
  closedir(proc);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("terminated with signal {}", strsignal(WTERMSIG(status)));
  return fmt::format("ended with wait status {}", status);
}

bool exited_cleanly(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e)
    out.emplace_back(*e);
  return out;
}

std::string current_executable() {
  char buf[PATH_MAX];
  auto n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return {};
  return std::string(buf, static_cast<size_t>(n));
}

std::string current_executable_dir() {
  auto path = current_executable();
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

} // namespace cairn
