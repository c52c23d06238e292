// Decline filters (Mesos' RefusedOfferFilter) of the allocation core, kept so that the
// pass only ever tests a bit: one bit per (agent, client) where a client is one
// (framework, role) membership; a list per agent (sweeps, agent removal); a list per
// client (revive, framework removal); a count per (agent, role) so that a role whose
// clients are all filtered on an agent is skipped in O(1); and an indexed min-heap of
// expiry times. At most one filter per (agent, client): every container here is
// bounded by agents x clients. Declined resources are interned per agent, since the
// filters of one agent usually decline the same free resources.
// Internal to the allocator core: the core decides which filters hold; this only stores.
#pragma once

#include <cassert>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "actors/resources/resources.hpp"

namespace cairn::alloc {

inline constexpr uint32_t no_index = UINT32_MAX;

// A growable bitset over dense indices.
class dense_bits {
public:
  bool test(uint32_t i) const {
    const size_t w = i >> 6;
    return w < words_.size() && ((words_[w] >> (i & 63)) & 1u) != 0;
  }
  void set(uint32_t i) {
    const size_t w = i >> 6;
    if (w >= words_.size())
      words_.resize(w + 1, 0);
    words_[w] |= uint64_t{1} << (i & 63);
  }
  void reset(uint32_t i) {
    const size_t w = i >> 6;
    if (w < words_.size())
      words_[w] &= ~(uint64_t{1} << (i & 63));
  }
  size_t count() const {
    size_t n = 0;
    for (uint64_t w : words_)
      n += static_cast<size_t>(__builtin_popcountll(w));
    return n;
  }
  const uint64_t* words() const {
    return words_.data();
  }
  size_t word_count() const {
    return words_.size();
  }

private:
  std::vector<uint64_t> words_;
};

class filter_table {
public:
  using time_point = std::chrono::steady_clock::time_point;

  struct filter {
    uint32_t agent = no_index;
    uint32_t client = no_index;
    uint32_t role = no_index;
    uint32_t declined = no_index; // index into the pool of declined resources
    uint32_t pos_in_agent = 0;
    uint32_t pos_in_client = 0;
    uint32_t heap_pos = 0;
    time_point expiry{};
  };

  bool filtered(uint32_t agent, uint32_t client) const {
    return agent < agents_.size() && agents_[agent].bits.test(client);
  }
  const dense_bits& bits(uint32_t agent) const {
    static const dense_bits none;
    return agent < agents_.size() ? agents_[agent].bits : none;
  }
  uint32_t filtered_in_role(uint32_t agent, uint32_t role) const {
    if (agent >= agents_.size() || role >= agents_[agent].per_role.size())
      return 0;
    return agents_[agent].per_role[role];
  }
  size_t size() const {
    return live_;
  }
  size_t count_on_agent(uint32_t agent) const {
    return agent < agents_.size() ? agents_[agent].slots.size() : 0;
  }
  size_t count_of_client(uint32_t client) const {
    return client < clients_.size() ? clients_[client].size() : 0;
  }
  const filter& at(uint32_t slot) const {
    assert(slot < slots_.size() && slots_[slot].agent != no_index);
    return slots_[slot];
  }
  const resources& declined(const filter& f) const {
    return pool_[f.declined].res;
  }
  std::vector<uint32_t> slots_on_agent(uint32_t agent) const {
    return agent < agents_.size() ? agents_[agent].slots : std::vector<uint32_t>{};
  }

  // Adds a filter, replacing the one on the same (agent, client) if there is one.
  void add(uint32_t agent, uint32_t client, uint32_t role, const resources& declined,
           time_point expiry) {
    assert(agent != no_index && client != no_index && role != no_index);
    remove(agent, client);
    grow(agent, client);
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    auto& a = agents_[agent];
    filter& f = slots_[slot];
    f = filter{agent, client, role, intern(a, declined),
               static_cast<uint32_t>(a.slots.size()),
               static_cast<uint32_t>(clients_[client].size()),
               static_cast<uint32_t>(heap_.size()), expiry};
    a.slots.push_back(slot);
    clients_[client].push_back(slot);
    a.bits.set(client);
    if (role >= a.per_role.size())
      a.per_role.resize(role + 1, 0);
    ++a.per_role[role];
    heap_.push_back(slot);
    sift_up(f.heap_pos);
    ++live_;
    assert(filtered(agent, client) && slots_[slot].heap_pos < heap_.size());
  }

