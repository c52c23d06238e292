#include "actors/cli/master_http.hpp"

#include <algorithm>
#include <cassert>

#include "runtime/errors.hpp"

namespace cairn {

namespace {

// The start of an error answer's body, on one line, for a message.
std::string excerpt(const std::string& body) {
  constexpr size_t max_chars = 200;
  std::string out = body.substr(0, std::min(body.size(), max_chars));
  for (auto& c : out)
    if (c == '\n' || c == '\r')
      c = ' ';
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out.size() < body.size() ? out + "..." : out;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct url_parts {
  std::string scheme;    // "http://"
  std::string authority; // "host:port"
  std::string path;      // "/master/state?x=1", or "" for none
};

// Splits "http://h:p/path"; a text without a scheme is taken as "h:p/path".
url_parts split_url(const std::string& url) {
  url_parts parts{"http://", url, ""};
  auto sep = url.find("://");
  if (sep != std::string::npos) {
    parts.scheme = url.substr(0, sep + 3);
    parts.authority = url.substr(sep + 3);
  }
  auto slash = parts.authority.find('/');
  if (slash != std::string::npos) {
    parts.path = parts.authority.substr(slash);
    parts.authority.resize(slash);
  }
  return parts;
}

} // namespace

node_http::node_http(std::string role, const std::string& address) : role_(std::move(role)) {
  for (size_t start = 0; start <= address.size();) {
    auto end = std::min(address.find(',', start), address.size());
    auto one = address.substr(start, end - start);
    start = end + 1;
    if (one.empty())
      continue;
    // A path after the address ("http://h:p/") is not where documents live.
    auto parts = split_url(one);
    others_.emplace_back(parts.scheme, parts.authority);
  }
  if (others_.empty())
    others_.emplace_back("http://", address);
  scheme_ = others_.front().first;
  address_ = others_.front().second;
}

std::string node_http::where() const {
  return "the " + role_ + " at " + address_;
}

caf::expected<http_result> node_http::get_any(const std::string& path) {
  assert(!path.empty() && path.front() == '/' && "paths are absolute");
  auto answer = get_here(path);
  if (others_.size() < 2 || (answer && answer->status != 503))
    return answer;
  // Where we asked last is down or has no leader: ask every other one given.
  std::string failures = answer ? where() + " answered 503" : error_message(answer.error());
  auto last = answer;
  auto tried = std::make_pair(scheme_, address_);
  for (const auto& [scheme, address] : others_) {
    if (std::make_pair(scheme, address) == tried)
      continue;
    scheme_ = scheme;
    address_ = address;
    last = get_here(path);
    if (last && last->status != 503)
      return last;
    failures += "; " + (last ? where() + " answered 503" : error_message(last.error()));
  }
  if (last)
    return last; // every master answers, none leads: the caller shows the 503
  return make_error(failures);
}

caf::expected<http_result> node_http::get_here(const std::string& path) {
  std::string url = scheme_ + address_ + path;
  for (int hop = 0;; ++hop) {
    auto answer = http_get(url, cli_http_timeout);
    if (!answer)
      return make_error("cannot reach " + where() + ": " + error_message(answer.error()));
    if (!is_redirect(answer->status))
      return answer;
    auto location = answer->header("location");
    if (location.empty())
      return make_error(where() + " answered GET " + path + " with "
                        + std::to_string(answer->status) + " but no Location to follow");
    if (hop + 1 > cli_max_redirects)
      return make_error(where() + " redirected GET " + path + " more than "
                        + std::to_string(cli_max_redirects) + " times (last to " + location
                        + ")");
    // Mesos' masters answer "//leader:5050/path"; absolute and host-relative
    // forms are resolved the same way a browser would.
    if (location.rfind("//", 0) == 0)
      url = scheme_ + location.substr(2);
    else if (location.front() == '/')
      url = scheme_ + address_ + location;
    else if (location.find("://") != std::string::npos)
      url = location;
    else
      return make_error(where() + " redirected GET " + path + " to '" + location
                        + "', which is not a URL");
    auto parts = split_url(url);
    scheme_ = parts.scheme;
    address_ = parts.authority;
  }
}

caf::expected<std::string> node_http::get(const std::string& path) {
  auto answer = get_any(path);
  if (!answer)
    return answer.error();
  if (answer->status != 200)
    return make_error(where() + " answered GET " + path + " with "
                      + std::to_string(answer->status)
                      + (answer->body.empty() ? "" : ": " + excerpt(answer->body)));
  return std::move(answer->body);
}

std::string url_encode(const std::string& text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

} // namespace cairn
