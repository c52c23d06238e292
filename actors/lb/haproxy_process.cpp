#include "actors/lb/haproxy_process.hpp"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "actors/lb/master_cli.hpp"
#include "runtime/dirs.hpp"
#include "runtime/errors.hpp"
#include "runtime/process.hpp"

namespace cairn::lb {

namespace {

constexpr auto check_within = std::chrono::seconds(30);
constexpr auto stop_within = std::chrono::seconds(10);
constexpr auto master_within = std::chrono::seconds(30);
// A reload the master has not counted by then is signalled again.
constexpr auto signal_again_after = std::chrono::seconds(5);
constexpr auto ask_again_after = std::chrono::milliseconds(100);
constexpr size_t check_output_max_bytes = 4096;

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string read_start(const std::string& path) {
  std::ifstream in(path);
  std::string text(check_output_max_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

caf::error write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    return make_error("cannot write " + path);
  return caf::none;
}

// `haproxy -c`: the configuration parses and every name in it resolves.
caf::error check(const std::string& program, const std::string& path) {
  auto output = path + ".check";
  std::remove(output.c_str());
  spawn_options o;
  o.argv = {program, "-c", "-q", "-f", path};
  o.env = current_environment();
  o.stdout_path = output;
  o.stderr_path = output;
  auto pid = spawn_process(o);
  if (!pid)
    return make_error("cannot run " + program + ": " + error_message(pid.error()));
  auto status = wait_for_exit_within(*pid, check_within);
  if (!status) {
    signal_session(*pid, SIGKILL);
    wait_for_exit(*pid);
    return make_error(program + " -c did not finish checking " + path);
  }
  if (!exited_cleanly(*status))
    return make_error(program + " refused the configuration (" +
                      describe_wait_status(*status) + "): " + read_start(output));
  return caf::none;
}

} // namespace

haproxy_process::haproxy_process(std::string program, std::string config_path)
  : program_(std::move(program)), config_path_(std::move(config_path)),
    master_socket_(config_path_ + ".master") {
}

caf::expected<master_reloads> haproxy_process::ask_master(std::chrono::milliseconds within) {
  std::string last_error;
  for (auto waited = std::chrono::milliseconds(0); waited < within; waited += ask_again_after) {
    auto answer = master_cli(master_socket_, "show proc");
    if (answer)
      return parse_show_proc(*answer);
    last_error = error_message(answer.error());
    // The pause between tries is a wait for the master's end.
    if (auto status = wait_for_exit_within(pid_, ask_again_after)) {
      pid_ = 0;
      return make_error("haproxy's master " + describe_wait_status(*status));
    }
  }
  return make_error(last_error);
}

haproxy_process::~haproxy_process() {
  stop();
}

caf::error haproxy_process::install(const std::string& text) {
  if (auto err = make_dirs(parent_of(config_path_)))
    return err;
  auto candidate = config_path_ + ".new";
  if (auto err = write_file(candidate, text))
    return err;
  if (auto err = check(program_, candidate))
    return err;
  if (std::rename(candidate.c_str(), config_path_.c_str()) != 0)
    return make_error("cannot rename " + candidate + " to " + config_path_);
  return caf::none;
}

caf::error haproxy_process::start() {
  if (pid_ > 0)
    return caf::none;
  if (master_socket_.size() > unix_socket_path_max)
    return make_error("--config " + config_path_ + " is too long a path: its master socket " +
                      master_socket_ + " is over " + std::to_string(unix_socket_path_max) +
                      " bytes");
  spawn_options o;
  // -db: the master stays in the foreground, our child, for as long as it runs.
  o.argv = {program_, "-W", "-db", "-S", master_socket_, "-f", config_path_};
  o.env = current_environment();
  auto pid = spawn_process(o);
  if (!pid)
    return make_error("cannot run " + program_ + ": " + error_message(pid.error()));
  pid_ = *pid;
  auto seen = ask_master(master_within);
  if (!seen) {
    stop();
    return seen.error();
  }
  seen_ = *seen;
  return caf::none;
}

caf::error haproxy_process::reload() {
  if (pid_ <= 0)
    return start();
  std::chrono::milliseconds waited = signal_again_after;
  for (auto total = std::chrono::milliseconds(0); total < master_within; total += ask_again_after) {
    if (waited >= signal_again_after) {
      if (::kill(pid_, SIGUSR2) != 0)
        return make_error("cannot signal haproxy's master (pid " + std::to_string(pid_) + ")");
      waited = std::chrono::milliseconds(0);
    }
    auto seen = ask_master(signal_again_after);
    if (!seen)
      return seen.error();
    if (seen->reloads > seen_.reloads) {
      bool failed = seen->failed > seen_.failed;
      seen_ = *seen;
      if (failed)
        return make_error("haproxy could not load the new configuration (see its log); "
                          "it serves the previous one");
      return caf::none;
    }
    if (auto status = wait_for_exit_within(pid_, ask_again_after)) {
      pid_ = 0;
      return make_error("haproxy's master " + describe_wait_status(*status));
    }
    waited += ask_again_after;
  }
  return make_error("haproxy's master did not reload within " +
                    std::to_string(master_within.count()) + " s");
}

std::optional<std::string> haproxy_process::ended() {
  if (pid_ <= 0)
    return std::nullopt;
  auto status = try_reap(pid_);
  if (!status)
    return std::nullopt;
  pid_ = 0;
  return describe_wait_status(*status);
}

void haproxy_process::stop() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  if (!wait_for_exit_within(pid_, stop_within)) {
    signal_session(pid_, SIGKILL);
    wait_for_exit(pid_);
  }
  pid_ = 0;
}

} // namespace cairn::lb
