#include "runtime/log.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

#include "runtime/text.hpp"

namespace cairn {

namespace {

std::mutex loggers_mutex;

// The level given at start, and the verbosity set over the API on top of it.
std::mutex verbosity_mutex;
spdlog::level::level_enum base_level = spdlog::level::info;
uint32_t verbosity = 0;
uint64_t verbosity_generation = 0;

spdlog::level::level_enum level_of(uint32_t v) {
  if (v == 0)
    return base_level;
  return v == 1 ? spdlog::level::debug : spdlog::level::trace;
}

// Messages often quote what outside input said (a framework's name, a task
// id): escaping their control characters and invalid UTF-8 keeps each line
// one line of text, whatever the input was.
class escaping_sink final : public spdlog::sinks::sink {
public:
  explicit escaping_sink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {
  }

  void log(const spdlog::details::log_msg& msg) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    bool plain = std::all_of(payload.begin(), payload.end(), [](char c) {
      auto b = static_cast<unsigned char>(c);
      return b >= 0x20 && b < 0x7f;
    });
    if (plain)
      return inner_->log(msg);
    std::string escaped = escape_for_log(payload);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
    inner_->log(copy);
  }

  void flush() override {
    inner_->flush();
  }

  void set_pattern(const std::string& pattern) override {
    inner_->set_pattern(pattern);
  }

  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

private:
  spdlog::sink_ptr inner_;
};

spdlog::sink_ptr shared_sink() {
  static spdlog::sink_ptr sink =
    std::make_shared<escaping_sink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
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
  {
    std::lock_guard<std::mutex> guard{verbosity_mutex};
    base_level = parsed;
    verbosity = 0;
  }
  spdlog::set_level(parsed);
  spdlog::set_pattern("%L%m%d %H:%M:%S.%f %5t %n] %v");
  return true;
}

uint32_t logging_verbosity() {
  std::lock_guard<std::mutex> guard{verbosity_mutex};
  return verbosity;
}

uint64_t set_logging_verbosity(uint32_t level) {
  std::lock_guard<std::mutex> guard{verbosity_mutex};
  verbosity = level;
  spdlog::set_level(level_of(level));
  return ++verbosity_generation;
}

void revert_logging_verbosity(uint64_t generation) {
  std::lock_guard<std::mutex> guard{verbosity_mutex};
  if (generation != verbosity_generation)
    return;
  verbosity = 0;
  spdlog::set_level(level_of(0));
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
