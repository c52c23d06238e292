// One master node: its replica of the log, its registrar and, while this node
// leads the log, the master actor itself, recovered from the registry and
// published for agents and frameworks. When the node stops leading, that
// master actor ends: every agent and framework connected to it sees the
// connection go and finds the new leader. (Mesos' contender and detector,
// without ZooKeeper: the log elects.)
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/log/log_actor.hpp"
#include "actors/master/master.hpp"
#include "runtime/actor_gate.hpp"

namespace cairn {

// What the HTTP side needs to know about this node, updated by the contender.
class leadership {
public:
  struct view {
    master_actor master;     // set while this node leads
    std::string leader;      // the leading master's HTTP address ("" when unknown)
    uint16_t actor_port = 0; // where the master actor is published (when leading)
    uint16_t log_port = 0;   // where this node's replica listens
  };

  view get() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return view_;
  }
  void set_master(master_actor master, uint16_t port, std::string self_address) {
    std::lock_guard<std::mutex> guard{mutex_};
    view_.master = std::move(master);
    view_.actor_port = port;
    view_.leader = std::move(self_address);
  }
  void clear_master() {
    std::lock_guard<std::mutex> guard{mutex_};
    view_.master = master_actor{};
    view_.actor_port = 0;
  }
  void set_leader(std::string leader) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!view_.master)
      view_.leader = std::move(leader);
  }
  void set_log_port(uint16_t port) {
    std::lock_guard<std::mutex> guard{mutex_};
    view_.log_port = port;
  }

private:
  mutable std::mutex mutex_;
  view view_;
};

struct contender_options {
  master_options master;
  log_options log;
  std::string listen_ip;       // where the master actor is published
  uint16_t actor_port = 0;     // 0: any free port
  uint16_t log_port = 0;       // 0: any free port (peers find it over HTTP)
  std::shared_ptr<leadership> shared;
};

struct contender_node {
  caf::actor actor;
  std::unique_ptr<published_actor> log_port; // null for a master alone
};

// Starts the node; errors (a store that cannot be opened, a port in use) are
// returned before anything runs.
caf::expected<contender_node> spawn_contender(caf::actor_system& sys, contender_options options);

} // namespace cairn
