#include "actors/http/files_api.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "actors/http/routes.hpp"
#include "runtime/limits.hpp"
#include "schema/state.capnp.h"

namespace cairn {

namespace {

// The real path of `path` if it lies inside `root`, else "".
std::string confined(const std::string& root, const std::string& path) {
  char real_root[PATH_MAX];
  char real[PATH_MAX];
  if (path.empty() || realpath(root.c_str(), real_root) == nullptr
      || realpath(path.c_str(), real) == nullptr)
    return {};
  std::string r = real_root;
  std::string p = real;
  if (p != r && p.rfind(r + "/", 0) != 0)
    return {};
  return p;
}

std::string mode_string(mode_t m) {
  std::string s = S_ISDIR(m) ? "d" : S_ISLNK(m) ? "l" : "-";
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    s += (m & (1 << (8 - i))) ? rwx[i] : '-';
  return s;
}

std::string owner(uid_t uid) {
  passwd* p = getpwuid(uid);
  return p ? p->pw_name : std::to_string(uid);
}

std::string group(gid_t gid) {
  struct group* g = getgrgid(gid);
  return g ? g->gr_name : std::to_string(gid);
}

// JSON strings must be UTF-8, and readers page by the bytes they got: a
// character cut at the end of a page is left for the next page, and a byte
// that is not UTF-8 becomes '?', so the answer's length in bytes is always
// the number of bytes of the file it covers.
std::string valid_utf8(std::string in) {
  size_t end = in.size();
  for (size_t back = 1; back <= 3 && back <= in.size(); ++back) {
    auto c = static_cast<unsigned char>(in[in.size() - back]);
    if ((c >> 6) == 2)
      continue; // a continuation byte: look further back for the lead
    size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (n > back)
      end = in.size() - back; // the lead of a character the page cuts
    break;
  }
  in.resize(end);
  for (size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= in.size();
    for (size_t k = 1; ok && k < n; ++k)
      ok = (static_cast<unsigned char>(in[i + k]) >> 6) == 2;
    if (ok) {
      i += n;
    } else {
      in[i] = '?';
      ++i;
    }
  }
  return in;
}

http_response not_found(const http_request& request, const std::string& path) {
  return with_cors(request, text_response(404, "no such file or directory here: " + path));
}

} // namespace

http_response browse_files(const std::string& root, const http_request& request) {
  auto asked = request.query_param("path");
  auto dir = confined(root, asked);
  struct stat st {};
  if (dir.empty() || stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return not_found(request, asked);
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        names.emplace_back(e->d_name);
    closedir(d);
  }
  wire_builder<schema::state::FileList> b;
  auto list = b->initFiles(static_cast<unsigned>(names.size()));
  for (unsigned i = 0; i < names.size(); ++i) {
    std::string full = asked + (asked.back() == '/' ? "" : "/") + names[i];
    struct stat f {};
    lstat((dir + "/" + names[i]).c_str(), &f);
    list[i].setPath(full);
    list[i].setNlink(static_cast<int64_t>(f.st_nlink));
    list[i].setSize(static_cast<int64_t>(f.st_size));
    list[i].setMtime(static_cast<int64_t>(f.st_mtime));
    list[i].setMode(mode_string(f.st_mode));
    list[i].setUid(owner(f.st_uid));
    list[i].setGid(group(f.st_gid));
  }
  return with_cors(request, json_response(to_json(std::move(b).finish()->getFiles())));
}

http_response read_file(const std::string& root, const http_request& request) {
  auto asked = request.query_param("path");
  auto file = confined(root, asked);
  struct stat st {};
  if (file.empty() || stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return not_found(request, asked);
  auto offset_text = request.query_param("offset");
  auto length_text = request.query_param("length");
  long long offset = offset_text.empty() ? 0 : std::atoll(offset_text.c_str());
  long long length = length_text.empty() ? -1 : std::atoll(length_text.c_str());
  long long size = static_cast<long long>(st.st_size);
  wire_builder<schema::state::FileData> b;
  // Mesos: offset -1 asks only for the size (the offset to follow from).
  if (offset < 0) {
    b->setData("");
    b->setOffset(size);
    return with_cors(request, json_response(to_json(std::move(b).finish().get())));
  }
  offset = std::min(offset, size);
  long long max = static_cast<long long>(limits::files_read_max_bytes);
  length = length < 0 ? std::min(size - offset, max) : std::min(length, max);
  std::string data(static_cast<size_t>(std::max(0LL, length)), '\0');
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : pread(fd, data.data(), data.size(), offset);
  if (fd >= 0)
    close(fd);
  data.resize(n > 0 ? static_cast<size_t>(n) : 0);
  b->setData(valid_utf8(std::move(data)));
  b->setOffset(offset);
  return with_cors(request, json_response(to_json(std::move(b).finish().get())));
}

http_response download_file(const std::string& root, const http_request& request) {
  auto asked = request.query_param("path");
  auto file = confined(root, asked);
  struct stat st {};
  if (file.empty() || stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return not_found(request, asked);
  if (static_cast<uint64_t>(st.st_size) > limits::files_download_max_bytes)
    return with_cors(request, text_response(413, "file too large to download at once; use "
                                                 "/files/read with offset and length"));
  std::string data(static_cast<size_t>(st.st_size), '\0');
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : pread(fd, data.data(), data.size(), 0);
  if (fd >= 0)
    close(fd);
  data.resize(n > 0 ? static_cast<size_t>(n) : 0);
  http_response r;
  r.content_type = "application/octet-stream";
  r.body = std::move(data);
  return with_cors(request, std::move(r));
}

std::optional<files_error> list_directory(const std::string& root, const std::string& path,
                                          std::vector<file_entry>& out) {
  auto dir = confined(root, path);
  struct stat st {};
  if (dir.empty() || stat(dir.c_str(), &st) != 0)
    return files_error{404, "no such file or directory here: " + path};
  if (!S_ISDIR(st.st_mode))
    return files_error{400, "not a directory: " + path};
  DIR* d = opendir(dir.c_str());
  if (d == nullptr)
    return files_error{404, "cannot open the directory: " + path};
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..")
      continue;
    struct stat f {};
    if (lstat((dir + "/" + name).c_str(), &f) != 0)
      continue; // gone since readdir
    file_entry entry;
    entry.path = path + (path.back() == '/' ? "" : "/") + name;
    entry.nlink = static_cast<uint64_t>(f.st_nlink);
    entry.size = static_cast<uint64_t>(f.st_size);
    entry.mtime_ns = static_cast<int64_t>(f.st_mtime) * 1000000000;
    entry.mode = static_cast<uint32_t>(f.st_mode);
    entry.uid = owner(f.st_uid);
    entry.gid = group(f.st_gid);
    out.push_back(std::move(entry));
  }
  closedir(d);
  return std::nullopt;
}

std::optional<files_error> read_bytes(const std::string& root, const std::string& path,
                                      uint64_t offset, uint64_t length, uint64_t& size,
                                      std::string& data) {
  auto file = confined(root, path);
  struct stat st {};
  if (file.empty() || stat(file.c_str(), &st) != 0)
    return files_error{404, "no such file or directory here: " + path};
  if (S_ISDIR(st.st_mode))
    return files_error{400, "cannot read a directory: " + path};
  if (!S_ISREG(st.st_mode))
    return files_error{400, "not a regular file: " + path};
  size = static_cast<uint64_t>(st.st_size);
  offset = std::min(offset, size);
  uint64_t left = size - offset;
  uint64_t n = std::min(length == 0 ? left : std::min(length, left), limits::files_read_max_bytes);
  data.assign(static_cast<size_t>(n), '\0');
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  ssize_t got = fd < 0 ? -1 : pread(fd, data.data(), data.size(), static_cast<off_t>(offset));
  if (fd >= 0)
    close(fd);
  if (got < 0)
    return files_error{404, "cannot read the file: " + path};
  data.resize(static_cast<size_t>(got));
  return std::nullopt;
}

} // namespace cairn
