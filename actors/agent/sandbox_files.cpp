#include "actors/agent/sandbox_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/errors.hpp"

namespace cairn {

namespace {

std::vector<std::string> split_path(const std::string& relative) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= relative.size()) {
    auto end = relative.find('/', begin);
    if (end == std::string::npos)
      end = relative.size();
    parts.push_back(relative.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

caf::error failed(const std::string& what, const std::string& path, int err) {
  return make_error("cannot " + what + " '" + path + "': " + strerror(err));
}

} // namespace

caf::expected<unique_fd> create_beneath(const std::string& root, const std::string& relative,
                                        mode_t mode) {
  auto parts = split_path(relative);
  for (const auto& p : parts)
    if (p.empty() || p == "." || p == "..")
      return make_error("'" + relative + "' does not stay beneath the sandbox");
  assert(!parts.empty());
  unique_fd dir{open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!dir)
    return failed("open", root, errno);
  std::string walked = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    walked += "/" + parts[i];
    if (mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST)
      return failed("create directory", walked, errno);
    unique_fd next{openat(dir.get(), parts[i].c_str(),
                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (!next)
      return failed("enter", walked, errno == ELOOP ? ENOTDIR : errno);
    dir = std::move(next);
  }
  unique_fd fd{openat(dir.get(), parts.back().c_str(),
                      O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                        O_NONBLOCK,
                      mode)};
  if (!fd)
    return failed("create", root + "/" + relative, errno);
  struct stat st{};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error("'" + root + "/" + relative + "' is not a regular file");
  return fd;
}

caf::expected<unique_fd> open_append_beneath(const std::string& root, const std::string& name) {
  assert(name.find('/') == std::string::npos);
  unique_fd dir{open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!dir)
    return failed("open", root, errno);
  unique_fd fd{openat(dir.get(), name.c_str(),
                      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                        O_NONBLOCK,
                      0644)};
  if (!fd)
    return failed("open", root + "/" + name, errno);
  return fd;
}

} // namespace cairn
