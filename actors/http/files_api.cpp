#include "actors/http/files_api.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "actors/http/routes.hpp"
#include "runtime/limits.hpp"
#include "schema/state.capnp.h"

namespace cairn {

namespace {

// As `ls -l` and Mesos' listings write it.
std::string mode_string(mode_t m) {
  char type = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISFIFO(m) ? 'p' : S_ISCHR(m) ? 'c'
            : S_ISBLK(m) ? 'b' : S_ISSOCK(m) ? 's' : '-';
  std::string s(1, type);
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    s += (m & (1 << (8 - i))) ? rwx[i] : '-';
  return s;
}

std::string owner(uid_t uid) {
  passwd pw {};
  passwd* found = nullptr;
  char buf[1024];
  getpwuid_r(uid, &pw, buf, sizeof buf, &found);
  return found ? found->pw_name : std::to_string(uid);
}

std::string group(gid_t gid) {
  struct group gr {};
  struct group* found = nullptr;
  char buf[1024];
  getgrgid_r(gid, &gr, buf, sizeof buf, &found);
  return found ? found->gr_name : std::to_string(gid);
}

// JSON strings must be UTF-8, and readers page by the bytes they got: a
// character cut at the end of a page is left for the next page, and a byte
// that is not UTF-8 becomes '?', so the answer's length in bytes is always
// the number of bytes of the file it covers. NUL and other control bytes
// stay, written as \u0000 escapes.
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

http_response error_response(const http_request& request, const files_error& e) {
  return with_cors(request, text_response(e.status, e.message));
}

// Opens `asked` for reading its bytes: a regular file, nothing else.
std::optional<files_error> open_regular(const std::string& root, const std::string& asked,
                                        const char* verb, opened_path& file) {
  if (auto failed = open_files_path(root, asked, file))
    return failed;
  if (S_ISDIR(file.st.st_mode))
    return files_error{400, std::string("Cannot ") + verb + " a directory: " + asked};
  if (!S_ISREG(file.st.st_mode))
    return files_error{400, "'" + asked + "' is not a regular file (FIFOs, devices and "
                            "sockets are not read)"};
  return std::nullopt;
}

// Up to `n` bytes from `offset`, fewer at the end of the file.
std::optional<files_error> read_at(int fd, uint64_t offset, uint64_t n, std::string& data) {
  data.assign(static_cast<size_t>(n), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t r = pread(fd, data.data() + got, data.size() - got,
                      static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return files_error{500, std::string("cannot read the file: ") + std::strerror(errno)};
    if (r == 0)
      break;
    got += static_cast<size_t>(r);
  }
  data.resize(got);
  return std::nullopt;
}

bool has_param(const std::string& query, const std::string& name) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos)
      end = query.size();
    auto pair = query.substr(start, end - start);
    if (pair.substr(0, pair.find('=')) == name)
      return true;
    start = end + 1;
  }
  return false;
}

// A file's name as a header may carry it: other bytes become '_'.
std::string header_safe_name(const std::string& path) {
  auto slash = path.rfind('/');
  std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  for (auto& c : name)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == ';')
      c = '_';
  return name;
}

// A query parameter that must be an integer of at least -1, or absent.
std::optional<files_error> integer_param(const http_request& request, const char* name,
                                         std::optional<long long>& out) {
  auto text = request.query_param(name);
  if (text.empty() && !has_param(request.query, name))
    return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno != 0 || *end != '\0')
    return files_error{400, std::string("Failed to parse ") + name + ": '" + text + "'"};
  if (v < -1)
    return files_error{400, std::string("Negative ") + name + " provided: " + text};
  out = v;
  return std::nullopt;
}

} // namespace

