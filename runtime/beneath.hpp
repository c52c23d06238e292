// Opening a file beneath a directory, once, so that what is checked is what
// is read: a tree written by others (a task's sandbox) may swap a directory
// for a symbolic link, or a file for a FIFO, at any moment, so a path is
// never checked first and opened later. Links are followed only while they
// stay beneath the root (openat2's RESOLVE_BENEATH); on kernels without
// openat2, no link is followed at all. Opens never block: FIFOs and devices
// are opened non-blocking and refused by the caller after fstat.
#pragma once

#include <string>

namespace cairn {

// An open file descriptor, closed when dropped.
class unique_fd {
public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  ~unique_fd();
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;

  int get() const { return fd_; }
  int release();
  explicit operator bool() const { return fd_ >= 0; }

private:
  int fd_ = -1;
};

struct beneath_result {
  enum class outcome {
    opened,
    missing,  // no such file, or a component is not a directory
    escapes,  // `..` or a symbolic link resolving outside the root
    refused,  // a symbolic link the fallback walk does not follow
    failed,   // anything else (permissions, too many files open): see `error`
  };
  outcome what = outcome::failed;
  unique_fd fd;
  int error = 0;      // errno when not opened
  std::string why;    // for people, when not opened
};

// Opens `relative` ("a/b/c", "" for the root itself) beneath the directory
// `root_fd`, with O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY plus
// `extra_flags` (O_DIRECTORY for a listing). The caller fstat()s the result
// to learn what it opened.
beneath_result open_beneath(int root_fd, const std::string& relative, int extra_flags = 0);

// The same, walking one component at a time with O_NOFOLLOW, as done when
// the kernel has no openat2. Exposed so that tests can run it everywhere.
beneath_result open_beneath_by_walking(int root_fd, const std::string& relative,
                                       int extra_flags = 0);

} // namespace cairn
