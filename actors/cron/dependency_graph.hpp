// Which dependent jobs are ready: a child runs once every one of its parents
// has succeeded since the child last ran. Each parent→child edge counts the
// parent's successes; the child is ready when no edge of its is at zero, and
// its edges go back to zero when it runs (so one parent succeeding again
// does not run it again). Pure.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cairn::cron {

class dependency_graph {
public:
  // Replaces the child's parents (none: it is no longer dependent); counts of
  // edges it keeps stay.
  void set_parents(const std::string& child, const std::vector<std::string>& parents);
  // Forgets the job as child and as parent.
  void remove(const std::string& job);
  // Would these parents make a cycle through `child`?
  bool would_cycle(const std::string& child, const std::vector<std::string>& parents) const;

  // The parent succeeded (or failed with softError): the children this made
  // ready, in name order.
  std::vector<std::string> parent_succeeded(const std::string& parent);
  // The child has started a run: its edges are cleared.
  void child_ran(const std::string& child);

  std::vector<std::string> parents_of(const std::string& child) const;
  std::vector<std::string> children_of(const std::string& parent) const;
  bool has_children(const std::string& job) const;
  uint64_t edge_count(const std::string& parent, const std::string& child) const;
  // Every edge as (parent, child), ordered.
  std::vector<std::pair<std::string, std::string>> edges() const;

  void check_invariants() const;

private:
  // child -> parent -> successes since the child last ran
  std::map<std::string, std::map<std::string, uint64_t>> parents_;
  // parent -> children
  std::map<std::string, std::set<std::string>> children_;
};

} // namespace cairn::cron
