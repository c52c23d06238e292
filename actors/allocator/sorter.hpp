// The DRF sorter (Mesos' DRFSorter, one level): clients ordered by weighted dominant
// share, ties by name. A share change costs O(log n) (erase and re-insert); a change
// of the cluster totals only marks the order stale, and it is rebuilt once, at the
// next order(), so adding or removing agents never re-sorts anything by itself.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "actors/resources/resources.hpp"

namespace cairn::alloc {

// Amounts of scalar resources indexed by a dense scalar-name index that the owner
// assigns (cpus, mem, disk, ...). A shorter vector means zeros for the missing names.
using quantities = std::vector<milli>;

void add_to(quantities& to, const quantities& q);
// Requires `from` to hold at least `q` of every name.
void subtract_from(quantities& from, const quantities& q);
bool is_zero(const quantities& q);
// Whether every amount of `part` is at most the same amount of `whole`.
bool fits_in(const quantities& part, const quantities& whole);
bool same_amounts(const quantities& a, const quantities& b);

// The cluster's scalar totals, shared by every sorter of one core. `version`
// changes whenever `amount` does.
struct cluster_totals {
  quantities amount;
  uint64_t version = 0;
};

// Weighted dominant share: max over names of allocation / total, divided by weight.
double dominant_share(const quantities& allocation, const quantities& totals, double weight);

class drf_sorter {
public:
  struct entry {
    double share;
    std::string name;
    uint32_t key;
  };
  // Looks an entry up without copying its name.
  struct probe {
    double share;
    const std::string& name;
  };
  struct by_share {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      if (a.share != b.share)
        return a.share < b.share;
      return a.name < b.name;
    }
  };
  using order_type = std::set<entry, by_share>;

  // `totals` must outlive the sorter.
  explicit drf_sorter(const cluster_totals* totals);

  // Keys are small dense integers chosen by the caller; names break ties and must
  // be unique within the sorter. A new client has no allocation.
  void add(uint32_t key, const std::string& name, double weight = 1.0);
  // Requires a zero allocation: whatever the client held must be given back first.
  void remove(uint32_t key);
  bool contains(uint32_t key) const;
  size_t size() const {
    return size_;
  }

  void set_weight(uint32_t key, double weight);
  double weight(uint32_t key) const;

  void allocate(uint32_t key, const quantities& q);
  void unallocate(uint32_t key, const quantities& q);
  const quantities& allocation(uint32_t key) const;
  // The share against the current totals (whether or not the order is up to date).
  double share(uint32_t key) const;

  // The clients in DRF order, brought up to date with the totals first.
  const order_type& order();
  std::vector<uint32_t> sorted_keys();

private:
  struct slot {
    bool live = false;
    std::string name;
    double weight = 1.0;
    quantities allocation;
    double share = 0; // the share `order_` holds this slot under
  };

  const slot& live_slot(uint32_t key) const;
  bool stale() const {
    return sorted_version_ != totals_->version;
  }
  void reposition(uint32_t key);

  const cluster_totals* totals_;
  uint64_t sorted_version_;
  std::vector<slot> slots_;
  order_type order_;
  size_t size_ = 0;
};

} // namespace cairn::alloc
