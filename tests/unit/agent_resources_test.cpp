// What an agent offers: detected as Mesos detects it, overridden by
// --resources, and shared out when several agents run on one machine.
#include <doctest/doctest.h>

#include "actors/agent/agent.hpp"

using namespace cairn;

TEST_CASE("an agent alone detects the machine, leaving Mesos' share for the system") {
  auto r = agent_resources("", 8, 16384, 100000, {}).value();
  CHECK(r.get_scalar("cpus") == doctest::Approx(8));
  CHECK(r.get_scalar("mem") == doctest::Approx(15360));
  CHECK(r.get_scalar("disk") == doctest::Approx(94880));
  CHECK(r.to_string().find("ports(*):[31000-32000]") != std::string::npos);
  // What --resources gives is taken as given.
  auto given = agent_resources("cpus:2;ports:[40000-40010]", 8, 16384, 100000, {}).value();
  CHECK(given.get_scalar("cpus") == doctest::Approx(2));
  CHECK(given.to_string().find("[40000-40010]") != std::string::npos);
}

TEST_CASE("agents sharing a machine offer no more than it has, and no port twice") {
  double cpus = 0, mem = 0, disk = 0;
  std::vector<std::string> ports;
  for (unsigned i = 0; i < 3; ++i) {
    auto r = agent_resources("", 2, 4096, 20000, {i, 3}).value();
    cpus += r.get_scalar("cpus");
    mem += r.get_scalar("mem");
    disk += r.get_scalar("disk");
    ports.push_back(r.to_string());
  }
  CHECK(cpus <= 2);
  CHECK(cpus >= 1.98);
  CHECK(mem <= 3072);
  CHECK(disk <= 14880);
  CHECK(ports[0].find("[31000-31332]") != std::string::npos);
  CHECK(ports[1].find("[31333-31666]") != std::string::npos);
  CHECK(ports[2].find("[31667-32000]") != std::string::npos);
  // Given resources are not divided: the operator chose them.
  auto given = agent_resources("mem:512", 2, 4096, 20000, {1, 3}).value();
  CHECK(given.get_scalar("mem") == doctest::Approx(512));
}

TEST_CASE("a share that cannot be had is refused") {
  CHECK(!agent_resources("", 2, 4096, 20000, {3, 3}));
  CHECK(!agent_resources("", 2, 4096, 20000, {0, 0}));
  CHECK(!agent_resources("", 2, 4096, 20000, {0, 2000}));  // 1001 ports among 2000
  CHECK(!agent_resources("cpus:x", 2, 4096, 20000, {}));
}