std::optional<files_error> list_directory(const std::string& root, const std::string& path,
                                          std::vector<file_entry>& out) {
  opened_path dir;
  if (auto failed = open_files_path(root, path, dir))
    return failed;
  if (!S_ISDIR(dir.st.st_mode))
    return files_error{400, "not a directory: " + path};
  DIR* d = fdopendir(dir.fd.get());
  if (d == nullptr)
    return files_error{500, "cannot list the directory: " + path};
  dir.fd.release(); // closedir closes it
  std::optional<files_error> failed;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..")
      continue;
    if (out.size() >= limits::files_browse_max_entries) {
      failed = files_error{400, "more than " + std::to_string(limits::files_browse_max_entries)
                                  + " entries in " + path + "; not listed"};
      break;
    }
    // Links are described, never followed: a link out says nothing of its target.
    struct stat f {};
    if (fstatat(dirfd(d), name.c_str(), &f, AT_SYMLINK_NOFOLLOW) != 0)
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
  if (failed) {
    out.clear();
    return failed;
  }
  std::sort(out.begin(), out.end(),
            [](const file_entry& a, const file_entry& b) { return a.path < b.path; });
  return std::nullopt;
}

std::optional<files_error> read_bytes(const std::string& root, const std::string& path,
                                      uint64_t offset, std::optional<uint64_t> length,
                                      uint64_t& size, std::string& data) {
  opened_path file;
  if (auto failed = open_regular(root, path, "read", file))
    return failed;
  size = static_cast<uint64_t>(file.st.st_size);
  data.clear();
  if (offset >= size || length == uint64_t{0})
    return std::nullopt;
  uint64_t n = std::min(length.value_or(size - offset), limits::files_read_max_bytes);
  return read_at(file.fd.get(), offset, n, data);
}

http_response browse_files(const std::string& root, const http_request& request) {
  auto asked = request.query_param("path");
  std::vector<file_entry> entries;
  if (auto failed = list_directory(root, asked, entries))
    return error_response(request, *failed);
  wire_builder<schema::state::FileList> b;
  auto list = b->initFiles(static_cast<unsigned>(entries.size()));
  for (unsigned i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    list[i].setPath(e.path);
    list[i].setNlink(static_cast<int64_t>(e.nlink));
    list[i].setSize(static_cast<int64_t>(e.size));
    list[i].setMtime(e.mtime_ns / 1000000000);
    list[i].setMode(mode_string(static_cast<mode_t>(e.mode)));
    list[i].setUid(e.uid);
    list[i].setGid(e.gid);
  }
  return with_cors(request, json_response(to_json(std::move(b).finish()->getFiles())));
}

http_response read_file(const std::string& root, const http_request& request) {
  auto asked = request.query_param("path");
  if (asked.empty())
    return error_response(request, {400, "Expecting 'path=value' in query."});
  // Mesos: no offset (or -1) asks for the size only, the offset to follow
  // from; no length (or -1) reads to the end, a page at most.
  std::optional<long long> offset;
  std::optional<long long> length;
  if (auto bad = integer_param(request, "offset", offset))
    return error_response(request, *bad);
  if (auto bad = integer_param(request, "length", length))
    return error_response(request, *bad);
  bool size_only = !offset || *offset == -1;
  std::optional<uint64_t> to_read;
  if (size_only)
    to_read = 0;
  else if (length && *length >= 0)
    to_read = static_cast<uint64_t>(*length);
  uint64_t size = 0;
  std::string data;
  uint64_t from = size_only ? 0 : static_cast<uint64_t>(*offset);
  if (auto failed = read_bytes(root, asked, from, to_read, size, data))
    return error_response(request, *failed);
  data = valid_utf8(std::move(data));
  wire_builder<schema::state::FileData> b;
  b->setData(kj::StringPtr(data.c_str(), data.size()));
  b->setOffset(size_only ? static_cast<int64_t>(size) : *offset);
  return with_cors(request, json_response(to_json(std::move(b).finish().get())));
}

http_response download_file(const std::string& root, const http_request& request) {
  auto asked = request.query_param("path");
  if (asked.empty())
    return error_response(request, {400, "Expecting 'path=value' in query."});
  opened_path file;
  if (auto failed = open_regular(root, asked, "download", file))
    return error_response(request, *failed);
  auto size = static_cast<uint64_t>(file.st.st_size);
  if (size > limits::files_download_max_bytes)
    return with_cors(request, text_response(413, "file too large to download at once; use "
                                                 "/files/read with offset and length"));
  http_response r;
  if (auto failed = read_at(file.fd.get(), 0, size, r.body))
    return error_response(request, *failed);
  r.content_type = "application/octet-stream";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=" + header_safe_name(asked));
  return with_cors(request, std::move(r));
}

} // namespace cairn
