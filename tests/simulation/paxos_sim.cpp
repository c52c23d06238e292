// Deterministic simulation of the replicated log (TigerBeetle's VOPR, FoundationDB's
// simulator): replicas and proposers on one thread under a seeded schedule that
// loses, duplicates, reorders and delays messages, crashes and restarts nodes from
// their disks, wipes a disk, and partitions the network. After every step: no two
// different values are chosen at one position, and no acknowledged append is lost.
// Then the faults heal and the log must make progress again. Leaders send
// heartbeats on their timers; some seeds make followers keep to a leader they
// hear (leader stickiness), and some bound messages to a few entries' bytes, so
// that writes, catch-up and explicit promise answers are split.
//
//   paxos_sim [--replicas 3] [--seeds 500] [--first-seed 1] [--seed N] [--steps 4000] [-v]
//
// A failing seed prints the command that replays it exactly.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/log_store.hpp"
#include "storage/paxos/proposer.hpp"
#include "storage/paxos/replica.hpp"
#include "tests/simulation/sim_options.hpp"

using namespace cairn;
using namespace cairn::paxos;

namespace {

// For a failure inside a core (an assertion): which schedule to replay.
const char* program_name = "paxos_sim";
uint64_t current_seed = 0;
size_t current_replicas = 0;
size_t current_steps = 0;

void on_abort(int) {
  std::printf("FAILED seed %llu with %zu replicas: an assertion failed (above)\nreplay: %s "
              "--replicas %zu --seed %llu --steps %zu\n",
              static_cast<unsigned long long>(current_seed), current_replicas, program_name,
              current_replicas, static_cast<unsigned long long>(current_seed), current_steps);
  std::fflush(stdout);
  std::_Exit(1);
}

struct stats {
  size_t elections = 0;
  size_t crashes = 0;
  size_t disks_lost = 0;
  size_t recoveries = 0;
  size_t truncations = 0;
  size_t partitions = 0;
};

using options = sim::sim_options;

struct node {
  std::unique_ptr<memory_log_store> disk = std::make_unique<memory_log_store>();
  std::unique_ptr<replica> rep;
  std::unique_ptr<proposer> prop;
  bool up = true;
  std::map<uint64_t, std::string> requests;  // proposer request id -> value appended
};

class simulation {
public:
  simulation(uint64_t seed, const options& opts)
    : seed_(seed), opts_(opts), rng_(seed), n_(opts.nodes), quorum_(n_ / 2 + 1) {
    if (seed % 3 == 0)
      replica_options_.leader_sticky_ticks = 3;
    if (seed % 2 == 1) {
      // Values are about a dozen bytes: two or three fit.
      replica_options_.max_answer_bytes = 30;
      proposer_limits_.max_batch_bytes = 30;
    }
    nodes_.resize(n_);
    for (node_id i = 0; i < n_; ++i)
      start(i, false);
    booted_ = true;
  }

  // Runs the safety phase (with faults), then the liveness phase (healed).
  // Returns an empty string, or what went wrong.
  std::string run() {
    for (size_t step = 0; step < opts_.steps && failure_.empty(); ++step)
      this->step(true);
    heal();
    for (size_t step = 0; step < opts_.steps * 2 && failure_.empty() && !settled(); ++step)
      this->step(false);
    if (failure_.empty() && !settled())
      failure_ = "no progress after the faults healed (liveness)\n" + describe();
    return failure_;
  }

  // Each node, for a failure report.
  std::string describe() const {
    std::string out;
    const char* states[] = {"idle", "electing", "filling", "leading"};
    for (node_id i = 0; i < n_; ++i) {
      const auto& nd = nodes_[i];
      if (!nd.up) {
        out += "  node " + std::to_string(i) + ": down\n";
        continue;
      }
      out += "  node " + std::to_string(i) + ": replica "
             + (nd.rep->status() == replica_status::voting ? "voting" : "recovering")
             + " promised " + std::to_string(nd.rep->promised()) + " begin "
             + std::to_string(nd.rep->begin()) + " learned_end "
             + std::to_string(nd.rep->learned_end()) + " end " + std::to_string(nd.rep->end())
             + "; proposer " + states[static_cast<int>(nd.prop->state())] + " number "
             + std::to_string(nd.prop->number()) + "\n";
    }
    out += "  chosen up to " + std::to_string(chosen_.empty() ? 0 : chosen_.rbegin()->first + 1)
           + ", in flight " + std::to_string(network_.size()) + ", progress value "
           + (progress_value_ ? *progress_value_ : "none");
    return out;
  }

