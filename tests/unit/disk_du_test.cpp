// disk/du over a temporary sandbox, the measurement driven by the test; and
// --executor_environment_variables as Mesos reads it.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include <capnp/message.h>
#include <vector>

#include "actors/agent/executor_environment.hpp"
#include "actors/agent/isolators/cgroup_values.hpp"
#include "actors/agent/isolators/disk_du.hpp"
#include "actors/agent/sandbox_gc.hpp"
#include "runtime/errors.hpp"

using namespace cairn;

namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/cairn-du-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

// Writes `bytes` of real data (not a hole), so that blocks are allocated.
void write_file(const std::string& path, size_t bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  std::vector<char> chunk(65536, 'x');
  for (size_t done = 0; done < bytes;) {
    size_t n = std::min(chunk.size(), bytes - done);
    REQUIRE(write(fd, chunk.data(), n) == static_cast<ssize_t>(n));
    done += n;
  }
  REQUIRE(fsync(fd) == 0);
  close(fd);
}

schema::containerizer::ResourceStatistics::Reader usage_of(
  isolator& iso, const std::string& container, capnp::MallocMessageBuilder& message) {
  auto stats = message.initRoot<schema::containerizer::ResourceStatistics>();
  iso.usage(container, stats);
  return stats.asReader();
}

constexpr uint64_t MB = 1024 * 1024;

} // namespace

TEST_CASE("disk_usage counts allocated blocks in KiB, hard links once, links not followed") {
  auto dir = temp_dir();
  auto empty = disk_usage(dir);
  REQUIRE(empty);
  write_file(dir + "/a", 2 * MB);
  mkdir((dir + "/sub").c_str(), 0755);
  write_file(dir + "/sub/b", 1 * MB);
  auto used = disk_usage(dir);
  REQUIRE(used);
  CHECK(*used % 1024 == 0);
  CHECK(*used >= *empty + 3 * MB);
  CHECK(*used < *empty + 3 * MB + 256 * 1024);
  // A second name of a file, and a link to a big tree elsewhere, add nothing.
  REQUIRE(link((dir + "/a").c_str(), (dir + "/sub/a-again").c_str()) == 0);
  REQUIRE(symlink("/usr", (dir + "/usr").c_str()) == 0);
  auto again = disk_usage(dir);
  REQUIRE(again);
  CHECK(*again < *used + 64 * 1024);
  CHECK(!disk_usage(dir + "/missing"));
  CHECK(remove_tree(dir) == "");
}

TEST_CASE("format_bytes writes Mesos' Bytes") {
  CHECK(format_bytes(0) == "0B");
  CHECK(format_bytes(1500) == "1500B");
  CHECK(format_bytes(MB) == "1MB");
  CHECK(format_bytes(10244 * 1024) == "10244KB");
  CHECK(format_bytes(3ull * 1024 * MB) == "3GB");
}

TEST_CASE("disk/du: a sandbox past its disk is a limitation only when enforced") {
  auto dir = temp_dir();
  for (bool enforce : {false, true}) {
    CAPTURE(enforce);
    disk_du_options options;
    options.enforce_quota = enforce;
    auto iso = make_disk_du_isolator(options);
    CHECK(iso->name() == "disk/du");
    launch_plan plan;
    plan.cwd = dir;
    container_limits limits;
    limits.disk_mb = 1;
    REQUIRE(!iso->prepare("c1", limits, plan));
    CHECK(static_cast<bool>(iso->prepare("c1", limits, plan)));  // prepared twice: refused
    {
      // Before the first measurement: the limit, no figure.
      capnp::MallocMessageBuilder m;
      auto stats = usage_of(*iso, "c1", m);
      CHECK(stats.getDiskLimitBytes() == MB);
      CHECK(stats.getDiskUsedBytes() == 0);
    }
    write_file(dir + "/big", 3 * MB);
    CHECK(!iso->watch("c1"));  // nothing measured yet
    iso->collect();
    capnp::MallocMessageBuilder m;
    auto stats = usage_of(*iso, "c1", m);
    CHECK(stats.getDiskLimitBytes() == MB);
    CHECK(stats.getDiskUsedBytes() >= 3 * MB);
    auto limit = iso->watch("c1");
    if (!enforce) {
      CHECK(!limit);
    } else {
      REQUIRE(limit);
      CHECK(limit->reason == schema::TaskStatus::Reason::CONTAINER_LIMITATION_DISK);
      CHECK(limit->message.rfind("Disk usage (", 0) == 0);
      CHECK(limit->message.find(") exceeds quota (1MB)") != std::string::npos);
      CHECK(!iso->watch("c1"));  // reported once
    }
    REQUIRE(!iso->cleanup("c1"));
    CHECK(!iso->watch("c1"));
    unlink((dir + "/big").c_str());
  }
  CHECK(remove_tree(dir) == "");
}

TEST_CASE("disk/du: within the quota, after a raise, or with no disk asked, no limitation") {
  auto dir = temp_dir();
  disk_du_options options;
  options.enforce_quota = true;
  auto iso = make_disk_du_isolator(options);
  launch_plan plan;
  plan.cwd = dir;
  container_limits limits;
  limits.disk_mb = 1;
  REQUIRE(!iso->prepare("small", limits, plan));
  REQUIRE(!iso->prepare("none", container_limits{}, plan));
  write_file(dir + "/half", MB / 2);
  iso->collect();
  CHECK(!iso->watch("small"));
  write_file(dir + "/more", 2 * MB);
  limits.disk_mb = 10;
  REQUIRE(!iso->update("small", limits));
  iso->collect();
  CHECK(!iso->watch("small"));
  CHECK(!iso->watch("none"));
  capnp::MallocMessageBuilder m;
  auto stats = usage_of(*iso, "none", m);
  CHECK(stats.getDiskLimitBytes() == 0);  // nothing asked, nothing measured
  CHECK(stats.getDiskUsedBytes() == 0);
  CHECK(remove_tree(dir) == "");
}

TEST_CASE("--executor_environment_variables: an object of strings, in order") {
  auto env = parse_executor_environment(R"({"PATH": "/bin:/usr/bin", "LANG": "C", "E": ""})");
  REQUIRE(env);
  CHECK(*env == std::vector<std::string>{"PATH=/bin:/usr/bin", "LANG=C", "E="});
  auto none = parse_executor_environment("{}");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("--executor_environment_variables: anything else is refused, naming the key") {
  auto number = parse_executor_environment(R"({"PATH": "/bin", "N": 3})");
  REQUIRE(!number);
  CHECK(error_message(number.error()).find("'N'") != std::string::npos);
  CHECK(error_message(number.error()).find("not a string") != std::string::npos);
  auto null = parse_executor_environment(R"({"X": null})");
  REQUIRE(!null);
  CHECK(error_message(null.error()).find("'X'") != std::string::npos);
  CHECK(!parse_executor_environment(R"({"A": {"b": "c"}})"));
  CHECK(!parse_executor_environment(R"(["PATH=/bin"])"));
  CHECK(!parse_executor_environment("not json"));
  CHECK(!parse_executor_environment(R"({"A=B": "c"})"));
}
