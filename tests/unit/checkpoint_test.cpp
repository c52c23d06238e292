// The agent's checkpoints: the store over real files and over a fake that
// crashes after any step, the record framing, and recovery — round trips,
// crashes in the middle of writes, torn and corrupt files reported with
// their path while the rest recovers, acknowledgements, removal.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "actors/agent/checkpoint.hpp"
#include "runtime/errors.hpp"
#include "tests/support/fake_checkpoint_store.hpp"

using namespace cairn;
using cairn::test::fake_checkpoint_store;
namespace fs = std::filesystem;

namespace {

const std::string W = "/w";  // the fake's work dir
const std::string agent = "agent-1";

struct temp_dir {
  std::string path;
  temp_dir() {
    char templ[] = "/tmp/cairn-checkpoint-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    path = templ;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spill(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

wire<schema::AgentInfo> agent_info(const std::string& id = agent) {
  return make_wire<schema::AgentInfo>([&](schema::AgentInfo::Builder a) {
    a.setHostname("host-a");
    a.setPort(5051);
    a.initId().setValue(id);
  });
}

wire<schema::FrameworkInfo> framework_info(const std::string& id, bool checkpoint = true) {
  return make_wire<schema::FrameworkInfo>([&](schema::FrameworkInfo::Builder f) {
    f.setName("fw " + id);
    f.setUser("nobody");
    f.initId().setValue(id);
    f.setCheckpoint(checkpoint);
  });
}

wire<schema::ExecutorInfo> executor_info(const std::string& id, const std::string& fw) {
  return make_wire<schema::ExecutorInfo>([&](schema::ExecutorInfo::Builder e) {
    e.initExecutorId().setValue(id);
    e.initFrameworkId().setValue(fw);
    e.setName("Command Executor (Task: " + id + ")");
  });
}

wire<schema::TaskInfo> task_info(const std::string& id) {
  return make_wire<schema::TaskInfo>([&](schema::TaskInfo::Builder t) {
    t.setName("task " + id);
    t.initTaskId().setValue(id);
    t.initAgentId().setValue(agent);
    t.initCommand().setValue("sleep 100");
  });
}

std::string uuid_of(int n) {
  return std::string(15, 'u') + static_cast<char>('a' + n);
}

wire<schema::agent::StatusUpdate> update(const checkpoint_run& run, const std::string& task,
                                         schema::TaskState state, int n) {
  return make_wire<schema::agent::StatusUpdate>([&](schema::agent::StatusUpdate::Builder u) {
    u.initFrameworkId().setValue(run.framework_id);
    u.initExecutorId().setValue(run.executor_id);
    u.initAgentId().setValue(run.agent_id);
    auto s = u.initStatus();
    s.initTaskId().setValue(task);
    s.setState(state);
    s.setMessage("update " + std::to_string(n));
    auto uuid = uuid_of(n);
    s.setUuid(kj::arrayPtr(reinterpret_cast<const kj::byte*>(uuid.data()), uuid.size()));
  });
}

checkpoint_run run_of(const std::string& work_dir, const std::string& fw = "fw-1",
                      const std::string& ex = "ex-1", const std::string& container = "c-1") {
  return {work_dir, agent, fw, ex, container};
}

std::string updates_path(const checkpoint_run& run, const std::string& task) {
  return run.task_dir(task) + "/task.updates";
}

// A whole agent: two frameworks, the first with an executor running two
// tasks (updates, some acknowledged), the second with nothing yet.
void write_agent(checkpoint_store& store, const std::string& work_dir) {
  REQUIRE_FALSE(write_boot_id(store, work_dir, "boot-1"));
  REQUIRE_FALSE(write_agent_info(store, work_dir, *agent_info()));
  REQUIRE_FALSE(write_framework(store, work_dir, agent, *framework_info("fw-1")));
  REQUIRE_FALSE(write_framework(store, work_dir, agent, *framework_info("fw-2")));
  auto run = run_of(work_dir);
  REQUIRE_FALSE(write_executor(store, run, *executor_info("ex-1", "fw-1"), true));
  REQUIRE_FALSE(write_forked_pid(store, run, 4242));
  REQUIRE_FALSE(write_task(store, run, *task_info("t-1")));
  REQUIRE_FALSE(write_task(store, run, *task_info("t-2")));
  using S = schema::TaskState;
  REQUIRE_FALSE(append_update(store, run, *update(run, "t-1", S::TASK_STARTING, 1)));
  REQUIRE_FALSE(append_update(store, run, *update(run, "t-1", S::TASK_RUNNING, 2)));
  REQUIRE_FALSE(append_ack(store, run, "t-1", uuid_of(1)));
  REQUIRE_FALSE(append_update(store, run, *update(run, "t-2", S::TASK_RUNNING, 3)));
  REQUIRE_FALSE(append_ack(store, run, "t-2", uuid_of(3)));
  REQUIRE_FALSE(append_update(store, run, *update(run, "t-2", S::TASK_FINISHED, 4)));
}

std::string problems_text(const recovered_agent& r) {
  std::string out;
  for (const auto& p : r.problems)
    out += p.path + ": " + p.what + " -> " + p.action + "\n";
  return out;
}

void check_whole_agent(const recovered_agent& r, const std::string& work_dir) {
  INFO(problems_text(r));
  CHECK(r.problems.empty());
  REQUIRE(r.found);
  CHECK(r.agent_id == agent);
  CHECK(std::string(r.info->getHostname()) == "host-a");
  CHECK(r.boot_id == "boot-1");
  REQUIRE(r.frameworks.size() == 2);
  const auto& fw1 = r.frameworks.at("fw-1");
  CHECK(std::string(fw1.info->getName()) == "fw fw-1");
  CHECK(r.frameworks.at("fw-2").executors.empty());
  REQUIRE(fw1.executors.size() == 1);
  const auto& ex = fw1.executors.at("ex-1");
  CHECK(ex.generated_for_command_task);
  CHECK(ex.container_id == "c-1");
  CHECK(ex.sandbox == work_dir + "/slaves/agent-1/frameworks/fw-1/executors/ex-1/runs/c-1");
  CHECK(ex.forked_pid == std::optional<int64_t>(4242));
  CHECK_FALSE(ex.completed);
  CHECK(ex.older_runs.empty());
  REQUIRE(ex.tasks.size() == 2);
  const auto& t1 = ex.tasks.at("t-1");
  CHECK(std::string(t1.info->getCommand().getValue()) == "sleep 100");
  REQUIRE(t1.updates.size() == 2);
  CHECK(t1.updates[0]->getStatus().getState() == schema::TaskState::TASK_STARTING);
  CHECK(t1.state == schema::TaskState::TASK_RUNNING);
  auto pending = t1.unacknowledged();
  REQUIRE(pending.size() == 1);
  CHECK(std::string(pending[0]->getStatus().getMessage()) == "update 2");
  const auto& t2 = ex.tasks.at("t-2");
  CHECK(t2.state == schema::TaskState::TASK_FINISHED);
  REQUIRE(t2.unacknowledged().size() == 1);
  CHECK(std::string(t2.unacknowledged()[0]->getStatus().getMessage()) == "update 4");
}

bool has_problem(const recovered_agent& r, const std::string& path, const std::string& what,
                 const std::string& action) {
  for (const auto& p : r.problems)
    if (p.path == path && p.what.find(what) != std::string::npos &&
        p.action.find(action) != std::string::npos)
      return true;
  return false;
}

} // namespace

TEST_CASE("records: framing finds a torn or corrupt record and keeps those before it") {
  std::string file = frame_record("first") + frame_record("") + frame_record("third one");
  auto whole = read_records(file);
  CHECK(whole.problem.empty());
  CHECK(whole.records == std::vector<std::string>{"first", "", "third one"});
  CHECK(whole.good_bytes == file.size());

  size_t last = file.size() - frame_record("third one").size();
  for (size_t cut = last + 1; cut < file.size(); ++cut) {
    auto scan = read_records(std::string_view(file).substr(0, cut));
    CHECK(scan.torn);
    CHECK(scan.records.size() == 2);
    CHECK(scan.good_bytes == last);
  }
  std::string flipped = file;
  flipped[file.size() - 1] ^= 0x01;
  auto bad = read_records(flipped);
  CHECK_FALSE(bad.torn);
  CHECK(bad.problem.find("checksum") != std::string::npos);
  CHECK(bad.records.size() == 2);
  // The CRC-32C check value.
  CHECK(crc32c("123456789") == 0xE3069283u);
}

TEST_CASE("file store: atomic writes, appends, listing without temporaries, removal") {
  temp_dir tmp;
  file_checkpoint_store store;
  auto path = tmp.path + "/a/b/c/file";
  REQUIRE_FALSE(store.write(path, "one"));
  CHECK(slurp(path) == "one");
  REQUIRE_FALSE(store.write(path, "two"));
  CHECK(slurp(path) == "two");
  CHECK(**store.read(path) == "two");
  CHECK_FALSE(*store.read(tmp.path + "/a/missing"));
  CHECK(store.list(tmp.path + "/nothing")->empty());

  REQUIRE_FALSE(store.append(tmp.path + "/a/log", "x"));
  REQUIRE_FALSE(store.append(tmp.path + "/a/log", "yz"));
  CHECK(slurp(tmp.path + "/a/log") == "xyz");

  // A temporary left by a crash is not listed; directories always are.
  spill(checkpoint_temp_path(tmp.path + "/a/log"), "half");
  auto listed = *store.list(tmp.path + "/a");
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].name == "b");
  CHECK(listed[0].directory);
  CHECK(listed[1].name == "log");
  CHECK_FALSE(listed[1].directory);

