#include "actors/services/app_id.hpp"

namespace cairn::services {

const char* const segment_pattern =
  "^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|"
  "(\\.|\\.\\.)$";

namespace {

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// One label of a segment: [a-z0-9]([a-z0-9-]*[a-z0-9])?
bool label_ok(std::string_view l) {
  if (l.empty() || !alnum(l.front()) || !alnum(l.back()))
    return false;
  for (char c : l)
    if (!alnum(c) && c != '-')
      return false;
  return true;
}

// Dot-separated labels, each one a label.
bool segment_ok(std::string_view s) {
  size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    if (!label_ok(s.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

} // namespace

std::string path_id::str() const {
  if (segments.empty())
    return "/";
  std::string out;
  for (const auto& s : segments)
    out += "/" + s;
  return out;
}

path_id path_id::parent() const {
  path_id p = *this;
  if (!p.segments.empty())
    p.segments.pop_back();
  return p;
}

parsed_id parse_path_id(std::string_view text, const path_id& base) {
  path_id id;
  if (text.empty() || text.front() != '/')
    id = base;
  size_t start = 0;
  while (start <= text.size()) {
    auto slash = text.find('/', start);
    auto seg = text.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (seg == "..") {
      if (id.segments.empty())
        return {std::nullopt, "'" + std::string(text) + "' reaches above the root group"};
      id.segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      if (!segment_ok(seg))
        return {std::nullopt, "must fully match regular expression '" +
                                std::string(segment_pattern) + "'"};
      id.segments.emplace_back(seg);
    }
    if (slash == std::string_view::npos)
      break;
    start = slash + 1;
  }
  return {id, ""};
}

} // namespace cairn::services
