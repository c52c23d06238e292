#include "actors/cron/tz_database.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "runtime/errors.hpp"

namespace cairn::cron {

namespace {

// Bounds the cache: the database has about 600 names.
constexpr size_t max_zones = 1024;
constexpr size_t max_zone_file_bytes = 1 << 20;
constexpr const char* zoneinfo_dir = "/usr/share/zoneinfo";

bool plausible_name(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '/' || name.find("..") != std::string::npos)
    return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-'
          || c == '+'))
      return false;
  return true;
}

} // namespace

namespace {

struct zone_cache {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const time_zone>> zones;
  // Set once the whole database is in `zones`: lookups then never read.
  bool preloaded = false;
};

zone_cache& cache() {
  static zone_cache c;
  return c;
}

// One zone file read and parsed; the caller holds the cache's mutex.
caf::expected<std::shared_ptr<const time_zone>> read_zone(zone_cache& c, const std::string& name) {
  std::ifstream in(std::string(zoneinfo_dir) + "/" + name, std::ios::binary);
  if (!in)
    return make_error("unknown time zone '" + name + "' (not in " + zoneinfo_dir + ")");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (bytes.str().size() > max_zone_file_bytes)
    return make_error("time zone '" + name + "': file too large");
  auto zone = time_zone::from_tzif(name, bytes.str());
  if (zone && c.zones.size() < max_zones)
    c.zones.emplace(name, *zone);
  return zone;
}

} // namespace

size_t preload_time_zones() {
  auto& c = cache();
  std::lock_guard<std::mutex> guard{c.mutex};
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(zoneinfo_dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    auto rel = it->path().lexically_relative(zoneinfo_dir).string();
    // posix/ and right/ repeat the database (right/ with leap seconds).
    if (it->is_directory() && (rel == "posix" || rel == "right")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || !plausible_name(rel) || c.zones.count(rel) > 0)
      continue;
    if (c.zones.size() >= max_zones)
      break;
    (void)read_zone(c, rel);  // not a TZif file (zone.tab, ...): not a zone
  }
  c.preloaded = !ec && c.zones.size() < max_zones;
  return c.zones.size();
}

caf::expected<std::shared_ptr<const time_zone>> find_time_zone(const std::string& name) {
  if (name == "UTC" || name == "Z" || name == "Etc/UTC")
    return time_zone::utc();
  if (!plausible_name(name))
    return make_error("unknown time zone '" + name + "'");
  auto& c = cache();
  std::lock_guard<std::mutex> guard{c.mutex};
  if (auto it = c.zones.find(name); it != c.zones.end())
    return it->second;
  if (c.preloaded)
    return make_error("unknown time zone '" + name + "' (not in " + zoneinfo_dir + ")");
  return read_zone(c, name);
}

} // namespace cairn::cron