  // Removal does not follow a link out of the tree.
  std::string outside = tmp.path + "/outside";
  fs::create_directories(outside);
  spill(outside + "/keep", "keep");
  fs::create_directory_symlink(outside, tmp.path + "/a/b/link");
  REQUIRE_FALSE(store.remove(tmp.path + "/a"));
  CHECK_FALSE(fs::exists(tmp.path + "/a"));
  CHECK(slurp(outside + "/keep") == "keep");
  CHECK_FALSE(store.remove(tmp.path + "/a"));  // already gone: fine

  // What is in the way is an error, not a crash.
  spill(tmp.path + "/plain", "x");
  CHECK(store.write(tmp.path + "/plain/below", "y"));
  CHECK_FALSE(store.list(tmp.path + "/plain"));
}

TEST_CASE("recovery: a whole agent round-trips over real files and over the fake") {
  SUBCASE("real files") {
    temp_dir tmp;
    file_checkpoint_store store;
    write_agent(store, tmp.path);
    CHECK(fs::exists(tmp.path + "/meta/slaves/agent-1/frameworks/fw-1/executors/ex-1/runs/c-1/"
                                "tasks/t-1/task.updates"));
    CHECK(slurp(tmp.path + "/meta/slaves/latest") == agent);
    check_whole_agent(recover_agent(store, tmp.path), tmp.path);
  }
  SUBCASE("fake") {
    fake_checkpoint_store store;
    write_agent(store, W);
    check_whole_agent(recover_agent(store, W), W);
    // The fake's disk is the real one: survives a crash between calls.
    store.crash();
    store.restart();
    check_whole_agent(recover_agent(store, W), W);
  }
}

