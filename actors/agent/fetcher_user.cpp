#include "actors/agent/fetcher_user.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/errors.hpp"

namespace cairn {

caf::expected<user_identity> lookup_user(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr)
    return make_error("user '" + name + "' does not exist on this agent" +
                      (rc != 0 ? std::string(" (") + strerror(rc) + ")" : std::string{}));
  user_identity who;
  who.name = name;
  who.uid = pw.pw_uid;
  who.gid = pw.pw_gid;
  int count = 64;
  for (int tries = 0; tries < 4; ++tries) {
    who.groups.resize(static_cast<size_t>(count));
    int n = count;
    if (getgrouplist(name.c_str(), pw.pw_gid, who.groups.data(), &n) >= 0) {
      who.groups.resize(static_cast<size_t>(n));
      return who;
    }
    count = n > count ? n : count * 2;
  }
  return make_error("cannot list the groups of user '" + name + "'");
}

namespace {

// The file-system identity of the calling thread only. Raw system calls:
// glibc's wrappers would change every thread of the agent (setxid broadcast),
// the kernel's calls change the caller. Root's capabilities to read anything
// (CAP_DAC_OVERRIDE) drop while fsuid is not 0 and return with it.
class thread_fs_identity {
public:
  explicit thread_fs_identity(const user_identity& who) {
    saved_groups_.resize(static_cast<size_t>(getgroups(0, nullptr)));
    int n = getgroups(static_cast<int>(saved_groups_.size()), saved_groups_.data());
    saved_groups_.resize(n < 0 ? 0 : static_cast<size_t>(n));
    saved_gid_ = getegid();
    ok_ = syscall(SYS_setgroups, who.groups.size(), who.groups.data()) == 0;
    syscall(SYS_setfsgid, who.gid);
    syscall(SYS_setfsuid, who.uid);
  }
  ~thread_fs_identity() {
    syscall(SYS_setfsuid, 0);
    syscall(SYS_setfsgid, saved_gid_);
    bool restored =
      syscall(SYS_setgroups, saved_groups_.size(), saved_groups_.data()) == 0 || !ok_;
    // A fetch thread left with a user's identity would fetch wrongly for the
    // next task: stop rather than limp on.
    if (!restored || static_cast<uid_t>(syscall(SYS_setfsuid, -1)) != 0)
      std::abort();
  }
  bool ok() const { return ok_; }

private:
  std::vector<gid_t> saved_groups_;
  gid_t saved_gid_ = 0;
  bool ok_ = false;
};

unique_fd open_read(const std::string& path) {
  return unique_fd{open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
}

} // namespace

caf::expected<unique_fd> open_for_reading_as(const user_identity* who, const std::string& path) {
  unique_fd fd;
  int err = 0;
  if (who != nullptr && geteuid() == 0 && who->uid != 0) {
    thread_fs_identity as_user{*who};
    if (!as_user.ok())
      return make_error("cannot take the groups of user '" + who->name + "': " + strerror(errno));
    fd = open_read(path);
    err = errno;
  } else {
    fd = open_read(path);
    err = errno;
  }
  if (!fd)
    return make_error("cannot open '" + path + "'" +
                      (who != nullptr ? " as user '" + who->name + "'" : std::string{}) + ": " +
                      strerror(err));
  return fd;
}

namespace {

// nftw passes no context: the owner for the walk in progress, per thread.
thread_local uid_t walk_uid;
thread_local gid_t walk_gid;
thread_local int walk_errno;

int chown_one(const char* path, const struct stat*, int, struct FTW*) {
  if (lchown(path, walk_uid, walk_gid) != 0) {
    walk_errno = errno;
    return 1;
  }
  return 0;
}

} // namespace

caf::error chown_tree(const std::string& dir, const user_identity& who) {
  if (geteuid() != 0)
    return caf::none;
  walk_uid = who.uid;
  walk_gid = who.gid;
  walk_errno = 0;
  if (nftw(dir.c_str(), chown_one, 32, FTW_PHYS) != 0)
    return make_error("Failed to chown directory: " + dir + " to user: " + who.name +
                      " with error: " + strerror(walk_errno != 0 ? walk_errno : errno));
  return caf::none;
}

} // namespace cairn