  size_t chosen_count() const {
    return chosen_.size();
  }
  const stats& counts() const {
    return stats_;
  }
  size_t acknowledged_count() const {
    return acknowledged_.size();
  }

private:
  bool chance(double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }
  size_t pick(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

  std::vector<node_id> all() const {
    std::vector<node_id> out;
    for (node_id i = 0; i < n_; ++i)
      out.push_back(i);
    return out;
  }

  void start(node_id i, bool lost_disk) {
    auto& nd = nodes_[i];
    auto state = nd.disk->load();
    if (!state) {
      failure_ = "a disk could not be read";
      return;
    }
    std::vector<node_id> peers;
    for (node_id p = 0; p < n_; ++p)
      if (p != i)
        peers.push_back(p);
    (void) lost_disk; // a lost disk reads as a new one: status empty
    nd.rep = std::make_unique<replica>(i, peers, quorum_, std::move(*state), replica_options_);
    nd.prop = std::make_unique<proposer>(i, all(), quorum_, proposer_limits_);
    nd.requests.clear();
    nd.up = true;
    if (nd.rep->status() != replica_status::voting)
      nd.rep->start_recovery();
    flush(i);
  }

  void crash(node_id i, bool lose_disk) {
    auto& nd = nodes_[i];
    ++stats_.crashes;
    stats_.disks_lost += lose_disk;
    nd.up = false;
    nd.disk->crash();
    if (lose_disk)
      nd.disk->wipe();
    nd.rep.reset();
    nd.prop.reset();
    nd.requests.clear();
    lost_disk_[i] = lose_disk;
  }

  bool blocked(node_id a, node_id b) const {
    return partition_.count({a, b}) > 0 || partition_.count({b, a}) > 0;
  }

  // Persist, then send: what a node's replica and proposer ask for.
  void flush(node_id i) {
    auto& nd = nodes_[i];
    while (nd.up && (nd.rep->has_ready() || nd.prop->has_ready())) {
      if (nd.rep->has_ready()) {
        auto ready = nd.rep->take_ready();
        if (ready.status == replica_status::voting && booted_)
          ++stats_.recoveries;
        auto batch = store_batch::from(ready);
        if (!batch.empty() && nd.disk->write(batch, ready.sync)) {
          failure_ = "a store write failed";
          return;
        }
        for (const auto& a : ready.newly_learned)
          record_chosen(a, "learned by a replica");
        for (auto& m : ready.messages)
          enqueue(std::move(m));
      }
      if (nd.prop->has_ready()) {
        auto ready = nd.prop->take_ready();
        for (const auto& a : ready.chosen)
          record_chosen(a, "chosen by a proposer");
        for (const auto& c : ready.completions) {
          auto v = nd.requests.find(c.request);
          if (v == nd.requests.end())
            continue;
          if (c.ok)
            acknowledge(c.pos, v->second);
          else if (progress_value_ && v->second == *progress_value_)
            progress_value_.reset(); // the leader lost its lease: try again
          nd.requests.erase(v);
        }
        for (auto& m : ready.messages)
          enqueue(std::move(m));
      }
      if (auto fill = nd.rep->recovery_fill();
          fill && nd.prop->state() == proposer_state::idle && chance(0.2))
        nd.prop->fill(fill->first, fill->last, fill->above);
    }
  }

  void enqueue(message m) {
    // Messages between a replica and the proposer beside it never leave the node.
    if (m.from == m.to) {
      deliver(std::move(m));
      return;
    }
    network_.push_back(std::move(m));
  }

  void deliver(message m) {
    auto& nd = nodes_[m.to];
    if (!nd.up)
      return;
    if (for_proposer(m))
      nd.prop->step(m);
    else
      nd.rep->step(m);
    flush(m.to);
  }

  void record_chosen(const action& a, const char* how) {
    auto [it, fresh] = chosen_.emplace(a.pos, a);
    if (!fresh && !it->second.same_value(a))
      failure_ = "two different values chosen at position " + std::to_string(a.pos) + " ("
                 + how + ")";
    auto acked = acknowledged_.find(a.pos);
    if (acked != acknowledged_.end()
        && (a.type != action_type::append || a.data != acked->second))
      failure_ = "acknowledged append at " + std::to_string(a.pos) + " was lost";
  }

  void acknowledge(position p, const std::string& value) {
    auto c = chosen_.find(p);
    if (c == chosen_.end() || c->second.type != action_type::append || c->second.data != value)
      failure_ = "append acknowledged at " + std::to_string(p) + " but not chosen there";
    acknowledged_[p] = value;
  }

  void step(bool faults) {
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    // Once healed, the network keeps up with what the nodes send.
    if (!network_.empty() && (r < 0.6 || (!faults && chance(0.7)))) {
      // Deliver (any message: reordering), maybe lose or duplicate it.
      size_t i = pick(network_.size());
      message m = network_[i];
      bool lose = blocked(m.from, m.to) || (faults && chance(0.08));
      if (!(faults && chance(0.05))) // sometimes it stays: a duplicate comes later
        network_.erase(network_.begin() + static_cast<ptrdiff_t>(i));
      if (!lose)
        deliver(std::move(m));
      return;
    }
    node_id i = static_cast<node_id>(pick(n_));
    auto& nd = nodes_[i];
    if (r < 0.7) { // the workload: append to whoever leads
      if (nd.up && nd.prop->state() == proposer_state::leading) {
        std::string value = "s" + std::to_string(seed_) + "-v" + std::to_string(next_value_++);
        auto req = nd.prop->append(value);
        nd.requests[req] = value;
        flush(i);
      }
      return;
    }
    if (r < 0.8) { // timers
      if (nd.up) {
        nd.rep->tick();
        nd.prop->tick();
        nd.prop->heartbeat("node " + std::to_string(i));
        flush(i);
      }
      return;
    }
    if (r < 0.86) { // an election, when nobody seems to lead (or to duel)
      if (nd.up && nd.rep->status() == replica_status::voting
          && nd.prop->state() == proposer_state::idle && (!leader_up() || chance(0.1))) {
        ++stats_.elections;
        nd.prop->elect(nd.rep->promised());
        flush(i);
      }
      return;
    }
    if (r < 0.88 && nd.up && nd.prop->state() == proposer_state::leading && chance(0.2)) {
      // Truncation behind what everyone up has learned.
      position low = nd.rep->learned_end();
      for (auto& other : nodes_)
        if (other.up)
          low = std::min(low, other.rep->learned_end());
      if (low > 2) {
        ++stats_.truncations;
        nd.prop->truncate(low - 1);
        flush(i);
      }
      return;
    }
    if (!faults)
      return;
    if (r < 0.93) { // crash or restart
      if (nd.up && up_count() > 1) {
        crash(i, chance(0.15) && !any_recovering());
      } else if (!nd.up) {
        start(i, lost_disk_[i]);
      }
      return;
    }
    if (r < 0.96) { // a partition between two nodes, or its end
      node_id j = static_cast<node_id>(pick(n_));
      if (i != j) {
        if (blocked(i, j)) {
          partition_.erase({i, j});
          partition_.erase({j, i});
        } else {
          ++stats_.partitions;
          partition_.insert({i, j});
        }
      }
    }
  }

  size_t up_count() const {
    size_t n = 0;
    for (const auto& nd : nodes_)
      n += nd.up;
    return n;
  }

  // One disk lost at a time: two lost disks at once may lose what a quorum held.
  bool any_recovering() const {
    for (const auto& nd : nodes_)
      if (!nd.up || nd.rep->status() != replica_status::voting)
        return true;
    return false;
  }

  bool leader_up() const {
    for (const auto& nd : nodes_)
      if (nd.up && nd.prop->state() != proposer_state::idle)
        return true;
    return false;
  }

  void heal() {
    partition_.clear();
    for (node_id i = 0; i < n_; ++i)
      if (!nodes_[i].up)
        start(i, lost_disk_[i]);
  }

  // Settled: a leader has appended something after the faults, and every
  // replica votes and has learned everything that was chosen.
  bool settled() {
    if (!progress_value_) {
      for (node_id i = 0; i < n_; ++i) {
        auto& nd = nodes_[i];
        if (nd.prop->state() == proposer_state::leading) {
          progress_value_ = "s" + std::to_string(seed_) + "-final";
          nd.requests[nd.prop->append(*progress_value_)] = *progress_value_;
          flush(i);
          break;
        }
      }
      return false;
    }
    bool appended = false;
    for (const auto& [p, v] : acknowledged_)
      appended |= v == *progress_value_;
    if (!appended)
      return false;
    position end = chosen_.empty() ? 0 : chosen_.rbegin()->first + 1;
    for (const auto& nd : nodes_)
      if (nd.rep->status() != replica_status::voting || nd.rep->learned_end() < end)
        return false;
    return true;
  }

  uint64_t seed_;
  options opts_;
  std::mt19937_64 rng_;
  size_t n_;
  size_t quorum_;
  replica_options replica_options_;
  proposer_limits proposer_limits_;
  std::vector<node> nodes_;
  std::vector<message> network_;
  std::set<std::pair<node_id, node_id>> partition_;
  std::map<node_id, bool> lost_disk_;
  std::map<position, action> chosen_;
  std::map<position, std::string> acknowledged_;
  uint64_t next_value_ = 0;
  std::optional<std::string> progress_value_;
  std::string failure_;
  stats stats_;
  bool booted_ = false;  // past the first start of every node
};


} // namespace

int main(int argc, char** argv) {
  auto opts = sim::parse_sim_options(argc, argv,
                                     "Replicated log (replica and proposer) under seeded faults",
                                     "--replicas", {3, 500, 1, std::nullopt, 4000, false});
  program_name = argv[0];
  current_replicas = opts.nodes;
  current_steps = opts.steps;
  std::signal(SIGABRT, on_abort);
  stats total;
  uint64_t first = opts.only_seed.value_or(opts.first_seed);
  uint64_t count = opts.only_seed ? 1 : opts.seeds;
  size_t chosen = 0;
  size_t acked = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    current_seed = seed;
    simulation sim{seed, opts};
    auto failure = sim.run();
    chosen += sim.chosen_count();
    total.elections += sim.counts().elections;
    total.crashes += sim.counts().crashes;
    total.disks_lost += sim.counts().disks_lost;
    total.recoveries += sim.counts().recoveries;
    total.truncations += sim.counts().truncations;
    total.partitions += sim.counts().partitions;
    acked += sim.acknowledged_count();
    if (opts.verbose)
      std::printf("seed %llu: %zu chosen, %zu acknowledged\n",
                  static_cast<unsigned long long>(seed), sim.chosen_count(),
                  sim.acknowledged_count());
    if (!failure.empty()) {
      std::printf("FAILED seed %llu with %zu replicas: %s\nreplay: %s --replicas %zu --seed %llu "
                  "--steps %zu\n",
                  static_cast<unsigned long long>(seed), opts.nodes, failure.c_str(), argv[0],
                  opts.nodes, static_cast<unsigned long long>(seed), opts.steps);
      return 1;
    }
  }
  std::printf("%llu schedules over %zu replicas: safe and live (%zu positions chosen, %zu "
              "appends acknowledged; %zu elections, %zu crashes, %zu disks lost, %zu "
              "recoveries, %zu truncations, %zu partitions)\n",
              static_cast<unsigned long long>(count), opts.nodes, chosen, acked,
              total.elections, total.crashes, total.disks_lost, total.recoveries,
              total.truncations, total.partitions);
  return chosen > 0 && acked > 0 ? 0 : 1;
}
