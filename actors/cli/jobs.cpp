// `cairn job list | add FILE | run NAME | history NAME | remove NAME`: the
// cron framework's jobs over its REST API (Chronos' paths under
// /v1/scheduler), as tables for people or, with --json, its documents.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "actors/cli/commands.hpp"
#include "actors/cli/master_http.hpp"
#include "actors/cli/table.hpp"
#include "runtime/flags.hpp"
#include "schema/cron.capnp.h"

namespace cairn {

namespace {

namespace cs = schema::cron;

// A job file is a JSON document; this bounds what is read of one.
constexpr std::streamsize max_job_file_bytes = 1 << 20;

struct job_flags {
  std::string cron = "127.0.0.1:4400";
  bool json = false;
  std::string name;  // or FILE for add
};

int fail(const std::string& verb, const std::string& message) {
  std::cerr << "cairn job " << verb << ": " << message << std::endl;
  return 1;
}

std::string base_url(const job_flags& f) {
  auto address = f.cron;
  if (address.rfind("http://", 0) != 0 && address.rfind("https://", 0) != 0)
    address = "http://" + address;
  while (!address.empty() && address.back() == '/')
    address.pop_back();
  return address + "/v1/scheduler";
}

// The body of an answer with status `ok`, or an error naming the request
// and the framework's one-line reason.
caf::expected<std::string> expect(const caf::expected<http_result>& r, long ok,
                                  const std::string& what) {
  if (!r)
    return make_error("cron did not answer " + what + ": " + error_message(r.error()));
  if (r->status != ok) {
    auto body = r->body;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
      body.pop_back();
    return make_error(what + " answered " + std::to_string(r->status)
                      + (body.empty() ? "" : ": " + body));
  }
  return r->body;
}

std::string str(capnp::Text::Reader text) {
  return std::string(text.cStr(), text.size());
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

// The last run's result as Chronos' summary states it.
std::string last_result(cs::Job::Reader j) {
  auto ok = str(j.getLastSuccess()), bad = str(j.getLastError());
  if (ok.empty() && bad.empty())
    return "fresh";
  return ok >= bad ? "success" : "failure";
}

std::string schedule_of(cs::Job::Reader j) {
  if (j.getParents().size() > 0) {
    std::string out = "after ";
    for (unsigned i = 0; i < j.getParents().size(); ++i)
      out += (i ? "," : "") + str(j.getParents()[i]);
    return out;
  }
  if (j.getCron().size() > 0)
    return "cron " + str(j.getCron());
  return str(j.getSchedule());
}

int run_list(const job_flags& f) {
  auto body = expect(http_get(base_url(f) + "/jobs", cli_http_timeout), 200, "GET jobs");
  if (!body)
    return fail("list", error_message(body.error()));
  if (f.json) {
    std::cout << *body << std::endl;
    return 0;
  }
  auto doc = from_json<cs::Jobs>("{\"jobs\":" + *body + "}");
  if (!doc)
    return fail("list", "GET jobs answered a document that does not parse: "
                          + error_message(doc.error()));
  table t({"NAME", "SCHEDULE", "NEXT RUN", "LAST", "SUCCESSES", "ERRORS", "SKIPPED",
           "DISABLED"});
  for (auto j : doc->get().getJobs())
    t.add_row({str(j.getName()), or_dash(schedule_of(j)), or_dash(str(j.getNextRunAt())),
               last_result(j), std::to_string(j.getSuccessCount()),
               std::to_string(j.getErrorCount()), std::to_string(j.getSkipCount()),
               j.getDisabled() ? "true" : "false"});
  std::cout << t.render() << std::flush;
  return 0;
}

int run_add(const job_flags& f) {
  std::string text;
  if (f.name == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(f.name, std::ios::binary);
    if (!in)
      return fail("add", "cannot read " + f.name);
    text.resize(static_cast<size_t>(max_job_file_bytes) + 1);
    in.read(text.data(), max_job_file_bytes + 1);
    text.resize(static_cast<size_t>(in.gcount()));
  }
  if (text.size() > static_cast<size_t>(max_job_file_bytes))
    return fail("add", f.name + " is larger than " + std::to_string(max_job_file_bytes)
                         + " bytes");
  // A job with parents is posted as a dependent one, as Chronos' two
  // endpoints divide them; the framework checks the rest.
  auto job = from_json<cs::Job>(text);
  if (!job)
    return fail("add", f.name + " is not a job: " + error_message(job.error()));
  bool dependent = job->get().getParents().size() > 0;
  auto endpoint = dependent ? "dependency" : "iso8601";
  auto done = expect(http_post(base_url(f) + "/" + endpoint, text, "application/json",
                               cli_http_timeout),
                     204, std::string("POST ") + endpoint);
  if (!done)
    return fail("add", error_message(done.error()));
  std::cout << "job " << str(job->get().getName()) << " added" << std::endl;
  return 0;
}

int run_put_or_delete(const job_flags& f, const std::string& verb, const std::string& method,
                      const std::string& said) {
  auto done = expect(http_bodiless(method, base_url(f) + "/job/" + url_encode(f.name),
                                   cli_http_timeout),
                     204, method + " job/" + f.name);
  if (!done)
    return fail(verb, error_message(done.error()));
  std::cout << "job " << f.name << " " << said << std::endl;
  return 0;
}

int run_history(const job_flags& f) {
  auto what = "GET job/" + f.name + "/history";
  auto body = expect(http_get(base_url(f) + "/job/" + url_encode(f.name) + "/history",
                              cli_http_timeout),
                     200, what);
  if (!body)
    return fail("history", error_message(body.error()));
  if (f.json) {
    std::cout << *body << std::endl;
    return 0;
  }
  auto doc = from_json<cs::History>(*body);
  if (!doc)
    return fail("history", what + " answered a document that does not parse: "
                             + error_message(doc.error()));
  table t({"TASK", "ATTEMPT", "START", "END", "STATE", "EXIT", "AGENT"});
  for (auto r : doc->get().getRuns())
    t.add_row({str(r.getTaskId()), std::to_string(r.getAttempt()), or_dash(str(r.getStart())),
               or_dash(str(r.getEnd())), str(r.getState()),
               r.getExitStatus() < 0 ? "-" : std::to_string(r.getExitStatus()),
               or_dash(str(r.getAgentId()))});
  std::cout << t.render() << std::flush;
  return 0;
}

CLI::App* add_verb(CLI::App& job, const std::string& verb, const std::string& help,
                   std::shared_ptr<job_flags> f, const char* positional) {
  auto* app = job.add_subcommand(verb, help);
  add_flag(*app, "cron", f->cron, "The cron framework's REST API, HOST:PORT (default "
                                  "127.0.0.1:4400)");
  if (positional)
    app->add_option(positional, f->name, positional)->required();
  return app;
}

} // namespace

command add_job_command(CLI::App& parent) {
  auto* app = parent.add_subcommand("job", "List, add, run and remove cron jobs");
  app->require_subcommand(1);
  auto f = std::make_shared<job_flags>();
  auto* list = add_verb(*app, "list", "The jobs, their next run and last result", f, nullptr);
  add_bool_flag(*list, "json", f->json, "Print the JSON document instead of a table");
  add_verb(*app, "add", "Create or replace a job from a Chronos JSON file ('-': stdin)", f,
           "FILE");
  add_verb(*app, "run", "Run a job now", f, "NAME");
  auto* history = add_verb(*app, "history", "A job's last runs", f, "NAME");
  add_bool_flag(*history, "json", f->json, "Print the JSON document instead of a table");
  add_verb(*app, "remove", "Remove a job", f, "NAME");
  return {app, [f, app] {
            auto verb = app->get_subcommands().front()->get_name();
            if (verb == "list")
              return run_list(*f);
            if (verb == "add")
              return run_add(*f);
            if (verb == "run")
              return run_put_or_delete(*f, verb, "PUT", "started");
            if (verb == "history")
              return run_history(*f);
            return run_put_or_delete(*f, verb, "DELETE", "removed");
          }};
}

} // namespace cairn
