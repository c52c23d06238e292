#include "actors/agent/fetcher_uri.hpp"

#include <cassert>

#include "runtime/errors.hpp"

namespace cairn {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trim_leading(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r\n");
  return first == std::string::npos ? std::string{} : s.substr(first);
}

bool is_net(const std::string& uri) {
  for (const char* scheme : {"http://", "https://", "ftp://", "ftps://"})
    if (starts_with(uri, scheme))
      return true;
  return false;
}

} // namespace

caf::expected<uri_source> classify_uri(const std::string& value) {
  auto uri = trim_leading(value);
  if (uri.empty())
    return make_error("the URI is empty");
  if (is_net(uri))
    return uri_source{uri_source::kind::net, uri};
  auto scheme_end = uri.find("://");
  if (!starts_with(uri, "file://") && scheme_end != std::string::npos)
    return make_error("scheme '" + uri.substr(0, scheme_end) +
                      "' is not supported (cairn fetches file, http, https, ftp and ftps)");
  std::string path = uri;
  if (starts_with(path, "file://localhost"))
    path = path.substr(16);
  else if (starts_with(path, "file://"))
    path = path.substr(7);
  if (!starts_with(path, "/")) {
    if (starts_with(uri, "file://"))
      return make_error("File URI only supports absolute paths");
    return make_error("A relative path was passed for the resource but the framework home "
                      "(--frameworks_home) is not supported; give an absolute path");
  }
  assert(!path.empty() && path[0] == '/');
  return uri_source{uri_source::kind::local, path};
}

caf::expected<std::string> uri_basename(const std::string& value) {
  auto uri = trim_leading(value);
  if (uri.find_first_of(std::string("\\'\0", 3)) != std::string::npos)
    return make_error("Illegal characters in URI");
  std::string name;
  auto scheme_end = uri.find("://");
  if (scheme_end != std::string::npos && scheme_end > 1) {
    auto rest = uri.substr(scheme_end + 3);
    auto slash = rest.find('/');
    if (slash == std::string::npos || rest.size() <= slash + 1)
      return make_error("Malformed URI (missing path): " + uri);
    name = rest.substr(rest.find_last_of('/') + 1);
  } else {
    name = uri.substr(uri.find_last_of('/') == std::string::npos ? 0 : uri.find_last_of('/') + 1);
  }
  if (name.empty() || name == "." || name == "..")
    return make_error("URI '" + uri + "' names no file (it ends in '" +
                      (name.empty() ? std::string("/") : name) + "'); give output_file");
  assert(name.find('/') == std::string::npos);
  return name;
}

caf::expected<std::string> destination_name(const fetch_uri& uri) {
  if (uri.output_file.empty())
    return uri_basename(uri.value);
  const auto& out = uri.output_file;
  if (out[0] == '/')
    return make_error("output_file '" + out + "' is absolute; it must be relative to the sandbox");
  if (out.find('\0') != std::string::npos)
    return make_error("output_file holds a NUL character");
  size_t begin = 0;
  while (begin <= out.size()) {
    auto end = out.find('/', begin);
    if (end == std::string::npos)
      end = out.size();
    auto part = out.substr(begin, end - begin);
    if (part.empty() || part == "." || part == "..")
      return make_error("output_file '" + out + "' must stay beneath the sandbox (no empty, "
                        "'.' or '..' component)");
    begin = end + 1;
  }
  return out;
}

archive_kind archive_kind_of(const std::string& name) {
  for (const char* suffix : {".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz",
                             ".zip"})
    if (ends_with(name, suffix))
      return archive_kind::archive;
  if (ends_with(name, ".gz"))
    return archive_kind::gzip;
  return archive_kind::none;
}

std::string gunzipped_name(const std::string& name) {
  assert(ends_with(name, ".gz"));
  auto slash = name.find_last_of('/');
  auto base = slash == std::string::npos ? name : name.substr(slash + 1);
  return base.substr(0, base.size() - 3);
}

} // namespace cairn