TEST_CASE("recovery: nothing checkpointed is nothing to recover") {
  fake_checkpoint_store store;
  auto r = recover_agent(store, W);
  CHECK_FALSE(r.found);
  CHECK(r.problems.empty());
  temp_dir tmp;
  file_checkpoint_store files;
  auto real = recover_agent(files, tmp.path + "/no-such-dir");
  CHECK_FALSE(real.found);
  CHECK(real.problems.empty());
}

TEST_CASE("writes are refused when they would go astray, and write nothing") {
  fake_checkpoint_store store;
  REQUIRE_FALSE(write_agent_info(store, W, *agent_info()));
  auto before = store.files();
  auto err = write_framework(store, W, agent, *framework_info("fw-x", false));
  REQUIRE(err);
  CHECK(error_message(err).find("FrameworkInfo.checkpoint") != std::string::npos);
  CHECK(write_framework(store, W, agent, *framework_info("..")));
  CHECK(write_framework(store, W, "a/b", *framework_info("fw-1")));
  CHECK(write_agent_info(store, W, *agent_info("")));
  auto bad_run = run_of(W, "fw-1", "ex/../..", "c-1");
  CHECK(write_executor(store, bad_run, *executor_info("ex/../..", "fw-1"), false));
  CHECK(write_executor(store, run_of(W), *executor_info("other", "fw-1"), false));
  CHECK(write_task(store, run_of(W), *task_info("t/1")));
  CHECK(write_forked_pid(store, run_of(W), 0));
  CHECK(append_ack(store, run_of(W), "t-1", ""));
  CHECK(store.files() == before);
  // A full disk: the call fails and the file is as it was.
  store.fail_next_change();
  CHECK(write_agent_info(store, W, *agent_info()));
  CHECK(store.files() == before);
}

