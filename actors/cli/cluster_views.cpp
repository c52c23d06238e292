// `cairn agents | frameworks | tasks | state`: a cluster as the master's JSON
// endpoints describe it, as aligned tables for people or, with --json, the
// documents themselves for scripts.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <memory>

#include <capnp/schema.h>

#include "actors/cli/commands.hpp"
#include "actors/cli/master_http.hpp"
#include "actors/cli/table.hpp"
#include "actors/task_state.hpp"
#include "runtime/errors.hpp"
#include "runtime/flags.hpp"

namespace cairn {

namespace {

namespace ss = schema::state;

struct view_flags {
  std::string master = "127.0.0.1:5050";
  bool json = false;
};

void add_view_flags(CLI::App& app, view_flags& f) {
  add_flag(app, "master", f.master, "The masters' HTTP addresses, HOST:PORT[,HOST:PORT...]");
  add_bool_flag(app, "json", f.json, "Print the JSON document instead of a table");
}

int fail(const std::string& command, const std::string& message) {
  std::cerr << "cairn " << command << ": " << message << std::endl;
  return 1;
}

std::string str(capnp::Text::Reader text) {
  return std::string(text.cStr(), text.size());
}

template <class Reader>
int print_json(Reader doc) {
  std::cout << to_json(doc) << std::endl;
  return 0;
}

int print_table(const table& t) {
  std::cout << t.render() << std::flush;
  return 0;
}

// "RUNNING", "task_running" or "TASK_RUNNING": the state, or an error that
// names the text and the states there are.
caf::expected<schema::TaskState> parse_task_state(const std::string& text) {
  std::string name = text;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name.rfind("TASK_", 0) != 0)
    name = "TASK_" + name;
  std::string known;
  for (auto e : capnp::Schema::from<schema::TaskState>().getEnumerants()) {
    auto state = static_cast<schema::TaskState>(e.getOrdinal());
    if (name == state_name(state))
      return state;
    known += (known.empty() ? "" : ", ") + std::string(state_name(state)).substr(5);
  }
  return make_error("--state: '" + text + "' is not a Mesos task state (one of " + known + ")");
}

// -- cairn agents

int run_agents(const view_flags& f) {
  node_http master{"master", f.master};
  auto doc = master.get_json<ss::Slaves>("/master/slaves");
  if (!doc)
    return fail("agents", error_message(doc.error()));
  if (f.json)
    return print_json(doc->get());
  table t({"ID", "HOSTNAME", "CPUS", "MEM", "DISK", "ACTIVE", "REGISTERED"});
  for (auto a : doc->get().getSlaves()) {
    auto used = a.getUsedResources();
    auto total = a.getResources();
    t.add_row({str(a.getId()), str(a.getHostname()),
               format_used(used.getCpus(), total.getCpus()),
               format_used(used.getMem(), total.getMem()),
               format_used(used.getDisk(), total.getDisk()), a.getActive() ? "true" : "false",
               format_time(a.getRegisteredTime())});
  }
  return print_table(t);
}

// -- cairn frameworks

struct frameworks_flags {
  view_flags view;
  bool all = false;
};

int run_frameworks(const frameworks_flags& f) {
  node_http master{"master", f.view.master};
  auto doc = master.get_json<ss::Frameworks>("/master/frameworks");
  if (!doc)
    return fail("frameworks", error_message(doc.error()));
  if (f.view.json) {
    if (f.all)
      return print_json(doc->get());
    wire_builder<ss::Frameworks> shown; // what the table shows: no completed ones
    shown->setFrameworks(doc->get().getFrameworks());
    shown->initCompletedFrameworks(0);
    return print_json(std::move(shown).finish().get());
  }
  table t({"ID", "NAME", "ACTIVE", "TASKS", "CPUS", "MEM"});
  auto add = [&](ss::Framework::Reader fw) {
    size_t live = 0;
    for (auto task : fw.getTasks())
      live += is_terminal(task.getState()) ? 0 : 1;
    auto used = fw.getUsedResources();
    t.add_row({str(fw.getId()), str(fw.getName()), fw.getActive() ? "true" : "false",
               std::to_string(live), format_quantity(used.getCpus()),
               format_quantity(used.getMem())});
  };
  for (auto fw : doc->get().getFrameworks())
    add(fw);
  if (f.all)
    for (auto fw : doc->get().getCompletedFrameworks())
      add(fw);
  return print_table(t);
}

// -- cairn tasks

struct tasks_flags {
  view_flags view;
  std::string state;
  std::string framework;
};

int run_tasks(const tasks_flags& f) {
  auto wanted = parse_task_state(f.state.empty() ? "RUNNING" : f.state);
  if (!wanted) {
    fail("tasks", error_message(wanted.error()));
    return 2; // a usage error, as `cairn execute` reports one
  }
  node_http master{"master", f.view.master};
  auto doc = master.get_json<ss::Master>("/master/state");
  if (!doc)
    return fail("tasks", error_message(doc.error()));
  std::map<std::string, std::string> hostnames; // agent id -> hostname
  for (auto a : doc->get().getSlaves())
    hostnames[str(a.getId())] = str(a.getHostname());
  std::vector<std::pair<ss::Framework::Reader, ss::Task::Reader>> shown;
  for_each_task(doc->get(), [&](ss::Framework::Reader fw, ss::Task::Reader task) {
    if (!f.state.empty() && task.getState() != *wanted)
      return;
    if (!f.framework.empty() && f.framework != str(fw.getId()) && f.framework != str(fw.getName()))
      return;
    shown.emplace_back(fw, task);
  });
  if (f.view.json) {
    wire_builder<ss::Tasks> b{4096};
    auto list = b->initTasks(static_cast<unsigned>(shown.size()));
    for (unsigned i = 0; i < shown.size(); ++i)
      list.setWithCaveats(i, shown[i].second);
    return print_json(std::move(b).finish().get());
  }
  table t({"ID", "NAME", "FRAMEWORK", "AGENT", "STATE", "CPUS", "MEM"});
  for (auto [fw, task] : shown) {
    auto agent = hostnames.find(str(task.getSlaveId()));
    auto res = task.getResources();
    t.add_row({str(task.getId()), str(task.getName()), str(fw.getName()),
               agent != hostnames.end() ? agent->second : str(task.getSlaveId()),
               state_name(task.getState()), format_quantity(res.getCpus()),
               format_quantity(res.getMem())});
  }
  return print_table(t);
}

// -- cairn state

struct totals {
  double cpus = 0;
  double mem = 0;
  double disk = 0;

