#include "actors/cron/dependency_graph.hpp"

#include <cassert>
#include <cstdlib>

namespace cairn::cron {

void dependency_graph::set_parents(const std::string& child,
                                   const std::vector<std::string>& parents) {
  auto old = parents_[child];
  for (auto& [p, count] : old)
    children_[p].erase(child);
  std::map<std::string, uint64_t> now;
  for (auto& p : parents) {
    assert(p != child);
    auto it = old.find(p);
    now[p] = it == old.end() ? 0 : it->second;
    children_[p].insert(child);
  }
  if (now.empty())
    parents_.erase(child);
  else
    parents_[child] = std::move(now);
  for (auto it = children_.begin(); it != children_.end();)
    it = it->second.empty() ? children_.erase(it) : std::next(it);
  check_invariants();
}

void dependency_graph::remove(const std::string& job) {
  set_parents(job, {});
  if (auto it = children_.find(job); it != children_.end()) {
    for (auto& c : it->second) {
      auto& ps = parents_[c];
      ps.erase(job);
      if (ps.empty())
        parents_.erase(c);
    }
    children_.erase(it);
  }
  check_invariants();
}

bool dependency_graph::would_cycle(const std::string& child,
                                   const std::vector<std::string>& parents) const {
  // A cycle: `child` is an ancestor of one of the new parents.
  std::vector<std::string> todo(parents.begin(), parents.end());
  std::set<std::string> seen;
  while (!todo.empty()) {
    auto j = todo.back();
    todo.pop_back();
    if (j == child)
      return true;
    if (!seen.insert(j).second)
      continue;
    if (auto it = parents_.find(j); it != parents_.end())
      for (auto& [p, count] : it->second)
        todo.push_back(p);
  }
  return false;
}

std::vector<std::string> dependency_graph::parent_succeeded(const std::string& parent) {
  std::vector<std::string> ready;
  auto it = children_.find(parent);
  if (it == children_.end())
    return ready;
  for (auto& c : it->second) {
    auto& ps = parents_.at(c);
    ++ps.at(parent);
    bool all = true;
    for (auto& [p, count] : ps)
      all = all && count > 0;
    if (all)
      ready.push_back(c);
  }
  check_invariants();
  return ready;
}

void dependency_graph::child_ran(const std::string& child) {
  if (auto it = parents_.find(child); it != parents_.end())
    for (auto& [p, count] : it->second)
      count = 0;
}

std::vector<std::string> dependency_graph::parents_of(const std::string& child) const {
  std::vector<std::string> out;
  if (auto it = parents_.find(child); it != parents_.end())
    for (auto& [p, count] : it->second)
      out.push_back(p);
  return out;
}

std::vector<std::string> dependency_graph::children_of(const std::string& parent) const {
  auto it = children_.find(parent);
  return it == children_.end() ? std::vector<std::string>{}
                               : std::vector<std::string>(it->second.begin(), it->second.end());
}

bool dependency_graph::has_children(const std::string& job) const {
  return children_.count(job) > 0;
}

uint64_t dependency_graph::edge_count(const std::string& parent, const std::string& child) const {
  auto it = parents_.find(child);
  if (it == parents_.end())
    return 0;
  auto e = it->second.find(parent);
  return e == it->second.end() ? 0 : e->second;
}

std::vector<std::pair<std::string, std::string>> dependency_graph::edges() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [p, cs] : children_)
    for (auto& c : cs)
      out.emplace_back(p, c);
  return out;
}

void dependency_graph::check_invariants() const {
  // Both indexes name the same edges, and no job is its own parent.
  size_t n = 0;
  for (auto& [c, ps] : parents_) {
    if (ps.empty())
      std::abort();
    for (auto& [p, count] : ps) {
      ++n;
      auto it = children_.find(p);
      if (p == c || it == children_.end() || !it->second.count(c))
        std::abort();
    }
  }
  size_t m = 0;
  for (auto& [p, cs] : children_)
    m += cs.size();
  if (n != m)
    std::abort();
}

} // namespace cairn::cron
