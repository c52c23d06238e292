// The sandbox garbage collector's schedule (Mesos' GarbageCollector and
// Slave::age), and the I/O the GC actor does with it.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "actors/agent/gc_schedule.hpp"
#include "actors/agent/sandbox_gc.hpp"

using namespace cairn;
using namespace std::chrono_literals;

namespace {

using clock_point = gc_schedule::time_point;
const clock_point t0{};

gc_policy policy(duration delay, double headroom) {
  gc_policy p;
  p.delay = delay;
  p.disk_headroom = headroom;
  return p;
}

bool exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/cairn-gc-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

} // namespace

TEST_CASE("the maximum age is gc_delay x max(0, 1 - headroom - usage)") {
  auto p = policy(100s, 0.1);
  CHECK(gc_max_age(p, 0.0) == 90s);
  CHECK(gc_max_age(p, 0.5) == 40s);
  CHECK(gc_max_age(p, 0.9) == 0s);
  CHECK(gc_max_age(p, 0.95) == 0s);  // never negative
  CHECK(gc_max_age(policy(1000s, 0), 0.25) == 750s);
}

TEST_CASE("a path is due gc_delay after it was scheduled, not before") {
  gc_schedule s(policy(10s, 0.1));
  s.schedule("/w/a", t0);
  s.schedule("/w/b", t0 + 3s);
  CHECK(s.next_due() == t0 + 10s);
  CHECK(s.due(t0 + 9s).empty());
  CHECK(s.due(t0 + 10s) == std::vector<std::string>{"/w/a"});
  CHECK(!s.scheduled("/w/a"));
  CHECK(s.next_due() == t0 + 13s);
  CHECK(s.due(t0 + 20s) == std::vector<std::string>{"/w/b"});
  CHECK(!s.next_due());
  CHECK(s.size() == 0);
}

TEST_CASE("scheduling again moves a path; unscheduling keeps it") {
  gc_schedule s(policy(10s, 0.1));
  s.schedule("/w/a", t0);
  s.schedule("/w/a", t0 + 5s);
  CHECK(s.size() == 1);
  CHECK(s.due(t0 + 10s).empty());
  CHECK(s.due(t0 + 15s) == std::vector<std::string>{"/w/a"});
  s.schedule("/w/b", t0);
  CHECK(s.unschedule("/w/b"));
  CHECK(!s.unschedule("/w/b"));
  CHECK(s.due(t0 + 100s).empty());
}

TEST_CASE("a filling disk removes what has waited the maximum age") {
  // delay 100 s, headroom 0.1: at 50% usage the maximum age is 40 s.
  gc_schedule s(policy(100s, 0.1));
  s.schedule("/w/old", t0);
  s.schedule("/w/middle", t0 + 30s);
  s.schedule("/w/new", t0 + 55s);
  auto now = t0 + 70s;
  CHECK(s.prune(0.0, now).empty());  // max age 90 s: none has waited that long
  auto pruned = s.prune(0.5, now);    // waited 70 and 40 s
  CHECK(pruned == std::vector<std::string>{"/w/old", "/w/middle"});
  CHECK(s.scheduled("/w/new"));
  // Full past the headroom: everything goes.
  CHECK(s.prune(0.9, now) == std::vector<std::string>{"/w/new"});
  CHECK(s.size() == 0);
}

TEST_CASE("remove_tree removes a sandbox but never follows a link out of it") {
  auto top = temp_dir();
  auto outside = top + "/outside";
  auto sandbox = top + "/sandbox";
  REQUIRE(mkdir(outside.c_str(), 0755) == 0);
  std::ofstream(outside + "/keep") << "precious";
  REQUIRE(mkdir(sandbox.c_str(), 0755) == 0);
  REQUIRE(mkdir((sandbox + "/deep").c_str(), 0755) == 0);
  REQUIRE(mkdir((sandbox + "/deep/er").c_str(), 0700) == 0);
  std::ofstream(sandbox + "/deep/er/stdout") << "output";
  REQUIRE(symlink(outside.c_str(), (sandbox + "/escape").c_str()) == 0);
  CHECK(remove_tree(sandbox) == "");
  CHECK(!exists(sandbox));
  CHECK(exists(outside + "/keep"));
  CHECK(remove_tree(sandbox) == "");  // already gone: nothing to say
  CHECK(remove_tree(top) == "");
  CHECK(!exists(top));
}

TEST_CASE("measure_disk tells how full the file system of a path is") {
  auto fill = measure_disk("/tmp");
  REQUIRE(fill);
  CHECK(fill->usage >= 0);
  CHECK(fill->usage <= 1);
  CHECK(!measure_disk("/no/such/path/at/all"));
}
