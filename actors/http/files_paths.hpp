// Where a files API path leads on an agent, and opening it there once: a
// path under the agent's work dir as it is, Mesos' virtual paths
// (/frameworks/<fw>/executors/<ex>/runs/latest[/...], /slave/log), and
// nothing else. Every open is beneath the work dir (runtime/beneath.hpp), so
// a task that plants links or FIFOs in its sandbox gets no file from
// elsewhere and cannot block the reader.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>

#include "runtime/beneath.hpp"

namespace cairn {

// Why a files call failed: an HTTP status (404 nothing there, 400 not the
// kind of file asked for or outside the tree served) and the reason.
struct files_error {
  int status;
  std::string message;
};

struct opened_path {
  unique_fd fd;
  struct stat st {};
};

// The path beneath `root` that `asked` names ("" for `root` itself), or the
// error to answer. Blocks on the file system (virtual paths look up runs).
std::optional<files_error> resolve_files_path(int root_fd, const std::string& root,
                                              const std::string& asked,
                                              std::string& relative);

// Resolves and opens `asked` (read-only, non-blocking), and fstat()s it.
std::optional<files_error> open_files_path(const std::string& root, const std::string& asked,
                                           opened_path& out);

} // namespace cairn
