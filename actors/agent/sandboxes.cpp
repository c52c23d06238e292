// Sandboxes: made for each executor run, with Mesos' `runs/latest` link to
// the current run, refused when the work dir's disk is full, and handed to
// the garbage collector when the run ends.
#include "actors/agent/state.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "runtime/dirs.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

// A run's sandbox is <work>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<container>:
// the executor's and the framework's directories are above it.
std::string executor_dir_of(const std::string& run) {
  auto at = run.rfind("/runs/");
  return at == std::string::npos ? std::string() : run.substr(0, at);
}

std::string framework_dir_of(const std::string& run) {
  auto executor = executor_dir_of(run);
  auto at = executor.rfind("/executors/");
  return at == std::string::npos ? std::string() : executor.substr(0, at);
}

// Points <executor>/runs/latest at the run (a relative link, replaced in
// one rename so that a reader never finds it missing).
caf::error link_latest(const std::string& run) {
  auto slash = run.rfind('/');
  std::string runs = run.substr(0, slash);
  std::string name = run.substr(slash + 1);
  std::string temporary = runs + "/.latest." + name;
  unlink(temporary.c_str());
  if (symlink(name.c_str(), temporary.c_str()) != 0)
    return make_error(fmt::format("cannot link {}/latest: {}", runs, strerror(errno)));
  if (rename(temporary.c_str(), (runs + "/latest").c_str()) != 0) {
    int error = errno;
    unlink(temporary.c_str());
    return make_error(fmt::format("cannot link {}/latest: {}", runs, strerror(error)));
  }
  return caf::none;
}

} // namespace

void start_sandbox_gc(agent_ptr self) {
  auto& st = self->state;
  if (st.options.work_dir.empty() || !st.options.sandbox_gc)
    return;
  sandbox_gc_options o;
  o.work_dir = st.options.work_dir;
  o.policy = st.options.gc;
  o.disk_watch_interval = st.options.disk_watch_interval;
  st.gc = spawn_sandbox_gc(self->system(), std::move(o), caf::actor_cast<caf::actor>(self));
}

caf::error make_sandbox(agent_ptr self, const executor_entry& ex) {
  auto& st = self->state;
  // A directory of the framework or executor waiting for removal is wanted again.
  if (st.gc)
    self->send(st.gc, gc_unschedule_atom::value,
               std::vector<std::string>{framework_dir_of(ex.sandbox), executor_dir_of(ex.sandbox)});
  if (auto err = make_dirs(ex.sandbox))
    return err;
  // A full disk fails the launch here, naming it, rather than later as an
  // executor that exits with a bare status.
  struct statvfs fs {};
  if (statvfs(ex.sandbox.c_str(), &fs) == 0 && fs.f_bavail == 0) {
    logger("agent")->error("the file system of the work dir {} is full", st.options.work_dir);
    rmdir(ex.sandbox.c_str());
    return make_error(fmt::format("No space left on device: the file system holding {} is full",
                                  ex.sandbox));
  }
  if (auto err = link_latest(ex.sandbox))
    logger("agent")->warn("{}", error_message(err));
  return caf::none;
}

void sandbox_ended(agent_ptr self, const std::string& sandbox, bool framework_done) {
  auto& st = self->state;
  if (!st.gc || sandbox.empty())
    return;
  std::vector<std::string> paths{sandbox, executor_dir_of(sandbox)};
  if (framework_done)
    paths.push_back(framework_dir_of(sandbox));
  self->send(st.gc, gc_schedule_atom::value, std::move(paths));
}

} // namespace cairn
