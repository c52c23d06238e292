#include "actors/http/files_paths.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <vector>

#include "runtime/limits.hpp"

namespace cairn {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    if (end > start)
      parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool is_name(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos;
}

// `path` below `prefix` ("" for the prefix itself), if it is below it.
std::optional<std::string> below(const std::string& path, std::string prefix) {
  while (prefix.size() > 1 && prefix.back() == '/')
    prefix.pop_back();
  if (path == prefix)
    return std::string();
  if (path.rfind(prefix + "/", 0) == 0)
    return path.substr(prefix.size() + 1);
  return std::nullopt;
}

// The newest run of an executor under every agent id the work dir holds
// (an agent given a new id keeps the old runs): its path beneath the root.
// Runs are directories named by container id; `latest`, when a link, names
// the run that is the latest.
std::optional<std::string> latest_run(int root_fd, const std::string& framework,
                                      const std::string& executor) {
  auto slaves = open_beneath(root_fd, "slaves", O_DIRECTORY);
  if (!slaves.fd)
    return std::nullopt;
  DIR* agents = fdopendir(slaves.fd.release());
  if (agents == nullptr)
    return std::nullopt;
  std::optional<std::string> best;
  timespec best_time {};
  size_t seen = 0;
  while (dirent* a = readdir(agents)) {
    std::string agent = a->d_name;
    if (!is_name(agent))
      continue;
    std::string runs_path =
      "slaves/" + agent + "/frameworks/" + framework + "/executors/" + executor + "/runs";
    auto runs_fd = open_beneath(root_fd, runs_path, O_DIRECTORY);
    if (!runs_fd.fd)
      continue;
    DIR* runs = fdopendir(runs_fd.fd.release());
    if (runs == nullptr)
      continue;
    std::optional<std::string> linked;
    while (dirent* r = readdir(runs)) {
      if (++seen > limits::files_browse_max_entries)
        break;
      std::string run = r->d_name;
      if (!is_name(run))
        continue;
      struct stat st {};
      if (fstatat(dirfd(runs), run.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (run == "latest" && S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(dirfd(runs), "latest", target, sizeof target - 1);
        if (n > 0) {
          std::string t(target, static_cast<size_t>(n));
          std::string name = t.substr(t.rfind('/') == std::string::npos ? 0 : t.rfind('/') + 1);
          if (is_name(name) && name != "latest")
            linked = runs_path + "/" + name;
        }
        continue;
      }
      if (!S_ISDIR(st.st_mode))
        continue;
      bool newer = !best || st.st_mtim.tv_sec > best_time.tv_sec
                   || (st.st_mtim.tv_sec == best_time.tv_sec
                       && st.st_mtim.tv_nsec > best_time.tv_nsec);
      if (newer) {
        best = runs_path + "/" + run;
        best_time = st.st_mtim;
      }
    }
    closedir(runs);
    if (linked) {
      best = linked;
      break;
    }
  }
  closedir(agents);
  return best;
}

files_error not_found(const std::string& asked) {
  return files_error{404, "no such file or directory here: " + asked};
}

} // namespace

std::optional<files_error> resolve_files_path(int root_fd, const std::string& root,
                                              const std::string& asked,
                                              std::string& relative) {
  if (asked.empty())
    return files_error{400, "Expecting 'path=value' in query."};
  if (auto r = below(asked, root)) {
    relative = *r;
    return std::nullopt;
  }
  char real[PATH_MAX];
  if (realpath(root.c_str(), real) != nullptr) {
    if (auto r = below(asked, real)) {
      relative = *r;
      return std::nullopt;
    }
  }
  auto parts = split_path(asked);
  if (parts.size() >= 2 && parts[0] == "slave" && parts[1] == "log")
    return files_error{404, "/slave/log: this agent writes no log file (cairn logs to stderr; "
                            "its journal or the terminal keeps it)"};
  // Mesos' virtual path of an executor's latest run.
  if (parts.size() >= 6 && parts[0] == "frameworks" && parts[2] == "executors"
      && parts[4] == "runs" && parts[5] == "latest") {
    if (!is_name(parts[1]) || !is_name(parts[3]))
      return not_found(asked);
    auto run = latest_run(root_fd, parts[1], parts[3]);
    if (!run)
      return files_error{404, "no run of executor '" + parts[3] + "' of framework '" + parts[1]
                                + "' here: " + asked};
    relative = *run;
    for (size_t i = 6; i < parts.size(); ++i)
      relative += "/" + parts[i];
    return std::nullopt;
  }
  return not_found(asked);
}

std::optional<files_error> open_files_path(const std::string& root, const std::string& asked,
                                           opened_path& out) {
  unique_fd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd)
    return not_found(asked);
  std::string relative;
  if (auto failed = resolve_files_path(root_fd.get(), root, asked, relative))
    return failed;
  auto r = open_beneath(root_fd.get(), relative);
  using o = beneath_result::outcome;
  switch (r.what) {
    case o::opened:
      break;
    case o::missing:
      return not_found(asked);
    case o::escapes:
      return files_error{400, "'" + asked + "' resolves outside the sandbox"};
    case o::refused:
      return files_error{400, "'" + asked + "' goes through a symbolic link, which is not "
                              "followed here"};
    case o::failed:
      return files_error{500, "cannot open '" + asked + "': " + r.why};
  }
  if (fstat(r.fd.get(), &out.st) != 0)
    return files_error{500, "cannot stat '" + asked + "'"};
  out.fd = std::move(r.fd);
  return std::nullopt;
}

} // namespace cairn
