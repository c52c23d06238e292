// Mesos' files API on agents, for sandboxes: /files/browse, /files/read and
// /files/download, confined to the agent's work dir (files_paths.hpp says
// which paths lead where and how they are opened).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/http/files_paths.hpp"
#include "runtime/http_server.hpp"

namespace cairn {

// `root`: the only tree served (the agent's work dir). These block on the
// file system: call them off the HTTP event loop.
http_response browse_files(const std::string& root, const http_request& request);
http_response read_file(const std::string& root, const http_request& request);
http_response download_file(const std::string& root, const http_request& request);

// The same tree for the operator calls LIST_FILES and READ_FILE.
struct file_entry {
  std::string path;  // as asked, with the entry's name
  uint64_t nlink = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint32_t mode = 0;  // st_mode
  std::string uid;
  std::string gid;
};

// The entries of a directory, sorted by path; links are listed, not followed.
std::optional<files_error> list_directory(const std::string& root, const std::string& path,
                                          std::vector<file_entry>& out);
// At most limits::files_read_max_bytes of a regular file from `offset` (no
// `length`: to the end); `size` is the whole file's.
std::optional<files_error> read_bytes(const std::string& root, const std::string& path,
                                      uint64_t offset, std::optional<uint64_t> length,
                                      uint64_t& size, std::string& data);

} // namespace cairn