TEST_CASE("fake store: a crash after any step loses only what was not yet synced") {
  // Each operation, and what every path holds once it has completed.
  struct op {
    std::function<caf::error(checkpoint_store&)> run;
    std::string path;
    bool append = false;
    std::string bytes;
  };
  const std::string a = "/d/a", b = "/d/sub/b", log = "/d/log";
  std::vector<op> ops = {
    {[&](auto& s) { return s.write(a, "A1"); }, a, false, "A1"},
    {[&](auto& s) { return s.append(log, "r1."); }, log, true, "r1."},
    {[&](auto& s) { return s.write(b, "B1"); }, b, false, "B1"},
    {[&](auto& s) { return s.write(a, "A2-longer"); }, a, false, "A2-longer"},
    {[&](auto& s) { return s.append(log, "r2.."); }, log, true, "r2.."},
    {[&](auto& s) { return s.remove("/d/sub"); }, b, false, ""},
    {[&](auto& s) { return s.write(b, "B2"); }, b, false, "B2"},
  };
  // States after 0..n operations (absent: no entry).
  std::vector<std::map<std::string, std::string>> states(1);
  for (const auto& o : ops) {
    auto next = states.back();
    if (o.append)
      next[o.path] += o.bytes;
    else if (o.bytes.empty())
      next.erase(o.path);
    else
      next[o.path] = o.bytes;
    states.push_back(next);
  }
  size_t total_steps = 0;
  {
    fake_checkpoint_store s;
    for (const auto& o : ops)
      REQUIRE_FALSE(o.run(s));
    total_steps = s.steps();
  }
  REQUIRE(total_steps > ops.size());
  for (size_t k = 0; k <= total_steps; ++k)
    for (bool metadata : {false, true})
      for (size_t torn : {size_t(0), size_t(1), size_t(3)}) {
        CAPTURE(k);
        CAPTURE(metadata);
        CAPTURE(torn);
        fake_checkpoint_store s;
        s.crash_after({k, metadata, torn});
        size_t done = 0;
        while (done < ops.size() && !ops[done].run(s))
          ++done;
        CHECK(s.crashed() == (k < total_steps));
        s.restart();
        const auto& before = states[done];
        const auto& after = states[std::min(done + 1, ops.size())];
        for (const std::string& path : {a, b, log}) {
          CAPTURE(path);
          auto read = s.read(path);
          REQUIRE(read);
          auto got = *read;
          auto was = before.count(path) ? std::optional<std::string>(before.at(path))
                                        : std::optional<std::string>();
          auto will = after.count(path) ? std::optional<std::string>(after.at(path))
                                        : std::optional<std::string>();
          bool in_flight = done < ops.size() && ops[done].path == path;
          if (!in_flight) {
            CHECK(got == was);  // completed calls were durable
          } else if (ops[done].append) {
            // A prefix of the appended bytes, never anything else.
            std::string base = was.value_or("");
            if (!was && !metadata)
              CHECK_FALSE(got);  // a new file whose directory entry was not synced
            std::string g = got.value_or("");
            CHECK(g.compare(0, base.size(), base) == 0);
            CHECK(g.size() <= will->size());
            CHECK(will->compare(0, g.size(), g) == 0);
          } else {
            CHECK((got == was || got == will));  // old or new, never a mix
          }
        }
        // No temporary file is ever listed.
        auto listed = s.list("/d");
        REQUIRE(listed);
        for (const auto& e : *listed)
          CHECK_FALSE(is_checkpoint_temp_name(e.name));
      }
}

