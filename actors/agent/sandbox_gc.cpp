#include "actors/agent/sandbox_gc.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <fmt/format.h>

#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

// Removes what is beneath the open directory `dir`, then nothing else;
// appends what failed to `failed`.
void remove_children(int dir, const std::string& where, std::string& failed) {
  int fd = dup(dir);
  DIR* d = fd < 0 ? nullptr : fdopendir(fd);
  if (d == nullptr) {
    if (fd >= 0)
      close(fd);
    failed += fmt::format("{}: {}; ", where, strerror(errno));
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..")
      names.push_back(std::move(name));
  }
  closedir(d);
  for (const auto& name : names) {
    if (unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT)
      continue;
    if (errno != EISDIR && errno != EPERM) {
      failed += fmt::format("{}/{}: {}; ", where, name, strerror(errno));
      continue;
    }
    // A directory: never a link (O_NOFOLLOW), never another file system's
    // mount point left beneath a sandbox followed blindly.
    int child = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) {
      failed += fmt::format("{}/{}: {}; ", where, name, strerror(errno));
      continue;
    }
    remove_children(child, where + "/" + name, failed);
    close(child);
    if (unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
      failed += fmt::format("{}/{}: {}; ", where, name, strerror(errno));
  }
}

struct gc_state {
  static inline const char* name = "sandbox-gc";
  sandbox_gc_options options;
  std::unique_ptr<gc_schedule> schedule;
  std::optional<gc_schedule::time_point> armed;  // when the next tick comes
  bool full = false;                             // as last measured
};

using gc_ptr = sandbox_gc_actor::stateful_pointer<gc_state>;

void remove_paths(gc_ptr self, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    // Only what lies beneath the work dir is ever removed.
    if (path.rfind(self->state.options.work_dir + "/", 0) != 0)
      continue;
    auto failed = remove_tree(path);
    if (failed.empty())
      logger("agent")->info("removed sandbox directory {}", path);
    else
      logger("agent")->warn("could not remove all of {}: {}", path, failed);
  }
}

void arm(gc_ptr self) {
  auto& st = self->state;
  auto next = st.schedule->next_due();
  if (!next || (st.armed && *st.armed <= *next))
    return;
  st.armed = next;
  auto now = self->clock().now();
  auto wait = *next > now ? *next - now : gc_schedule::time_point::duration::zero();
  self->delayed_send(self, wait, gc_tick_atom::value);
}

void check_disk(gc_ptr self) {
  auto& st = self->state;
  auto fill = measure_disk(st.options.work_dir);
  if (!fill) {
    logger("agent")->warn("cannot measure the disk usage of {}: {}", st.options.work_dir,
                          error_message(fill.error()));
    return;
  }
  if (fill->full != st.full) {
    st.full = fill->full;
    if (fill->full)
      logger("agent")->error("the file system of the work dir {} is full (No space left on "
                             "device): new sandboxes cannot be made; finished ones are "
                             "removed now",
                             st.options.work_dir);
    else
      logger("agent")->info("the file system of the work dir {} has room again",
                            st.options.work_dir);
  }
  auto max_age = gc_max_age(st.schedule->policy(), fill->usage);
  logger("agent")->debug("disk usage {:.2f}%, sandboxes kept at most {}", 100 * fill->usage,
                         format_duration(max_age));
  remove_paths(self, st.schedule->prune(fill->usage, self->clock().now()));
}

sandbox_gc_actor::behavior_type sandbox_gc(gc_ptr self, sandbox_gc_options options,
                                           caf::actor owner) {
  auto& st = self->state;
  st.options = std::move(options);
  st.schedule = std::make_unique<gc_schedule>(st.options.policy);
  self->monitor(owner);
  self->set_down_handler([=](caf::down_msg&) { self->quit(); });
  self->send(self, gc_disk_atom::value);
  return {
    [=](gc_schedule_atom, const std::vector<std::string>& paths) {
      auto now = self->clock().now();
      for (const auto& path : paths) {
        logger("agent")->info("scheduling {} for removal in {}", path,
                              format_duration(self->state.options.policy.delay));
        self->state.schedule->schedule(path, now);
      }
      arm(self);
    },
    [=](gc_unschedule_atom, const std::vector<std::string>& paths) {
      for (const auto& path : paths)
        self->state.schedule->unschedule(path);
    },
    [=](gc_tick_atom) {
      self->state.armed.reset();
      remove_paths(self, self->state.schedule->due(self->clock().now()));
      arm(self);
    },
    [=](gc_disk_atom) {
      check_disk(self);
      self->delayed_send(self, self->state.options.disk_watch_interval, gc_disk_atom::value);
    },
  };
}

} // namespace

std::string remove_tree(const std::string& path) {
  std::string failed;
  int dir = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) {
    if (errno == ENOENT)
      return {};
    // Not a directory (or a link): removed as a file.
    if (unlink(path.c_str()) == 0 || errno == ENOENT)
      return {};
    return fmt::format("{}: {}", path, strerror(errno));
  }
  remove_children(dir, path, failed);
  close(dir);
  if (rmdir(path.c_str()) != 0 && errno != ENOENT)
    failed += fmt::format("{}: {}", path, strerror(errno));
  return failed;
}

caf::expected<disk_fill> measure_disk(const std::string& path) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0)
    return make_error(fmt::format("statvfs {}: {}", path, strerror(errno)));
  disk_fill fill;
  if (fs.f_blocks > 0)
    fill.usage = static_cast<double>(fs.f_blocks - fs.f_bfree) / static_cast<double>(fs.f_blocks);
  fill.full = fs.f_bavail == 0;
  return fill;
}

sandbox_gc_actor spawn_sandbox_gc(caf::actor_system& sys, sandbox_gc_options options,
                                  caf::actor owner) {
  return sys.spawn<caf::detached>(sandbox_gc, std::move(options), std::move(owner));
}

} // namespace cairn
