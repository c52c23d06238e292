#include "actors/agent/isolators/cgroup_mounts.hpp"

#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "runtime/errors.hpp"

namespace cairn {

namespace {

// Mount points spell a space, a tab, a newline and a backslash in octal.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto digits = s.substr(i + 1, 3);
      if (digits.size() == 3 && digits.find_first_not_of("01234567") == std::string::npos) {
        out.push_back(static_cast<char>(std::stoi(digits, nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string trim_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep))
    out.push_back(item);
  return out;
}

struct mount_entry {
  std::string point;
  std::string fstype;
  std::string super_options;
};

// "36 25 0:32 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory"
bool parse_line(const std::string& line, mount_entry& out) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  std::string f;
  while (in >> f)
    fields.push_back(f);
  size_t dash = 0;
  while (dash < fields.size() && fields[dash] != "-")
    ++dash;
  if (dash < 6 || dash + 3 >= fields.size())
    return false;
  out.point = trim_slashes(unescape(fields[4]));
  out.fstype = fields[dash + 1];
  out.super_options = fields[dash + 3];
  return true;
}

// A v1 mount's super options name its subsystems among flags and a name=.
bool is_subsystem(const std::string& option) {
  static const char* const not_subsystems[] = {"rw", "ro", "clone_children", "noprefix",
                                                "xattr", "cpuset_v2_mode", "none"};
  if (option.empty() || option.find('=') != std::string::npos)
    return false;
  for (const char* flag : not_subsystems)
    if (option == flag)
      return false;
  return true;
}

} // namespace

caf::expected<std::string> cgroup_layout::mount_of(const std::string& subsystem) const {
  auto it = mounts.find(subsystem);
  if (it == mounts.end())
    return make_error(fmt::format("the cgroup subsystem '{}' is not mounted", subsystem));
  return it->second;
}

caf::expected<cgroup_layout> detect_cgroups(const std::string& mountinfo,
                                            const std::string& hierarchy) {
  auto root = trim_slashes(hierarchy);
  cgroup_layout layout;
  std::istringstream lines(mountinfo);
  std::string line;
  while (std::getline(lines, line)) {
    mount_entry m;
    if (!parse_line(line, m))
      continue;
    if (m.fstype == "cgroup2" && m.point == root) {
      layout.version = 2;
      layout.unified = m.point;
    } else if (m.fstype == "cgroup" && m.point.rfind(root + "/", 0) == 0) {
      // Later mounts hide earlier ones at the same point: the last wins.
      for (const auto& option : split(m.super_options, ','))
        if (is_subsystem(option))
          layout.mounts[option] = m.point;
    }
  }
  if (layout.version == 2) {
    layout.mounts.clear();
    return layout;
  }
  if (layout.mounts.empty())
    return make_error(fmt::format("no cgroup hierarchy is mounted at {} (--cgroups_hierarchy)",
                                  hierarchy));
  return layout;
}

} // namespace cairn