TEST_CASE("recovery after a crash at any step: every completed update comes back") {
  auto run = run_of(W);
  using S = schema::TaskState;
  auto scenario = [&](checkpoint_store& s, size_t& updates_done) {
    updates_done = 0;
    if (write_agent_info(s, W, *agent_info()) ||
        write_framework(s, W, agent, *framework_info("fw-1")) ||
        write_executor(s, run, *executor_info("ex-1", "fw-1"), false) ||
        write_forked_pid(s, run, 77) || write_task(s, run, *task_info("t-1")))
      return;
    for (int i = 1; i <= 3; ++i) {
      if (append_update(s, run, *update(run, "t-1", i < 3 ? S::TASK_RUNNING : S::TASK_FAILED, i)))
        return;
      ++updates_done;
    }
  };
  size_t total = 0;
  {
    fake_checkpoint_store s;
    size_t done = 0;
    scenario(s, done);
    REQUIRE(done == 3);
    total = s.steps();
  }
  for (size_t k = 0; k <= total; ++k)
    for (bool metadata : {false, true})
      for (size_t torn : {size_t(0), size_t(5), size_t(20)}) {
        CAPTURE(k);
        CAPTURE(metadata);
        CAPTURE(torn);
        fake_checkpoint_store s;
        s.crash_after({k, metadata, torn});
        size_t done = 0;
        scenario(s, done);
        s.restart();
        auto r = recover_agent(s, W);
        INFO(problems_text(r));
        for (const auto& p : r.problems) {
          // Only what a crash can leave: a torn append, or a directory made
          // for a file whose write never finished.
          bool torn_tail = p.what.rfind("truncated task.updates", 0) == 0;
          bool unfinished = p.what.rfind("missing ", 0) == 0;
          CHECK((torn_tail || unfinished));
        }
        if (done == 0)
          continue;
        REQUIRE(r.found);
        const auto& task = r.frameworks.at("fw-1").executors.at("ex-1").tasks.at("t-1");
        CHECK(task.updates.size() >= done);
        CHECK(task.updates.size() <= done + 1);
        for (size_t i = 0; i < task.updates.size(); ++i)
          CHECK(std::string(task.updates[i]->getStatus().getMessage()) ==
                "update " + std::to_string(i + 1));
        // Recovery leaves a stream that takes appends again.
        REQUIRE_FALSE(append_update(s, run, *update(run, "t-1", S::TASK_KILLED, 9)));
        auto again = recover_agent(s, W);
        CHECK(again.problems.size() <= r.problems.size());
        CHECK(again.frameworks.at("fw-1").executors.at("ex-1").tasks.at("t-1").state ==
              S::TASK_KILLED);
      }
}

