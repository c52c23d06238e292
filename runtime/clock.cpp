#include "runtime/clock.hpp"

#include <chrono>
#include <thread>

namespace cairn {

namespace {

std::function<double()>& source() {
  static std::function<double()> fn;
  return fn;
}

} // namespace

double wall_clock_seconds() {
  if (source())
    return source()();
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void pause_thread_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

double monotonic_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

void set_wall_clock(std::function<double()> fn) {
  source() = std::move(fn);
}

} // namespace cairn
