#include "actors/agent/isolators/disk_du.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <fmt/format.h>

#include "actors/agent/isolators/cgroup_values.hpp"
#include "runtime/beneath.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace {

using tick_atom = caf::atom_constant<caf::atom("dutick")>;

// What the collector measured, shared between the containerizer's thread
// (prepare, watch, usage, cleanup) and the collector's.
struct du_book {
  struct entry {
    std::string path;         // the sandbox
    uint64_t quota = 0;       // bytes of its `disk`; 0: none asked, not measured
    std::optional<uint64_t> used;
    bool reported = false;    // its limitation was handed out
  };
  std::mutex lock;
  std::unordered_map<std::string, entry> containers;
};

uint64_t quota_of(const container_limits& limits) {
  return static_cast<uint64_t>(limits.disk_mb * 1024 * 1024);
}

void collect_book(du_book& book) {
  std::vector<std::pair<std::string, std::string>> todo;
  {
    std::lock_guard<std::mutex> g(book.lock);
    for (const auto& [id, e] : book.containers)
      if (e.quota > 0)
        todo.emplace_back(id, e.path);
  }
  for (const auto& [id, path] : todo) {
    auto used = disk_usage(path);
    if (!used) {
      logger("containerizer")->warn("disk/du: cannot measure {} of container {}: {}", path, id,
                                    error_message(used.error()));
      continue;
    }
    std::lock_guard<std::mutex> g(book.lock);
    auto i = book.containers.find(id);
    if (i != book.containers.end() && i->second.path == path)
      i->second.used = *used;
  }
}

class du_isolator final : public disk_du_isolator {
public:
  explicit du_isolator(disk_du_options options)
    : options_(options), book_(std::make_shared<du_book>()) {
  }

  std::string name() const override {
    return "disk/du";
  }

  void start(caf::actor_system& sys, const caf::actor& containerizer) override {
    // The collector holds the book, not the isolator: whichever ends first,
    // nothing dangles. It ends with the containerizer.
    auto book = book_;
    auto interval = options_.watch_interval;
    sys.spawn<caf::detached>([book, interval, containerizer](caf::event_based_actor* self) {
      self->monitor(containerizer);
      self->set_down_handler([self](caf::down_msg&) { self->quit(); });
      self->send(self, tick_atom::value);
      return caf::behavior{
        [self, book, interval](tick_atom) {
          collect_book(*book);
          self->delayed_send(self, interval, tick_atom::value);
        },
      };
    });
  }

  caf::error recover(const std::vector<std::string>&) override {
    // The sandboxes of recovered containers are not known here; they are
    // measured again once their resources are updated.
    return caf::none;
  }

  caf::error prepare(const std::string& container, const container_limits& limits,
                     launch_plan& plan) override {
    std::lock_guard<std::mutex> g(book_->lock);
    if (book_->containers.count(container) > 0)
      return make_error("disk/du: container '" + container + "' has already been prepared");
    auto& e = book_->containers[container];
    e.path = plan.cwd;
    e.quota = quota_of(limits);
    return caf::none;
  }

  caf::error update(const std::string& container, const container_limits& limits) override {
    std::lock_guard<std::mutex> g(book_->lock);
    auto i = book_->containers.find(container);
    if (i != book_->containers.end())
      i->second.quota = quota_of(limits);
    return caf::none;
  }

  void usage(const std::string& container,
             schema::containerizer::ResourceStatistics::Builder stats) override {
    std::lock_guard<std::mutex> g(book_->lock);
    auto i = book_->containers.find(container);
    if (i == book_->containers.end() || i->second.quota == 0)
      return;
    stats.setDiskLimitBytes(i->second.quota);
    // Until the first measurement there is a limit and no figure, as in Mesos.
    if (i->second.used)
      stats.setDiskUsedBytes(*i->second.used);
  }

  std::optional<limitation> watch(const std::string& container) override {
    if (!options_.enforce_quota)
      return std::nullopt;
    std::lock_guard<std::mutex> g(book_->lock);
    auto i = book_->containers.find(container);
    if (i == book_->containers.end())
      return std::nullopt;
    auto& e = i->second;
    if (e.reported || e.quota == 0 || !e.used || *e.used <= e.quota)
      return std::nullopt;
    e.reported = true;
    limitation l;
    l.reason = schema::TaskStatus::Reason::CONTAINER_LIMITATION_DISK;
    l.message = "Disk usage (" + format_bytes(*e.used) + ") exceeds quota (" +
                format_bytes(e.quota) + ")";
    return l;
  }

  caf::error cleanup(const std::string& container) override {
    std::lock_guard<std::mutex> g(book_->lock);
    book_->containers.erase(container);
    return caf::none;
  }

  void collect() override {
    collect_book(*book_);
  }

private:
  disk_du_options options_;
  std::shared_ptr<du_book> book_;
};

} // namespace

std::unique_ptr<disk_du_isolator> make_disk_du_isolator(disk_du_options options) {
  return std::make_unique<du_isolator>(options);
}

caf::expected<uint64_t> disk_usage(const std::string& path) {
  unique_fd root(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root)
    return make_error(fmt::format("cannot open {}: {}", path, strerror(errno)));
  struct stat st {};
  if (fstat(root.get(), &st) != 0)
    return make_error(fmt::format("cannot stat {}: {}", path, strerror(errno)));
  uint64_t bytes = static_cast<uint64_t>(st.st_blocks) * 512;
  std::set<std::pair<dev_t, ino_t>> linked;  // files with several names, counted once
  // Breadth first, one directory open at a time, each opened beneath the
  // sandbox: however deep or strange the tree a task made, the walk needs
  // no stack and leaves the sandbox never.
  std::deque<std::string> dirs{""};
  while (!dirs.empty()) {
    auto relative = std::move(dirs.front());
    dirs.pop_front();
    auto opened = open_beneath(root.get(), relative, O_DIRECTORY);
    if (!opened.fd)
      continue;  // gone meanwhile, or swapped for a link: not counted
    DIR* d = fdopendir(opened.fd.release());
    if (d == nullptr)
      continue;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..")
        continue;
      struct stat child {};
      if (fstatat(dirfd(d), name.c_str(), &child, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (!S_ISDIR(child.st_mode) && child.st_nlink > 1 &&
          !linked.emplace(child.st_dev, child.st_ino).second)
        continue;
      bytes += static_cast<uint64_t>(child.st_blocks) * 512;
      if (S_ISDIR(child.st_mode))
        dirs.push_back(relative.empty() ? name : relative + "/" + name);
    }
    closedir(d);
  }
  // du -k rounds the total up to whole KiB.
  return (bytes + 1023) / 1024 * 1024;
}

} // namespace cairn