TEST_CASE("recovery: a task.updates cut at every byte of its last record") {
  auto run_at = [](const std::string& work_dir, checkpoint_store& store,
                   const std::function<void(const std::string&, const std::string&)>& put,
                   const std::function<std::string(const std::string&)>& get) {
    write_agent(store, work_dir);
    auto run = run_of(work_dir);
    auto path = updates_path(run, "t-1");
    std::string before = get(path);
    REQUIRE_FALSE(append_update(store, run, *update(run, "t-1", schema::TaskState::TASK_FAILED,
                                                    7)));
    std::string full = get(path);
    REQUIRE(full.size() > before.size());
    for (size_t cut = before.size() + 1; cut < full.size(); ++cut) {
      CAPTURE(cut);
      put(path, full.substr(0, cut));
      auto r = recover_agent(store, work_dir);
      REQUIRE(r.problems.size() == 1);
      CHECK(r.problems[0].path == path);
      CHECK(r.problems[0].what.rfind("truncated task.updates", 0) == 0);
      CHECK(r.problems[0].action.find("dropped the torn last record") != std::string::npos);
      const auto& ex = r.frameworks.at("fw-1").executors.at("ex-1");
      const auto& t1 = ex.tasks.at("t-1");
      REQUIRE(t1.updates.size() == 2);  // every update before the torn one
      CHECK(t1.state == schema::TaskState::TASK_RUNNING);
      CHECK(t1.acknowledged.count(uuid_of(1)) == 1);
      CHECK(ex.tasks.at("t-2").state == schema::TaskState::TASK_FINISHED);
      CHECK(get(path) == before);  // cut back to whole records
      auto again = recover_agent(store, work_dir);
      CHECK(again.problems.empty());
    }
  };
  SUBCASE("fake") {
    fake_checkpoint_store store;
    run_at(
      W, store, [&](const std::string& p, const std::string& b) { store.put_file(p, b); },
      [&](const std::string& p) { return store.file(p).value_or(""); });
  }
  SUBCASE("real files") {
    temp_dir tmp;
    file_checkpoint_store store;
    run_at(tmp.path, store, spill, slurp);
  }
}

