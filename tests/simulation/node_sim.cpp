// Deterministic simulation of whole log nodes (storage/paxos/node.hpp: election,
// pre-vote, lease, stickiness, catch-up) on a virtual clock. Each node's clock
// runs at its own rate, within max_clock_drift of true time, and its ticks come
// a little late. A seeded schedule loses, duplicates, delays and reorders
// messages, crashes nodes (what was not flushed is lost) and restarts them from
// their disks, and partitions the network. After every step: no two nodes hold
// a lease at one virtual instant, no two values are learned at one position,
// and no acknowledged append is contradicted. Then the faults heal, the log
// must serve again, and its leader must hold every acknowledged append. Every
// 50th seed runs twice and must take the same steps (determinism).
//
// Two targeted cases run first: a follower cut off and healed, and a follower
// restarted, while the leader lives; neither may cause a new election.
//
//   node_sim [--nodes 3] [--seeds 1000] [--first-seed 1] [--seed N] [-v]
//
// A failing seed prints the command that replays it exactly.
#include <algorithm>
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
#include "storage/paxos/node.hpp"
#include "tests/simulation/sim_options.hpp"

using namespace cairn;
using namespace cairn::paxos;
using namespace std::chrono_literals;

namespace {

const char* program_name = "node_sim";
uint64_t current_seed = 0;
size_t current_nodes = 0;

void on_abort(int) {
  std::printf("FAILED seed %llu with %zu nodes: an assertion failed (above)\nreplay: %s "
              "--nodes %zu --seed %llu\n",
              static_cast<unsigned long long>(current_seed), current_nodes, program_name,
              current_nodes, static_cast<unsigned long long>(current_seed));
  std::fflush(stdout);
  std::_Exit(1);
}

using vtime = int64_t;  // virtual nanoseconds

constexpr vtime ms(int64_t n) {
  return n * 1'000'000;
}

struct sim_node {
  std::unique_ptr<memory_log_store> disk = std::make_unique<memory_log_store>();
  std::unique_ptr<node> core;
  bool up = false;
  double rate = 1;        // its clock's rate against virtual time
  vtime offset = 0;       // its clock's reading at virtual time 0
  vtime next_tick = 0;
  vtime restart_at = -1;  // down: when it comes back
  uint64_t incarnation = 0;
  position checked_to = 0;  // learned positions compared with the others' so far
  std::map<uint64_t, std::string> requests;  // append request id -> value
  size_t elected = 0;     // notices, for the targeted cases
  size_t demoted = 0;
};

struct fault_plan {
  double loss = 0;        // a message is lost
  double duplicate = 0;   // ... or delivered twice
  // A message takes up to 300 ms (a loaded peer or link): answers to a
  // heartbeat come after later ones, and the lease must count from the round.
  double slow = 0;
  bool faults = true;     // crashes and partitions in the safety phase
  vtime safety = ms(8000);
};

class simulation {
public:
  simulation(uint64_t seed, size_t n, fault_plan plan)
    : seed_(seed), rng_(seed), n_(n), plan_(plan), nodes_(n) {
    for (node_id i = 0; i < n_; ++i) {
      auto& nd = nodes_[i];
      // A third of the schedules put the clocks at the bounds, fast against slow.
      if (seed % 3 == 0)
        nd.rate = i % 2 == 0 ? 1 + max_clock_drift : 1 - max_clock_drift;
      else if (seed % 3 == 1)
        nd.rate = std::uniform_real_distribution<double>(1 - max_clock_drift,
                                                         1 + max_clock_drift)(rng_);
      nd.offset = static_cast<vtime>(rng_() % uint64_t{ms(100'000)});
      start(i);
    }
  }

  node_time now(node_id i) const {
    const auto& nd = nodes_[i];
    return node_time(nd.offset + static_cast<vtime>(nd.rate * static_cast<double>(t_)));
  }

  // Runs the safety phase, heals, and requires progress. "" or what went wrong.
  std::string run() {
    run_for(plan_.safety, plan_.faults, true);
    heal();
    if (failure_.empty())
      require_progress();
    return failure_;
  }

  // Runs `d` of virtual time; with `faults`, crashes and partitions come and go.
  void run_for(vtime d, bool faults, bool appends) {
    vtime end = t_ + d;
    while (failure_.empty() && t_ < end) {
      vtime next = end;
      for (const auto& nd : nodes_)
        next = std::min(next, nd.up ? nd.next_tick : nd.restart_at >= 0 ? nd.restart_at : end);
      if (!net_.empty())
        next = std::min(next, net_.begin()->first);
      if (appends)
        next = std::min(next, next_append_);
      if (faults)
        next = std::min(next, next_fault_);
      t_ = next;
      if (t_ >= end)
        break;
      trace(static_cast<uint64_t>(t_));
      event(faults, appends);
      check();
    }
    t_ = std::max(t_, end);
  }

  void heal() {
    cut_.clear();
    plan_.loss = 0;
    plan_.duplicate = 0;
    plan_.slow = 0;
    for (node_id i = 0; i < n_; ++i)
      if (!nodes_[i].up)
        start(i);
  }

  // After healing: some node serves and a new append is acknowledged; that
  // leader then holds every acknowledged append.
  void require_progress() {
    size_t before = acknowledged_.size();
    for (int rounds = 0; rounds < 200 && failure_.empty(); ++rounds) {
      run_for(ms(100), false, true);
      auto l = leader();
      if (!l || acknowledged_.size() == before)
        continue;
      const auto& rep = nodes_[*l].core->rep();
      bool complete = true;
      for (const auto& [p, v] : acknowledged_)
        complete = complete && p < rep.learned_end();
      if (!complete)
        continue;  // it is still catching up with what it learned as leader
      for (const auto& [p, v] : acknowledged_) {
        const action* a = rep.get(p);
        if (p >= rep.begin() && (a == nullptr || value_of(*a) != v))
          return fail("the leader lost the acknowledged append at " + std::to_string(p));
      }
      return;
    }
    if (failure_.empty())
      fail("no progress after the faults healed (liveness)");
  }

  std::optional<node_id> leader() const {
    for (node_id i = 0; i < n_; ++i)
      if (nodes_[i].up && nodes_[i].core->serving())
        return i;
    return std::nullopt;
  }

  // -- faults, for the targeted cases too
  void isolate(node_id i) {
    for (node_id j = 0; j < n_; ++j)
      if (j != i)
        cut_.insert({std::min(i, j), std::max(i, j)});
  }
  void crash(node_id i) {
    auto& nd = nodes_[i];
    nd.up = false;
    nd.core.reset();
    nd.disk->crash();
    nd.requests.clear();
    nd.restart_at = -1;
  }
  void start(node_id i) {
    auto& nd = nodes_[i];
    auto durable = nd.disk->load();
    if (!durable)
      return fail("node " + std::to_string(i) + " could not load its disk");
    node_options o;
    o.id = i;
    o.nodes = n_;
    o.quorum = n_ / 2 + 1;
    o.advertised = "node-" + std::to_string(i);
    nd.core = std::make_unique<node>(o, std::move(*durable), now(i),
                                     seed_ * 1000 + i * 100 + nd.incarnation++);
    nd.up = true;
    nd.restart_at = -1;
    nd.checked_to = 0;
    nd.next_tick = t_ + tick_gap(i);
    flush(i);
  }

  const sim_node& at(node_id i) const {
    return nodes_[i];
  }
  size_t acknowledged() const {
    return acknowledged_.size();
  }
  size_t learned() const {
    return chosen_.size();
  }
  // A digest of every event and message: one seed must give one trace.
  uint64_t trace_digest() const {
    return digest_;
  }
  size_t elections() const {
    return elections_;
  }
  size_t crashes() const {
    return crashes_;
  }
  size_t partitions() const {
    return partitions_;
  }

private:
  vtime tick_gap(node_id i) {
    auto local = static_cast<double>(node_options{}.tick_interval.count());
    // Timers fire a little late, now and then much later.
    vtime late = static_cast<vtime>(rng_() % uint64_t{ms(2)});
    if (rng_() % 50 == 0)
      late += static_cast<vtime>(rng_() % uint64_t{ms(60)});
    return static_cast<vtime>(local / nodes_[i].rate) + late;
  }

  void event(bool faults, bool appends) {
    if (!net_.empty() && net_.begin()->first == t_) {
      auto m = net_.begin()->second;
      net_.erase(net_.begin());
      if (nodes_[m.to].up) {
        nodes_[m.to].core->receive(m, now(m.to));
        flush(m.to);
      }
      return;
    }
    for (node_id i = 0; i < n_; ++i) {
      auto& nd = nodes_[i];
      if (nd.up && nd.next_tick == t_) {
        nd.core->tick(now(i));
        nd.next_tick = t_ + tick_gap(i);
        return flush(i);
      }
      if (!nd.up && nd.restart_at == t_)
        return start(i);
    }
    if (appends && next_append_ == t_) {
      next_append_ = t_ + ms(5) + static_cast<vtime>(rng_() % uint64_t{ms(40)});
      if (auto l = leader()) {
        std::string v = "v" + std::to_string(next_value_++);
        if (auto request = nodes_[*l].core->append(v, now(*l))) {
          nodes_[*l].requests[*request] = v;
          flush(*l);
        }
      }
      return;
    }
    if (faults && next_fault_ == t_) {
      next_fault_ = t_ + ms(50) + static_cast<vtime>(rng_() % uint64_t{ms(900)});
      fault();
    }
  }

  void fault() {
    node_id i = static_cast<node_id>(rng_() % n_);
    switch (rng_() % 6) {
      case 0:
      case 1:
        if (nodes_[i].up) {
          ++crashes_;
          crash(i);
          nodes_[i].restart_at = t_ + static_cast<vtime>(rng_() % uint64_t{ms(1500)});
        }
        return;
      case 2:
        ++partitions_;
        return isolate(i);
      case 3: {
        ++partitions_;
        // Split in two at random.
        cut_.clear();
        uint64_t side = rng_();
        for (node_id a = 0; a < n_; ++a)
          for (node_id b = a + 1; b < n_; ++b)
            if (((side >> a) & 1) != ((side >> b) & 1))
              cut_.insert({a, b});
        return;
      }
      default:
        cut_.clear();
    }
  }

  // Persist, then send, then take note of completions, as the actor does.
  void flush(node_id i) {
    auto& nd = nodes_[i];
    while (nd.up && nd.core->has_ready()) {
      auto ready = nd.core->take_ready();
      for (const auto& w : ready.writes)
        if (auto err = nd.disk->write(w.batch, w.sync))
          return fail("a memory store refused a write");
      for (auto& m : ready.messages)
        send(std::move(m));
      for (const auto& c : ready.completions) {
        auto r = nd.requests.find(c.request);
        if (r == nd.requests.end())
          continue;
        if (c.ok)
          acknowledge(c.pos, r->second);
        nd.requests.erase(r);
      }
      for (const auto& notice : ready.notices) {
        ++(notice.what == node_event::elected ? nd.elected : nd.demoted);
        elections_ += notice.what == node_event::elected ? 1 : 0;
      }
    }
  }

  void trace(uint64_t x) {
    digest_ = (digest_ ^ x) * 1099511628211ull;  // FNV-1a, a word at a time
  }

  void send(message m) {
    trace(uint64_t{m.from} << 40 | uint64_t{m.to} << 32 | m.body.index());
    if (cut_.count({std::min(m.from, m.to), std::max(m.from, m.to)}) > 0)
      return;
    std::uniform_real_distribution<double> p(0, 1);
    if (p(rng_) < plan_.loss)
      return;
    int copies = p(rng_) < plan_.duplicate ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      vtime delay = ms(1) / 10 + static_cast<vtime>(rng_() % uint64_t{ms(2)});
      if (rng_() % 20 == 0)
        delay += static_cast<vtime>(rng_() % uint64_t{ms(40)});  // reordered behind others
      if (plan_.slow > 0 && p(rng_) < plan_.slow)
        delay += static_cast<vtime>(rng_() % uint64_t{ms(300)});
      net_.emplace(t_ + delay, m);
    }
  }

  static std::string value_of(const action& a) {
    switch (a.type) {
      case action_type::append:
        return a.data;
      case action_type::truncate:
        return "<truncate " + std::to_string(a.truncate_to) + ">";
      default:
        return "<nop>";
    }
  }

  void acknowledge(position p, const std::string& v) {
    acknowledged_[p] = v;
    record(p, v, "an acknowledged append");
  }

  void record(position p, const std::string& v, const char* what) {
    auto [i, fresh] = chosen_.emplace(p, v);
    if (!fresh && i->second != v)
      fail(std::string(what) + " at " + std::to_string(p) + " is '" + v + "' but '" + i->second
           + "' was chosen there");
  }

  void check() {
    node_id holder = 0;
    size_t holders = 0;
    for (node_id i = 0; i < n_ && failure_.empty(); ++i) {
      auto& nd = nodes_[i];
      if (!nd.up)
        continue;
      nd.core->check_invariants();
      if (nd.core->holds_lease(now(i))) {
        if (++holders > 1)
          return fail("nodes " + std::to_string(holder) + " and " + std::to_string(i)
                      + " both hold a lease");
        holder = i;
      }
      const auto& rep = nd.core->rep();
      for (position p = std::max(nd.checked_to, rep.begin()); p < rep.learned_end(); ++p)
        if (const action* a = rep.get(p))
          record(p, value_of(*a), ("what node " + std::to_string(i) + " learned").c_str());
      nd.checked_to = rep.learned_end();
    }
  }

  void fail(std::string why) {
    if (!failure_.empty())
      return;
    failure_ = std::move(why) + " (virtual time " + std::to_string(t_ / ms(1)) + "ms)\n";
    for (node_id i = 0; i < n_; ++i) {
      const auto& nd = nodes_[i];
      failure_ += "  node " + std::to_string(i) + ": ";
      if (!nd.up) {
        failure_ += "down\n";
        continue;
      }
      const auto& rep = nd.core->rep();
      failure_ += std::string(nd.core->serving() ? "serving" : "following") + " promised "
                  + std::to_string(rep.promised()) + " learned_end "
                  + std::to_string(rep.learned_end()) + " clock rate "
                  + std::to_string(nd.rate) + "\n";
    }
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  size_t n_;
  fault_plan plan_;
  std::vector<sim_node> nodes_;
  vtime t_ = 0;
  vtime next_append_ = ms(10);
  vtime next_fault_ = ms(300);
  std::multimap<vtime, message> net_;
  std::set<std::pair<node_id, node_id>> cut_;
  std::map<position, std::string> chosen_;
  std::map<position, std::string> acknowledged_;
  uint64_t next_value_ = 0;
  uint64_t digest_ = 14695981039346656037ull;
  size_t elections_ = 0;
  size_t crashes_ = 0;
  size_t partitions_ = 0;
  std::string failure_;
};

// A settled cluster without faults: who leads, at which proposal.
struct settled {
  node_id leader;
  proposal number;
};

std::optional<settled> settle(simulation& sim) {
  sim.run_for(ms(3000), false, true);
  auto l = sim.leader();
  if (!l || sim.acknowledged() == 0)
    return std::nullopt;
  return settled{*l, sim.at(*l).core->prop().number()};
}

// The leader of `before` still serves at its proposal, demoted never, and no
// node stood since `stood`; "" or what went wrong.
std::string same_leader(const simulation& sim, size_t n, const settled& before,
                        const std::vector<uint64_t>& stood, node_id follower) {
  const auto& l = sim.at(before.leader);
  if (!l.up || !l.core->serving() || l.core->prop().number() != before.number || l.demoted > 0)
    return "the leader changed while it was alive";
  for (node_id i = 0; i < n; ++i)
    if (i != follower && sim.at(i).core->elections_stood() != stood[i])
      return "node " + std::to_string(i) + " stood for election under a live leader";
  if (sim.at(follower).up && sim.at(follower).core->elections_stood() > stood[follower])
    return "the follower stood for election instead of asking for a pre-vote";
  return "";
}

std::string targeted(size_t n, bool restart) {
  fault_plan calm;
  calm.faults = false;
  simulation sim{restart ? 7u : 8u, n, calm};
  auto before = settle(sim);
  if (!before)
    return "no leader settled without faults";
  std::vector<uint64_t> stood;
  for (node_id i = 0; i < n; ++i)
    stood.push_back(sim.at(i).core->elections_stood());
  node_id follower = (before->leader + 1) % static_cast<node_id>(n);
  if (restart) {
    sim.crash(follower);
    sim.run_for(ms(50), false, true);
    sim.start(follower);
    stood[follower] = 0;
  } else {
    sim.isolate(follower);
    // Many election timeouts: cut off, it asks for pre-votes nobody hears.
    sim.run_for(ms(5000), false, true);
    sim.heal();
  }
  sim.run_for(ms(5000), false, true);
  return same_leader(sim, n, *before, stood, follower);
}

using options = sim::sim_options;


// Loss and duplication by seed: a quarter of the schedules each way; a
// fifth have slow messages.
fault_plan plan_for(uint64_t seed) {
  fault_plan p;
  double losses[] = {0, 0.02, 0.1, 0.3};
  p.loss = losses[(seed / 3) % 4];
  p.duplicate = seed % 2 == 0 ? 0.02 : 0;
  p.slow = seed % 5 == 1 ? 0.05 : 0;
  return p;
}

} // namespace

int main(int argc, char** argv) {
  auto opts = sim::parse_sim_options(argc, argv,
                                     "Whole log nodes on drifting clocks under seeded faults",
                                     "--nodes", {3, 1000, 1, std::nullopt, 0, false});
  program_name = argv[0];
  current_nodes = opts.nodes;
  std::signal(SIGABRT, on_abort);
  if (opts.nodes < 1 || opts.nodes > 7) {
    std::printf("--nodes must be 1 to 7\n");
    return 2;
  }
  if (!opts.only_seed && opts.nodes >= 3) {
    for (bool restart : {false, true}) {
      auto failure = targeted(opts.nodes, restart);
      if (!failure.empty()) {
        std::printf("FAILED: a %s follower: %s\nreplay: %s --nodes %zu --seeds 0\n",
                    restart ? "restarted" : "healed", failure.c_str(), argv[0], opts.nodes);
        return 1;
      }
    }
    std::printf("a healed partition and a restarted follower left the leader in place\n");
  }
  uint64_t first = opts.only_seed.value_or(opts.first_seed);
  uint64_t count = opts.only_seed ? 1 : opts.seeds;
  size_t acked = 0;
  size_t learned = 0;
  size_t elections = 0;
  size_t crashes = 0;
  size_t partitions = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    current_seed = seed;
    simulation sim{seed, opts.nodes, plan_for(seed)};
    auto failure = sim.run();
    acked += sim.acknowledged();
    learned += sim.learned();
    elections += sim.elections();
    crashes += sim.crashes();
    partitions += sim.partitions();
    if (opts.verbose)
      std::printf("seed %llu: %zu learned, %zu acknowledged\n",
                  static_cast<unsigned long long>(seed), sim.learned(), sim.acknowledged());
    if (failure.empty() && seed % 50 == 0) {
      // Determinism is itself an invariant: the same seed, run again, must
      // take the same steps.
      simulation again{seed, opts.nodes, plan_for(seed)};
      again.run();
      if (again.trace_digest() != sim.trace_digest())
        failure = "a second run of the same seed took other steps (nondeterminism)";
    }
    if (!failure.empty()) {
      std::printf("FAILED seed %llu with %zu nodes: %s\nreplay: %s --nodes %zu --seed %llu\n",
                  static_cast<unsigned long long>(seed), opts.nodes, failure.c_str(), argv[0],
                  opts.nodes, static_cast<unsigned long long>(seed));
      return 1;
    }
  }
  std::printf("%llu schedules over %zu nodes with drifting clocks: one lease at a time, "
              "nothing acknowledged lost, live after healing (%zu positions learned, %zu "
              "appends acknowledged; %zu leaders elected, %zu crashes, %zu partitions)\n",
              static_cast<unsigned long long>(count), opts.nodes, learned, acked, elections,
              crashes, partitions);
  return acked > 0 ? 0 : 1;
}
