// A flag table takes a flag from the command line, then CAIRN_*, then
// MESOS_*, lists every flag with its value, and refuses Mesos flags it does
// not have wherever they are given.
#include <doctest/doctest.h>

#include "runtime/errors.hpp"
#include "runtime/flag_table.hpp"

using namespace cairn;

namespace {

struct command {
  uint16_t port = 5050;
  std::string work_dir;
  duration interval = std::chrono::seconds(1);
  size_t quorum = 0;
  bool switch_user = true;
  flag_table table;
  CLI::App app{"test"};
  CLI::App* sub = nullptr;

  command() {
    table.add({"port", "http_port"}, port, "HTTP port");
    table.add({"work_dir"}, work_dir, "work dir");
    table.add({"allocation_interval"}, interval, "interval");
    table.add({"quorum"}, quorum, "quorum");
    table.add({"switch_user"}, switch_user, "switch user");
    table.refuse({{"zk", "use --masters"}, {"hostname_lookup", ""}, {"work_dir", "never"}});
    sub = app.add_subcommand("master");
    table.add_to(*sub);
  }

  // Parses `line` and applies `env`; the error's message, or "" on success.
  std::string run(const std::string& line, const environment& env = {}) {
    app.parse("master " + line, false);
    auto err = table.finish(*sub, env);
    return err ? error_message(err) : "";
  }
};

} // namespace

TEST_CASE("both spellings and every name of a flag are taken on the command line") {
  command a;
  CHECK(a.run("--work-dir /a --http_port 1") == "");
  CHECK(a.work_dir == "/a");
  CHECK(a.port == 1);
  command b;
  CHECK(b.run("--work_dir=/b --port=2") == "");
  CHECK(b.work_dir == "/b");
  CHECK(b.port == 2);
}

TEST_CASE("the command line wins over CAIRN_*, which wins over MESOS_*") {
  environment env = {{"MESOS_PORT", "3"}, {"CAIRN_HTTP_PORT", "4"}, {"MESOS_WORK_DIR", "/m"},
                     {"CAIRN_WORK_DIR", "/c"}, {"MESOS_ALLOCATION_INTERVAL", "2secs"}};
  command a;
  CHECK(a.run("", env) == "");
  CHECK(a.port == 4);
  CHECK(a.work_dir == "/c");
  CHECK(a.interval == std::chrono::seconds(2));
  command b;
  CHECK(b.run("--port 5 --work-dir /cli", env) == "");
  CHECK(b.port == 5);
  CHECK(b.work_dir == "/cli");
}

TEST_CASE("MESOS_* is read in Mesos' lower-case form too") {
  command a;
  CHECK(a.run("", {{"MESOS_work_dir", "/lower"}, {"MESOS_PORT", "6"}}) == "");
  CHECK(a.work_dir == "/lower");
  CHECK(a.port == 6);
}

TEST_CASE("two names of one flag with different values in one prefix are refused") {
  command a;
  auto msg = a.run("", {{"CAIRN_PORT", "7"}, {"CAIRN_HTTP_PORT", "8"}});
  CHECK(msg.find("CAIRN_PORT and CAIRN_HTTP_PORT") != std::string::npos);
  command b;
  CHECK(b.run("", {{"CAIRN_PORT", "7"}, {"CAIRN_HTTP_PORT", "7"}}) == "");
  CHECK(b.port == 7);
}

TEST_CASE("a bad value from the environment is refused naming the variable") {
  command a;
  CHECK(a.run("", {{"MESOS_PORT", "http"}}).rfind("MESOS_PORT: 'http' is not a whole number", 0)
        == 0);
  command b;
  CHECK(b.run("", {{"MESOS_PORT", "70000"}}).find("from 0 to 65535") != std::string::npos);
  command c;
  CHECK(c.run("", {{"MESOS_ALLOCATION_INTERVAL", "soon"}}).rfind("MESOS_ALLOCATION_INTERVAL: ", 0)
        == 0);
  CHECK(c.interval == std::chrono::seconds(1));
}