TEST_CASE("recovery: corrupt info files are reported with their path; the rest recovers") {
  fake_checkpoint_store store;
  write_agent(store, W);
  auto run = run_of(W);
  auto fw2_info = checkpoint_paths::framework_info(W, agent, "fw-2");
  auto t2_info = run.task_dir("t-2") + "/task.info";
  auto flip = [&](const std::string& path, size_t at) {
    auto bytes = *store.file(path);
    bytes[at % bytes.size()] ^= 0x40;
    store.put_file(path, bytes);
  };

  SUBCASE("a flipped byte in task.info") {
    flip(t2_info, 20);
    auto r = recover_agent(store, W);
    REQUIRE(r.problems.size() == 1);
    CHECK(has_problem(r, t2_info, "corrupt task.info", "task skipped"));
    const auto& ex = r.frameworks.at("fw-1").executors.at("ex-1");
    CHECK(ex.tasks.count("t-2") == 0);
    CHECK(ex.tasks.at("t-1").updates.size() == 2);
    CHECK(r.frameworks.count("fw-2") == 1);
  }
  SUBCASE("a truncated framework.info") {
    store.put_file(fw2_info, store.file(fw2_info)->substr(0, 13));
    auto r = recover_agent(store, W);
    REQUIRE(r.problems.size() == 1);
    CHECK(has_problem(r, fw2_info, "truncated framework.info", "framework skipped"));
    CHECK(r.frameworks.count("fw-2") == 0);
    CHECK(r.frameworks.at("fw-1").executors.at("ex-1").tasks.size() == 2);
  }
  SUBCASE("garbage with a valid frame around it") {
    store.put_file(fw2_info, frame_record(std::string(24, '\xff')));
    auto r = recover_agent(store, W);
    CHECK(has_problem(r, fw2_info, "corrupt framework.info", "framework skipped"));
    CHECK(r.frameworks.count("fw-1") == 1);
  }
  SUBCASE("empty, unreadable, or of another framework") {
    store.put_file(fw2_info, "");
    store.fail_reads_of(t2_info);
    auto r = recover_agent(store, W);
    CHECK(has_problem(r, fw2_info, "empty framework.info", "framework skipped"));
    CHECK(has_problem(r, t2_info, "unreadable task.info", "task skipped"));
    CHECK(r.problems.size() == 2);
    REQUIRE_FALSE(store.write(fw2_info, *store.file(checkpoint_paths::framework_info(
                                          W, agent, "fw-1"))));
    auto again = recover_agent(store, W);
    CHECK(has_problem(again, fw2_info, "the info of framework 'fw-1'", "framework skipped"));
  }
  SUBCASE("a corrupt record in the middle of task.updates") {
    auto path = updates_path(run, "t-2");
    auto bytes = *store.file(path);
    auto first = read_records(bytes).records.front().size() + 8;
    flip(path, first + 12);  // inside the second record's payload
    auto r = recover_agent(store, W);
    REQUIRE(r.problems.size() == 1);
    CHECK(has_problem(r, path, "corrupt task.updates", "dropped the damaged record"));
    const auto& t2 = r.frameworks.at("fw-1").executors.at("ex-1").tasks.at("t-2");
    CHECK(t2.updates.size() == 1);
    CHECK(t2.unacknowledged().size() == 1);  // its acknowledgement went with the damage
  }
  SUBCASE("a forked.pid and a marker that are not what they should be") {
    store.put_file(run.run_dir() + "/pids/forked.pid", "12ab");
    store.put_file(checkpoint_paths::executor_dir(W, agent, "fw-1", "ex-1") +
                     "/executor_generated_for_command_task",
                   "yes");
    auto r = recover_agent(store, W);
    const auto& ex = r.frameworks.at("fw-1").executors.at("ex-1");
    CHECK_FALSE(ex.forked_pid);
    CHECK(ex.generated_for_command_task);  // Mesos' guess from the name
    CHECK(has_problem(r, run.run_dir() + "/pids/forked.pid", "corrupt forked.pid",
                      "pid is unknown"));
    CHECK(r.problems.size() == 2);
  }
  SUBCASE("a corrupt slave.info: start as a new agent") {
    auto path = checkpoint_paths::agent_info(W, agent);
    flip(path, 9);
    auto r = recover_agent(store, W);
    CHECK_FALSE(r.found);
    CHECK(has_problem(r, path, "corrupt slave.info", "starting as a new agent"));
  }
  SUBCASE("a latest that names no agent") {
    store.put_file(checkpoint_paths::latest_agent(W), "");
    auto r = recover_agent(store, W);
    CHECK_FALSE(r.found);
    CHECK(has_problem(r, checkpoint_paths::latest_agent(W), "corrupt latest",
                      "starting as a new agent"));
  }
}

