#include "actors/cron/tz_database.hpp"

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

caf::expected<std::shared_ptr<const time_zone>> find_time_zone(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const time_zone>> zones;
  if (name == "UTC" || name == "Z" || name == "Etc/UTC")
    return time_zone::utc();
  if (!plausible_name(name))
    return make_error("unknown time zone '" + name + "'");
  std::lock_guard<std::mutex> guard{mutex};
  if (auto it = zones.find(name); it != zones.end())
    return it->second;
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  if (!in)
    return make_error("unknown time zone '" + name + "' (not in /usr/share/zoneinfo)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (bytes.str().size() > max_zone_file_bytes)
    return make_error("time zone '" + name + "': file too large");
  auto zone = time_zone::from_tzif(name, bytes.str());
  if (zone && zones.size() < max_zones)
    zones.emplace(name, *zone);
  return zone;
}

} // namespace cairn::cron