  // Removes the filter on (agent, client), if any.
  void remove(uint32_t agent, uint32_t client) {
    if (!filtered(agent, client))
      return;
    const auto& on_agent = agents_[agent].slots;
    const auto& of_client = clients_[client];
    // Search the shorter of the two lists.
    if (on_agent.size() <= of_client.size()) {
      for (uint32_t slot : on_agent)
        if (slots_[slot].client == client)
          return erase(slot);
    } else {
      for (uint32_t slot : of_client)
        if (slots_[slot].agent == agent)
          return erase(slot);
    }
    assert(false && "filter bit set without a filter");
  }

  void erase(uint32_t slot) {
    filter& f = slots_[slot];
    assert(f.agent != no_index && "erasing a dead filter");
    auto& a = agents_[f.agent];
    a.bits.reset(f.client);
    assert(a.per_role[f.role] > 0);
    --a.per_role[f.role];
    unlink(a.slots, f.pos_in_agent, [this](uint32_t s) -> uint32_t& {
      return slots_[s].pos_in_agent;
    });
    unlink(clients_[f.client], f.pos_in_client, [this](uint32_t s) -> uint32_t& {
      return slots_[s].pos_in_client;
    });
    heap_erase(f.heap_pos);
    release(f.declined);
    f = filter{};
    free_slots_.push_back(slot);
    assert(live_ > 0);
    --live_;
  }

  void drop_agent(uint32_t agent) {
    while (count_on_agent(agent) > 0)
      erase(agents_[agent].slots.back());
    assert(agent >= agents_.size() || agents_[agent].bits.count() == 0);
  }

  void drop_client(uint32_t client) {
    while (count_of_client(client) > 0)
      erase(clients_[client].back());
  }

  // Drops the filters of `client` (those whose role passes `pick`).
  template <class Pick>
  void drop_client_if(uint32_t client, Pick pick) {
    if (client >= clients_.size())
      return;
    for (size_t i = clients_[client].size(); i-- > 0;) {
      const uint32_t slot = clients_[client][i];
      if (pick(slots_[slot].role))
        erase(slot);
    }
  }

  // Drops every filter on `agent` for which keep(declined, role) is false.
  template <class Keep>
  void sweep(uint32_t agent, Keep keep) {
    if (agent >= agents_.size())
      return;
    auto& list = agents_[agent].slots;
    for (size_t i = list.size(); i-- > 0;) {
      const filter& f = slots_[list[i]];
      if (!keep(pool_[f.declined].res, f.role))
        erase(list[i]);
    }
  }

  // Removes every filter that expires at or before `now`; returns how many.
  size_t expire(time_point now) {
    size_t n = 0;
    while (!heap_.empty() && slots_[heap_.front()].expiry <= now) {
      erase(heap_.front());
      ++n;
    }
    assert(heap_.empty() || slots_[heap_.front()].expiry > now);
    return n;
  }