TEST_CASE("recovery: acknowledged and unacknowledged updates, a completed run, older runs") {
  fake_checkpoint_store store;
  REQUIRE_FALSE(write_agent_info(store, W, *agent_info()));
  REQUIRE_FALSE(write_framework(store, W, agent, *framework_info("fw-1")));
  auto old_run = run_of(W, "fw-1", "ex-1", "c-0");
  REQUIRE_FALSE(write_executor(store, old_run, *executor_info("ex-1", "fw-1"), false));
  REQUIRE_FALSE(write_executor_completed(store, old_run));
  auto run = run_of(W);
  REQUIRE_FALSE(write_executor(store, run, *executor_info("ex-1", "fw-1"), false));
  REQUIRE_FALSE(write_task(store, run, *task_info("t-1")));
  using S = schema::TaskState;
  for (int i = 1; i <= 5; ++i)
    REQUIRE_FALSE(append_update(store, run, *update(run, "t-1", S::TASK_RUNNING, i)));
  for (int i = 1; i <= 3; ++i)
    REQUIRE_FALSE(append_ack(store, run, "t-1", uuid_of(i)));

  auto r = recover_agent(store, W);
  CHECK(r.problems.empty());
  const auto& ex = r.frameworks.at("fw-1").executors.at("ex-1");
  CHECK(ex.container_id == "c-1");
  CHECK_FALSE(ex.completed);
  CHECK_FALSE(ex.generated_for_command_task);
  CHECK(ex.older_runs == std::vector<std::string>{"c-0"});
  CHECK_FALSE(ex.forked_pid);
  const auto& t = ex.tasks.at("t-1");
  auto pending = t.unacknowledged();
  REQUIRE(pending.size() == 2);
  CHECK(std::string(pending[0]->getStatus().getMessage()) == "update 4");
  CHECK(std::string(pending[1]->getStatus().getMessage()) == "update 5");

  SUBCASE("compaction keeps what recovery needs") {
    auto path = updates_path(run, "t-1");
    auto size_before = store.file(path)->size();
    REQUIRE_FALSE(compact_updates(store, run, "t-1"));
    CHECK(store.file(path)->size() < size_before);
    auto c = recover_agent(store, W);
    const auto& ct = c.frameworks.at("fw-1").executors.at("ex-1").tasks.at("t-1");
    CHECK(ct.updates.size() == 2);
    CHECK(ct.unacknowledged().size() == 2);
    REQUIRE_FALSE(append_ack(store, run, "t-1", uuid_of(4)));
    REQUIRE_FALSE(append_ack(store, run, "t-1", uuid_of(5)));
    REQUIRE_FALSE(compact_updates(store, run, "t-1"));
    auto d = recover_agent(store, W);
    const auto& dt = d.frameworks.at("fw-1").executors.at("ex-1").tasks.at("t-1");
    REQUIRE(dt.updates.size() == 1);  // the latest, acknowledged: the task's state
    CHECK(std::string(dt.updates[0]->getStatus().getMessage()) == "update 5");
    CHECK(dt.unacknowledged().empty());
  }
  SUBCASE("the run ended") {
    REQUIRE_FALSE(write_executor_completed(store, run));
    CHECK(recover_agent(store, W).frameworks.at("fw-1").executors.at("ex-1").completed);
  }
}

TEST_CASE("removing a framework removes its tree, and nothing else") {
  auto check = [](checkpoint_store& store, const std::string& work_dir,
                  const std::function<bool(const std::string&)>& exists) {
    write_agent(store, work_dir);
    auto fw1 = checkpoint_paths::framework_dir(work_dir, agent, "fw-1");
    REQUIRE(exists(fw1 + "/executors/ex-1/runs/c-1/tasks/t-1/task.updates"));
    REQUIRE_FALSE(remove_framework(store, work_dir, agent, "fw-1"));
    CHECK_FALSE(exists(fw1 + "/framework.info"));
    CHECK_FALSE(exists(fw1 + "/executors/ex-1/runs/c-1/tasks/t-1/task.updates"));
    CHECK_FALSE(exists(fw1 + "/executors/ex-1/executor.info"));
    CHECK(exists(checkpoint_paths::framework_info(work_dir, agent, "fw-2")));
    auto r = recover_agent(store, work_dir);
    CHECK(r.problems.empty());
    CHECK(r.frameworks.size() == 1);
    CHECK(r.frameworks.count("fw-2") == 1);
    CHECK(remove_framework(store, work_dir, agent, ".."));  // refused
    CHECK(exists(checkpoint_paths::framework_info(work_dir, agent, "fw-2")));
  };
  SUBCASE("fake") {
    fake_checkpoint_store store;
    check(store, W, [&](const std::string& p) { return store.file(p).has_value(); });
    CHECK_FALSE(store.has_dir(checkpoint_paths::framework_dir(W, agent, "fw-1")));
  }
  SUBCASE("real files") {
    temp_dir tmp;
    file_checkpoint_store store;
    check(store, tmp.path, [](const std::string& p) { return fs::exists(p); });
    CHECK_FALSE(fs::exists(checkpoint_paths::framework_dir(tmp.path, agent, "fw-1")));
  }
}