  void add(ss::ResourceSummary::Reader r) {
    cpus += r.getCpus();
    mem += r.getMem();
    disk += r.getDisk();
  }
};

std::string used_offered_total(double used, double offered, double total) {
  return format_quantity(used) + " used, " + format_quantity(offered) + " offered, "
         + format_quantity(total) + " total";
}

table summarize(ss::Master::Reader m) {
  totals used, offered, total;
  for (auto a : m.getSlaves()) {
    used.add(a.getUsedResources());
    offered.add(a.getOfferedResources());
    total.add(a.getResources());
  }
  size_t active_frameworks = 0;
  for (auto fw : m.getFrameworks())
    active_frameworks += fw.getActive() ? 1 : 0;
  std::map<unsigned, size_t> by_state; // in the schema's order of states
  for_each_task(m, [&](auto, ss::Task::Reader task) {
    ++by_state[static_cast<unsigned>(task.getState())];
  });
  std::string tasks;
  for (auto [state, n] : by_state)
    tasks += (tasks.empty() ? "" : ", ") + std::to_string(n) + " "
             + state_name(static_cast<schema::TaskState>(state));
  table t({"KEY", "VALUE"}, false);
  t.add_row({"version", str(m.getVersion())});
  t.add_row({"master", str(m.getId())});
  t.add_row({"leader", str(m.getLeader())});
  t.add_row({"started", format_time(m.getStartTime())});
  t.add_row({"agents", std::to_string(m.getActivatedSlaves()) + " active, "
                         + std::to_string(m.getSlaves().size()) + " total"});
  t.add_row({"frameworks", std::to_string(active_frameworks) + " active, "
                             + std::to_string(m.getFrameworks().size()) + " registered, "
                             + std::to_string(m.getCompletedFrameworks().size())
                             + " completed"});
  t.add_row({"tasks", tasks.empty() ? "none" : tasks});
  t.add_row({"cpus", used_offered_total(used.cpus, offered.cpus, total.cpus)});
  t.add_row({"mem", used_offered_total(used.mem, offered.mem, total.mem)});
  t.add_row({"disk", used_offered_total(used.disk, offered.disk, total.disk)});
  return t;
}

int run_state(const view_flags& f) {
  node_http master{"master", f.master};
  auto doc = master.get_json<ss::Master>("/master/state");
  if (!doc)
    return fail("state", error_message(doc.error()));
  return f.json ? print_json(doc->get()) : print_table(summarize(doc->get()));
}

} // namespace

command add_agents_command(CLI::App& parent) {
  auto f = std::make_shared<view_flags>();
  auto* app = parent.add_subcommand("agents", "List the cluster's agents and their resources");
  add_view_flags(*app, *f);
  return {app, [f] { return run_agents(*f); }};
}

command add_frameworks_command(CLI::App& parent) {
  auto f = std::make_shared<frameworks_flags>();
  auto* app = parent.add_subcommand("frameworks", "List the frameworks the master knows");
  add_view_flags(*app, f->view);
  add_bool_flag(*app, "all", f->all, "Also list completed (torn down) frameworks");
  return {app, [f] { return run_frameworks(*f); }};
}

command add_tasks_command(CLI::App& parent) {
  auto f = std::make_shared<tasks_flags>();
  auto* app = parent.add_subcommand("tasks", "List tasks, running and completed");
  add_view_flags(*app, f->view);
  add_flag(*app, "state", f->state, "Only tasks in this state (RUNNING or TASK_RUNNING)");
  add_flag(*app, "framework", f->framework, "Only tasks of this framework (its id or name)");
  return {app, [f] { return run_tasks(*f); }};
}

command add_state_command(CLI::App& parent) {
  auto f = std::make_shared<view_flags>();
  auto* app = parent.add_subcommand("state", "Summarize the cluster (--json: /master/state)");
  add_view_flags(*app, *f);
  return {app, [f] { return run_state(*f); }};
}

} // namespace cairn