TEST_CASE("a bad value on the command line stops the parse naming the flag") {
  command a;
  CHECK_THROWS_AS(a.app.parse("master --port -3", false), CLI::ParseError);
  command b;
  CHECK_THROWS_WITH_AS(b.app.parse("master --port 99999", false),
                       doctest::Contains("--port"), CLI::ValidationError);
  command c;
  CHECK_THROWS_AS(c.app.parse("master --port 1 --http-port 2", false), CLI::ParseError);
}

TEST_CASE("a Mesos flag the table does not have is refused, with its hint") {
  for (const auto* line : {"--zk zk://h:2181/mesos", "--zk=zk://h:2181/mesos", "--zk"}) {
    command a;
    CHECK(a.run(line) == "--zk is a Mesos flag that cairn does not have (use --masters)");
  }
  command b;
  CHECK(b.run("--no-hostname_lookup")
        == "--hostname_lookup is a Mesos flag that cairn does not have");
  command c;
  CHECK(c.run("--hostname-lookup=false")
        == "--hostname_lookup is a Mesos flag that cairn does not have");
}

TEST_CASE("a MESOS_* variable naming a Mesos flag the table does not have is refused") {
  command a;
  CHECK(a.run("", {{"MESOS_ZK", "zk://h:2181/mesos"}, {"MESOS_PORT", "1"}})
        == "MESOS_ZK: --zk is a Mesos flag that cairn does not have (use --masters)");
  command b;
  CHECK(b.run("", {{"MESOS_zk", "zk://h/mesos"}}).rfind("MESOS_zk: --zk is a Mesos flag", 0) == 0);
}

TEST_CASE("MESOS_* variables that name no Mesos flag, and other variables, are ignored") {
  command a;
  CHECK(a.run("", {{"MESOS_SANDBOX", "/s"}, {"CAIRN_ZK", "x"}, {"PATH", "/bin"}}) == "");
  CHECK(a.port == 5050);
}

TEST_CASE("a flag the table has is never refused, though a Mesos list names it") {
  command a;
  CHECK(a.run("", {{"MESOS_WORK_DIR", "/w"}}) == "");
  CHECK(a.work_dir == "/w");
  CHECK(a.table.has("work_dir"));
  CHECK(a.table.has("http_port"));
  CHECK_FALSE(a.table.has("zk"));
}

TEST_CASE("unknown flags and stray arguments are refused") {
  command a;
  CHECK(a.run("--frobnicate=1") == "unknown flag --frobnicate (see --help)");
  command b;
  CHECK(b.run("stray") == "unexpected argument 'stray'");
}

TEST_CASE("values lists every flag under its first name, with its current value") {
  command a;
  CHECK(a.run("--http-port 9", {{"MESOS_ALLOCATION_INTERVAL", "500ms"}}) == "");
  flag_values expected = {
    {"port", "9"}, {"work_dir", ""}, {"allocation_interval", "500ms"}, {"quorum", "0"},
    {"switch_user", "true"}};
  CHECK(a.table.values() == expected);
}

TEST_CASE("parse_unsigned takes whole numbers within the bound only") {
  CHECK(*parse_unsigned("0", 10) == 0);
  CHECK(*parse_unsigned("18446744073709551615", UINT64_MAX) == UINT64_MAX);
  CHECK_FALSE(parse_unsigned("18446744073709551616", UINT64_MAX));
  CHECK_FALSE(parse_unsigned("11", 10));
  CHECK_FALSE(parse_unsigned("", 10));
  CHECK_FALSE(parse_unsigned("+1", 10));
  CHECK_FALSE(parse_unsigned("1 ", 10));
}

TEST_CASE("a boolean flag is taken bare, with a value, negated, and from the environment") {
  command bare;
  bare.switch_user = false;
  CHECK(bare.run("--switch_user") == "");
  CHECK(bare.switch_user);
  command valued;
  CHECK(valued.run("--switch-user=false") == "");
  CHECK_FALSE(valued.switch_user);
  command negated;
  CHECK(negated.run("--no-switch_user --port 7") == "");
  CHECK_FALSE(negated.switch_user);
  CHECK(negated.port == 7);
  command from_env;
  CHECK(from_env.run("", {{"MESOS_SWITCH_USER", "false"}}) == "");
  CHECK_FALSE(from_env.switch_user);
  command bad;
  CHECK_THROWS_AS(bad.run("--switch_user=maybe"), CLI::ParseError);
}