  // Internal consistency (O(size)); empty when fine.
  std::string check() const {
    size_t bits = 0;
    size_t listed = 0;
    size_t refs = 0;
    for (uint32_t agent = 0; agent < agents_.size(); ++agent) {
      const auto& a = agents_[agent];
      bits += a.bits.count();
      listed += a.slots.size();
      std::vector<uint32_t> per_role(a.per_role.size(), 0);
      for (size_t i = 0; i < a.slots.size(); ++i) {
        const filter& f = slots_[a.slots[i]];
        if (f.agent != agent || f.pos_in_agent != i || !a.bits.test(f.client))
          return "filter lists and bits disagree";
        if (clients_[f.client][f.pos_in_client] != a.slots[i])
          return "a filter's client list position is wrong";
        if (heap_[f.heap_pos] != a.slots[i])
          return "filter heap position is wrong";
        if (f.role >= per_role.size() || pool_[f.declined].refs == 0)
          return "a filter's role count or declined resources are missing";
        ++per_role[f.role];
      }
      if (per_role != a.per_role)
        return "filter counts per role are wrong";
    }
    for (const pooled& p : pool_)
      refs += p.refs;
    if (bits != live_ || listed != live_ || heap_.size() != live_ || refs != live_)
      return "filter counts disagree";
    for (size_t i = 1; i < heap_.size(); ++i)
      if (slots_[heap_[(i - 1) / 2]].expiry > slots_[heap_[i]].expiry)
        return "filter heap order is broken";
    return {};
  }

private:
  struct agent_filters {
    dense_bits bits;
    std::vector<uint32_t> slots;
    std::vector<uint32_t> per_role;
    uint32_t last_declined = no_index;
  };
  struct pooled {
    resources res;
    uint32_t refs = 0;
  };

  void grow(uint32_t agent, uint32_t client) {
    if (agent >= agents_.size())
      agents_.resize(agent + 1);
    if (client >= clients_.size())
      clients_.resize(client + 1);
  }

  // Shares one copy of the declined resources among an agent's filters when they
  // are equal to the last ones declined there.
  uint32_t intern(agent_filters& a, const resources& res) {
    const uint32_t last = a.last_declined;
    if (last != no_index && pool_[last].refs > 0 && pool_[last].res == res) {
      ++pool_[last].refs;
      return last;
    }
    uint32_t i;
    if (!free_pool_.empty()) {
      i = free_pool_.back();
      free_pool_.pop_back();
    } else {
      i = static_cast<uint32_t>(pool_.size());
      pool_.emplace_back();
    }
    pool_[i] = pooled{res, 1};
    a.last_declined = i;
    return i;
  }

  void release(uint32_t i) {
    assert(pool_[i].refs > 0);
    if (--pool_[i].refs == 0) {
      pool_[i].res = resources{};
      free_pool_.push_back(i);
    }
  }

  template <class Pos>
  static void unlink(std::vector<uint32_t>& list, uint32_t pos, Pos pos_of) {
    assert(pos < list.size());
    const uint32_t moved = list.back();
    list[pos] = moved;
    pos_of(moved) = pos;
    list.pop_back();
  }

  bool earlier(uint32_t i, uint32_t j) const {
    return slots_[heap_[i]].expiry < slots_[heap_[j]].expiry;
  }
  void swap_heap(uint32_t i, uint32_t j) {
    std::swap(heap_[i], heap_[j]);
    slots_[heap_[i]].heap_pos = i;
    slots_[heap_[j]].heap_pos = j;
  }
  void sift_up(uint32_t i) {
    while (i > 0 && earlier(i, (i - 1) / 2)) {
      swap_heap(i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
  }
  void sift_down(uint32_t i) {
    const auto n = static_cast<uint32_t>(heap_.size());
    for (;;) {
      uint32_t least = i;
      const uint32_t l = 2 * i + 1;
      if (l < n && earlier(l, least))
        least = l;
      if (l + 1 < n && earlier(l + 1, least))
        least = l + 1;
      if (least == i)
        return;
      swap_heap(i, least);
      i = least;
    }
  }
  void heap_erase(uint32_t pos) {
    assert(pos < heap_.size());
    const auto last = static_cast<uint32_t>(heap_.size() - 1);
    if (pos != last) {
      swap_heap(pos, last);
      heap_.pop_back();
      sift_down(pos);
      sift_up(pos);
    } else {
      heap_.pop_back();
    }
  }

  std::deque<filter> slots_; // a deque: no copy of millions of filters when it grows
  std::vector<uint32_t> free_slots_;
  std::vector<agent_filters> agents_;
  std::vector<std::vector<uint32_t>> clients_;
  std::deque<pooled> pool_;
  std::vector<uint32_t> free_pool_;
  std::vector<uint32_t> heap_;
  size_t live_ = 0;
};

} // namespace cairn::alloc
