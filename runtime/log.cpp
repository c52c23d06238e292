#include "runtime/log.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace cairn {

namespace {

std::mutex loggers_mutex;

spdlog::sink_ptr shared_sink() {
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return sink;
}

} // namespace

bool setup_logging(const std::string& level) {
  std::string lower = level;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "warning")
    lower = "warn";
  auto parsed = spdlog::level::from_str(lower);
  if (parsed == spdlog::level::off && lower != "off")
    return false;
  spdlog::set_level(parsed);
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %5t %n] %v");
  return true;
}

std::shared_ptr<spdlog::logger> logger(const std::string& role) {
  std::lock_guard<std::mutex> guard{loggers_mutex};
  if (auto existing = spdlog::get(role))
    return existing;
  auto made = std::make_shared<spdlog::logger>(role, shared_sink());
  spdlog::initialize_logger(made); // takes the global level and pattern
  return made;
}

} // namespace cairn
