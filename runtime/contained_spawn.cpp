#include "runtime/contained_spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "runtime/errors.hpp"
#include "runtime/process.hpp"

namespace cairn {

namespace {

// The steps a child may fail at, reported with errno through the pipe.
enum class step : int {
  none,
  join_cgroup,
  mount_private,
  mount_proc,
  mount_rootfs,
  mount_bind,
  mount_dev,
  pivot_root,
  session,
  open_stdout,
  open_stderr,
  groups,
  gid,
  uid,
  chdir,
  exec,
};

const char* step_name(step s) {
  switch (s) {
    case step::join_cgroup: return "cannot join cgroup";
    case step::mount_private: return "cannot make its mounts private";
    case step::mount_proc: return "cannot mount its /proc";
    case step::mount_rootfs: return "cannot mount its root file system";
    case step::mount_bind: return "cannot bind-mount into its root file system";
    case step::mount_dev: return "cannot make its /dev";
    case step::pivot_root: return "cannot change into its root file system";
    case step::session: return "cannot start a session";
    case step::open_stdout: return "cannot open stdout";
    case step::open_stderr: return "cannot open stderr";
    case step::groups: return "cannot set supplementary groups";
    case step::gid: return "cannot set group";
    case step::uid: return "cannot set user";
    case step::chdir: return "cannot change to its directory";
    case step::exec: return "cannot execute";
    case step::none: break;
  }
  return "cannot start";
}

struct failure {
  step at = step::none;
  int error = 0;
  int index = 0;  // which cgroup
};

// Every path the child mounts at, made before the fork.
struct root_paths {
  std::string rootfs, proc, dev, shm;
  std::vector<std::string> bind_targets;
  std::vector<std::string> devices;  // host /dev/x
  std::vector<std::string> device_targets;
};

constexpr const char* root_devices[] = {"null", "zero", "full", "random", "urandom", "tty"};

root_paths paths_of(const launch_plan& plan) {
  root_paths p;
  if (plan.rootfs.empty())
    return p;
  p.rootfs = plan.rootfs;
  p.proc = plan.rootfs + "/proc";
  p.dev = plan.rootfs + "/dev";
  p.shm = plan.rootfs + "/dev/shm";
  for (const auto& b : plan.binds)
    p.bind_targets.push_back(plan.rootfs + b.target);
  for (auto d : root_devices) {
    p.devices.push_back(std::string("/dev/") + d);
    p.device_targets.push_back(plan.rootfs + "/dev/" + d);
  }
  return p;
}

// Only system calls from here on: the child shares the memory of a threaded
// program (no allocation, no locks) until it execs.
[[noreturn]] void fail(int pipe_fd, step at, int index = 0) {
  failure f{at, errno, index};
  [[maybe_unused]] auto n = write(pipe_fd, &f, sizeof f);
  _exit(127);
}

bool reopen(const char* path, int target) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  if (dup2(fd, target) < 0)
    return false;
  close(fd);
  return true;
}

// PATH lookup without allocating: execve each candidate in turn.
void exec_searching(char* const* argv, char* const* env, const char* path_env) {
  const char* name = argv[0];
  if (std::strchr(name, '/') != nullptr) {
    execve(name, argv, env);
    return;
  }
  const char* dirs = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  char candidate[4096];
  size_t name_len = std::strlen(name);
  int last = ENOENT;
  for (const char* p = dirs;; ++p) {
    const char* end = std::strchr(p, ':');
    size_t len = end != nullptr ? static_cast<size_t>(end - p) : std::strlen(p);
    if (len + name_len + 2 <= sizeof candidate) {
      std::memcpy(candidate, p, len);
      size_t at = len;
      if (at == 0)
        candidate[at++] = '.';
      candidate[at++] = '/';
      std::memcpy(candidate + at, name, name_len + 1);
      execve(candidate, argv, env);
      if (errno != ENOENT && errno != ENOTDIR)
        last = errno;
    }
    if (end == nullptr)
      break;
    p = end;
  }
  errno = last;
}

// Mounts the container's root and moves into it, in its own mount namespace.
void enter_rootfs(const launch_plan& plan, const root_paths& p, int pipe_fd) {
  if (mount(p.rootfs.c_str(), p.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    fail(pipe_fd, step::mount_rootfs);
  for (size_t i = 0; i < plan.binds.size(); ++i)
    if (mount(plan.binds[i].source.c_str(), p.bind_targets[i].c_str(), nullptr,
              MS_BIND | MS_REC, nullptr) != 0)
      fail(pipe_fd, step::mount_bind, static_cast<int>(i));
  if (mount("proc", p.proc.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    fail(pipe_fd, step::mount_proc);
  if (mount("tmpfs", p.dev.c_str(), "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755") != 0)
    fail(pipe_fd, step::mount_dev);
  for (size_t i = 0; i < p.devices.size(); ++i) {
    int fd = open(p.device_targets[i].c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
      fail(pipe_fd, step::mount_dev);
    close(fd);
    if (mount(p.devices[i].c_str(), p.device_targets[i].c_str(), nullptr, MS_BIND, nullptr) != 0)
      fail(pipe_fd, step::mount_dev);
  }
  if (mkdir(p.shm.c_str(), 01777) != 0 ||
      mount("shm", p.shm.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
    fail(pipe_fd, step::mount_dev);
  (void)!symlink("/proc/self/fd", (p.dev + "/fd").c_str());
  // pivot_root with the same directory twice stacks the old root under the
  // new one, where it is detached at once; no directory for it is needed.
  if (chdir(p.rootfs.c_str()) != 0)
    fail(pipe_fd, step::pivot_root);
  if (syscall(SYS_pivot_root, ".", ".") == 0) {
    if (umount2(".", MNT_DETACH) != 0)
      fail(pipe_fd, step::pivot_root);
  } else if (chroot(".") != 0) {  // a root that cannot be pivoted (an initramfs)
    fail(pipe_fd, step::pivot_root);
  }
  if (chdir("/") != 0)
    fail(pipe_fd, step::pivot_root);
}

[[noreturn]] void child(const launch_plan& plan, const root_paths& roots, char* const* argv,
                        char* const* env, const char* path_env,
                        const std::vector<gid_t>& groups, int pipe_fd, int other_end) {
  close(other_end);
  // Signals as a fresh program expects them: default handlers, then none
  // blocked (it starts with all blocked: no handler of the parent's may run
  // here, on its memory).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (size_t i = 0; i < plan.cgroups.size(); ++i) {
    int fd = open(plan.cgroups[i].c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1)
      fail(pipe_fd, step::join_cgroup, static_cast<int>(i));
    close(fd);
  }
  if ((plan.namespaces & CLONE_NEWNS) != 0) {
    // Mounts made inside stay inside.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
      fail(pipe_fd, step::mount_private);
    if (plan.private_proc &&
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      fail(pipe_fd, step::mount_proc);
    if (!plan.rootfs.empty())
      enter_rootfs(plan, roots, pipe_fd);
  }
  if (setsid() < 0)
    fail(pipe_fd, step::session);
  if (!plan.stdout_path.empty() && !reopen(plan.stdout_path.c_str(), STDOUT_FILENO))
    fail(pipe_fd, step::open_stdout);
  if (!plan.stderr_path.empty() && !reopen(plan.stderr_path.c_str(), STDERR_FILENO))
    fail(pipe_fd, step::open_stderr);
  // Everything else of the agent's (sockets, listening ports) stays behind;
  // the report pipe closes itself on exec.
  if (pipe_fd > 3)
    syscall(SYS_close_range, 3U, static_cast<unsigned>(pipe_fd - 1), 0U);
  syscall(SYS_close_range, static_cast<unsigned>(pipe_fd + 1), ~0U, 0U);
  if (plan.uid) {
    if (syscall(SYS_setgroups, groups.size(), groups.data()) != 0)
      fail(pipe_fd, step::groups);
    if (plan.gid && syscall(SYS_setresgid, *plan.gid, *plan.gid, *plan.gid) != 0)
      fail(pipe_fd, step::gid);
    if (syscall(SYS_setresuid, *plan.uid, *plan.uid, *plan.uid) != 0)
      fail(pipe_fd, step::uid);
  }
  if (!plan.cwd.empty() && chdir(plan.cwd.c_str()) != 0)
    fail(pipe_fd, step::chdir);
  exec_searching(argv, env, path_env);
  fail(pipe_fd, step::exec);
}

// What the child is given, on the parent's stack (the parent waits).
struct child_args {
  const launch_plan& plan;
  const root_paths& roots;
  char* const* argv;
  char* const* env;
  const char* path_env;
  int report;
  int other_end = -1;
};

int run_child(void* arg) {
  auto* a = static_cast<child_args*>(arg);
  child(a->plan, a->roots, a->argv, a->env, a->path_env, a->plan.groups, a->report, a->other_end);
}

// The child's own stack: it shares the parent's memory, not its stack.
class child_stack {
public:
  static constexpr size_t size = 256 * 1024;
  static caf::expected<child_stack> make() {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                   -1, 0);
    if (p == MAP_FAILED)
      return make_error(fmt::format("spawn: cannot map a stack: {}", strerror(errno)));
    return child_stack(p);
  }
  child_stack(child_stack&& other) noexcept : base_(std::exchange(other.base_, nullptr)) {}
  child_stack(const child_stack&) = delete;
  ~child_stack() {
    if (base_ != nullptr)
      munmap(base_, size);
  }
  void* top() const { return static_cast<char*>(base_) + size; }

private:
  explicit child_stack(void* base) : base_(base) {}
  void* base_;
};

} // namespace

caf::expected<pid_t> spawn_contained(const launch_plan& plan) {
  if (plan.argv.empty())
    return make_error("spawn: no program given");
  if (plan.private_proc && (plan.namespaces & (CLONE_NEWPID | CLONE_NEWNS)) !=
                             (CLONE_NEWPID | CLONE_NEWNS))
    return make_error("spawn: a private /proc needs new pid and mount namespaces");
  if (!plan.rootfs.empty() && (plan.namespaces & CLONE_NEWNS) == 0)
    return make_error("spawn: a root file system of its own needs a new mount namespace");
  if (!plan.rootfs.empty() && plan.private_proc)
    return make_error("spawn: a root file system brings its own /proc");
  auto roots = paths_of(plan);
  // Everything the child touches is made here, before the fork.
  auto argv = c_strings(plan.argv);
  auto env = c_strings(plan.env);
  const char* path_env = nullptr;
  for (const auto& e : plan.env)
    if (e.rfind("PATH=", 0) == 0)
      path_env = e.c_str() + 5;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return make_error(fmt::format("spawn: cannot make a pipe: {}", strerror(errno)));
  int report = fds[1];
  // Like vfork, with the namespaces asked for (the child is pid 1 of a new
  // pid namespace when CLONE_NEWPID is set): the child shares this
  // process's memory until it execs, while this thread waits, so that a
  // large agent does not copy its page tables for every launch, nor pay
  // for copies on write after. Its pipe end closes in the child on exec.
  child_args args{plan, roots, argv.data(), env.data(), path_env, report, fds[0]};
  auto stack = child_stack::make();
  if (!stack) {
    close(fds[0]);
    close(fds[1]);
    return stack.error();
  }
  sigset_t all, was;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &was);
  int rc = clone(run_child, stack->top(),
                 CLONE_VM | CLONE_VFORK | SIGCHLD | static_cast<int>(plan.namespaces), &args);
  int error = errno;
  pthread_sigmask(SIG_SETMASK, &was, nullptr);
  if (rc < 0) {
    close(fds[0]);
    close(fds[1]);
    return make_error(fmt::format("spawn: cannot start '{}': {}", plan.argv[0], strerror(error)));
  }
  auto pid = static_cast<pid_t>(rc);
  close(fds[1]);
  failure f;
  ssize_t n;
  do {
    n = read(fds[0], &f, sizeof f);
  } while (n < 0 && errno == EINTR);
  close(fds[0]);
  if (n != static_cast<ssize_t>(sizeof f))
    return pid;  // the pipe closed on exec: the program runs
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string what = step_name(f.at);
  if (f.at == step::join_cgroup && f.index >= 0 &&
      static_cast<size_t>(f.index) < plan.cgroups.size())
    what += " " + plan.cgroups[static_cast<size_t>(f.index)];
  if (f.at == step::mount_bind && f.index >= 0 &&
      static_cast<size_t>(f.index) < plan.binds.size())
    what += " " + plan.binds[static_cast<size_t>(f.index)].source;
  if (f.at == step::exec)
    what += " '" + plan.argv[0] + "'";
  return make_error(fmt::format("{}: {}", what, strerror(f.error)));
}

} // namespace cairn
