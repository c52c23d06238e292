// Durations, sizes and flag spellings in Mesos' forms.
#include <doctest/doctest.h>

#include "runtime/duration.hpp"
#include "runtime/errors.hpp"
#include "runtime/flags.hpp"

using namespace cairn;
using namespace std::chrono_literals;

TEST_CASE("Mesos' duration forms and the short ones") {
  CHECK(parse_duration("15secs").value() == 15s);
  CHECK(parse_duration("15s").value() == 15s);
  CHECK(parse_duration("500ms").value() == 500ms);
  CHECK(parse_duration("2mins").value() == 2min);
  CHECK(parse_duration("1hrs").value() == 1h);
  CHECK(parse_duration("1.5days").value() == 36h);
  CHECK(parse_duration("10us").value() == 10us);
  CHECK(!parse_duration("15"));
  CHECK(!parse_duration("fast"));
  CHECK(error_message(parse_duration("5parsecs").error()).find("5parsecs") != std::string::npos);
  // Out of range is refused, not wrapped into a negative or a nonsense value.
  CHECK(!parse_duration("-1secs"));
  CHECK(!parse_duration("1e300secs"));
  CHECK(!parse_duration("300years"));
  CHECK(!parse_duration("1000000weeks"));
  CHECK(format_duration(15s) == "15secs");
  CHECK(format_duration(500ms) == "500ms");
  // Mesos' rendering: the largest unit not above the value.
  CHECK(format_duration(900s) == "15mins");
  CHECK(format_duration(90s) == "1.5mins");
  CHECK(format_duration(1500ms) == "1.5secs");
  CHECK(format_duration(std::chrono::hours(24 * 7)) == "1weeks");
  CHECK(format_duration(std::chrono::hours(36)) == "1.5days");
  CHECK(format_duration(10us) == "10us");
  CHECK(format_duration(0ns) == "0ns");
  CHECK(format_duration(duration{20000000000} / 3) == "6.666666666secs");
  // What it writes reads back.
  for (duration d : {duration{900s}, duration{90s}, duration{1500ms}, duration{7ns}})
    CHECK(parse_duration(format_duration(d)).value() == d);
}

TEST_CASE("sizes") {
  CHECK(parse_bytes("1GB").value() == 1073741824ull);
  CHECK(parse_bytes("512MB").value() == 536870912ull);
  CHECK(parse_bytes("100").value() == 100);
  CHECK(!parse_bytes("1XB"));
  CHECK(!parse_bytes("-1MB"));
  CHECK(!parse_bytes("18446744073709551616"));
  CHECK(!parse_bytes("1e20TB"));
}

TEST_CASE("every flag has Mesos' and the dashed spelling, and an environment name") {
  CHECK(flag_spellings("work-dir") == "--work-dir,--work_dir");
  CHECK(flag_spellings("agents") == "--agents");
  CHECK(flag_env_name("work-dir") == "CAIRN_WORK_DIR");
  CLI::App app;
  duration interval = 1s;
  std::string dir;
  add_duration_flag(app, "allocation-interval", interval, "");
  add_flag(app, "work-dir", dir, "");
  const char* argv[] = {"x", "--allocation_interval=250ms", "--work-dir", "/w"};
  app.parse(4, const_cast<char**>(argv));
  CHECK(interval == 250ms);
  CHECK(dir == "/w");
  CLI::App bad;
  add_duration_flag(bad, "allocation-interval", interval, "");
  const char* wrong[] = {"x", "--allocation-interval=soon"};
  CHECK_THROWS(bad.parse(2, const_cast<char**>(wrong)));
}
