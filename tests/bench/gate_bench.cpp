// What the actor gate costs: request/response round trips between two actor
// systems over loopback, to an actor published directly by CAF's middleman
// and to the same actor behind a gate (p50, p99, and messages per second with
// 64 in flight). Prints figures; asserts nothing.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <fmt/format.h>

#include "runtime/actor_gate.hpp"
#include "runtime/system.hpp"

using namespace cairn;

namespace {

using echo_actor = caf::typed_actor<caf::replies_to<std::string>::with<std::string>>;
using clock_type = std::chrono::steady_clock;

echo_actor::behavior_type echo() {
  return {[](const std::string& x) { return x; }};
}

void measure(const char* what, caf::actor_system& client, uint16_t port) {
  auto remote = client.middleman().remote_actor<echo_actor>("127.0.0.1", port);
  if (!remote) {
    fmt::print("{}: cannot connect: {}\n", what, client.render(remote.error()));
    return;
  }
  caf::scoped_actor self{client};
  std::string body(256, 'x');
  std::vector<double> us;
  constexpr int rounds = 5000;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = clock_type::now();
    self->request(*remote, std::chrono::seconds(10), body).receive([](const std::string&) {},
                                                                   [](caf::error&) {});
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  // Throughput: 64 requests in flight at a time.
  constexpr int total = 50000, window = 64;
  auto t0 = clock_type::now();
  for (int sent = 0; sent < total; sent += window) {
    for (int k = 0; k < window; ++k)
      self->send(*remote, body);
    for (int k = 0; k < window; ++k)
      self->receive([](const std::string&) {});
  }
  double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  fmt::print("{:<22} round trip p50 {:6.1f} us  p99 {:6.1f} us   {:8.0f} msgs/s (64 in flight)\n",
             what, us[rounds / 2], us[rounds * 99 / 100], total / secs);
}

} // namespace

int main() {
  system_config server_cfg;
  caf::actor_system server{server_cfg};
  auto echoing = server.spawn(echo);
  auto direct = server.middleman().publish(echoing, 0, "127.0.0.1", true);
  auto gated = publish_actor(server, echoing, "127.0.0.1", 0);
  if (!direct || !gated) {
    fmt::print("cannot publish\n");
    return 1;
  }
  {
    system_config cfg;
    caf::actor_system client{cfg};
    measure("direct (middleman)", client, *direct);
  }
  {
    system_config cfg;
    caf::actor_system client{cfg};
    measure("behind the gate", client, (*gated)->port());
  }
  caf::anon_send_exit(echoing, caf::exit_reason::user_shutdown);
  return 0;
}
