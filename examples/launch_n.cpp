// launch_n: runs N tasks on a cluster through the scheduler driver and prints
// the tally. Usage: launch_n --master 127.0.0.1:5050 --count 20 --command 'sleep 0.1'
// Given every master (--master h1:5050,h2:5050,h3:5050) it rides out the loss of
// the leading one: its driver finds the next leader and subscribes again.
#include <iostream>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>

#include "actors/master/master.hpp"
#include "actors/resources/parse.hpp"
#include "examples/launch_n_framework.hpp"
#include "runtime/connect.hpp"
#include "runtime/connector.hpp"
#include "runtime/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/system.hpp"

int main(int argc, char** argv) {
  using namespace cairn;
  CLI::App app{"Launch N tasks and print the tally"};
  std::string master_address = "127.0.0.1:5050";
  std::string res = "cpus:0.1;mem:32";
  examples::launch_n_config config;
  app.add_option("--master", master_address, "The masters' HTTP addresses, HOST:PORT[,...]");
  app.add_option("--count", config.count, "How many tasks");
  app.add_option("--command", config.command, "Shell command of each task");
  app.add_option("--resources", res, "Resources of each task");
  app.add_option("--name", config.name, "Framework name (and task id prefix)");
  CLI11_PARSE(app, argc, argv);
  setup_logging("WARNING");
  auto parsed = parse_resources(res);
  if (!parsed) {
    std::cerr << "--resources: " << error_message(parsed.error()) << std::endl;
    return 2;
  }
  config.task_resources = *parsed;
  auto addresses = parse_address_list(master_address, default_master_port);
  if (!addresses) {
    std::cerr << "--master: " << error_message(addresses.error()) << std::endl;
    return 2;
  }
  config.master_addresses = *addresses;
  system_config cfg;
  caf::actor_system sys{cfg};
  auto master = connect_within<master_actor>(sys, *addresses, std::chrono::seconds(10));
  if (!master) {
    std::cerr << "cannot reach " << master_address << ": " << error_message(master.error())
              << std::endl;
    return 1;
  }
  examples::tally result;
  examples::spawn_launch_n(sys, caf::actor_cast<scheduler_call_sink>(*master), config,
                           [&](const examples::tally& t) { result = t; });
  sys.await_all_actors_done();
  std::cout << "launched " << result.launched << ", status updates " << result.updates << "\n";
  for (const auto& [state, n] : result.terminal)
    std::cout << state << ": " << n << "\n";
  if (result.tasks_with_two_terminal_states > 0)
    std::cout << "tasks that ended twice: " << result.tasks_with_two_terminal_states << "\n";
  return result.finished() == config.count ? 0 : 1;
}
