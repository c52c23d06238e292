// Mesos' files API on agents, for sandboxes: /files/browse, /files/read and
// /files/download, confined to the agent's work dir.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/http_server.hpp"

namespace cairn {

// `root`: the only tree served (the agent's work dir).
http_response browse_files(const std::string& root, const http_request& request);
http_response read_file(const std::string& root, const http_request& request);
http_response download_file(const std::string& root, const http_request& request);

// The same tree for the operator calls LIST_FILES and READ_FILE. These block
// on the file system: call them off the HTTP event loop.
struct file_entry {
  std::string path;  // as asked, with the entry's name
  uint64_t nlink = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint32_t mode = 0;  // st_mode
  std::string uid;
  std::string gid;
};

// Why a files call failed: an HTTP status (404 nothing there, 400 not the
// kind of file asked for) and the reason.
struct files_error {
  int status;
  std::string message;
};

std::optional<files_error> list_directory(const std::string& root, const std::string& path,
                                          std::vector<file_entry>& out);
// At most limits::files_read_max_bytes from `offset` (0 `length`: to the end).
std::optional<files_error> read_bytes(const std::string& root, const std::string& path,
                                      uint64_t offset, uint64_t length, uint64_t& size,
                                      std::string& data);

} // namespace cairn
