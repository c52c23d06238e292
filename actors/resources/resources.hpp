// Resource arithmetic, after Mesos' Resources: named scalars, ranges and sets,
// each unreserved ("*") or reserved to a role, and optionally allocated to a
// role. A pure value type used by the master, the allocator and the agent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cairn {

enum class value_kind : uint8_t { scalar, ranges, set };

// Scalars are fixed-point with three decimal digits, as in Mesos, so that
// adding and subtracting never drifts.
using milli = int64_t;

milli to_milli(double value);
double from_milli(milli value);

// What a value from outside must be before it becomes a resource's (""
// when it may): a scalar finite, not negative and at most
// limits::max_scalar_value, so that to_milli and every sum stay in range; a
// range ordered and ending at most at limits::max_range_value.
std::string check_scalar(double value);
std::string check_range(uint64_t begin, uint64_t end);

// The totals per name of the scalars of one list being read: refuses a
// total past limits::max_scalar_value before it is added.
class scalar_totals {
public:
  std::string add(const std::string& name, milli value);

private:
  std::unordered_map<std::string, milli> totals_;
};

struct interval {
  uint64_t begin;
  uint64_t end; // inclusive
  friend bool operator==(const interval& a, const interval& b) {
    return a.begin == b.begin && a.end == b.end;
  }
};

struct resource {
  std::string name;
  value_kind kind = value_kind::scalar;
  milli scalar = 0;
  std::vector<interval> ranges;  // sorted, disjoint, not adjacent
  std::vector<std::string> set;  // sorted, unique
  std::string role = "*";        // the reservation's role; "*" is unreserved
  bool dynamic = false;          // dynamic (operator/framework) reservation
  std::string principal;         // who made a dynamic reservation
  std::string allocation_role;   // set while allocated to a role; else empty

  bool reserved() const {
    return role != "*";
  }
  bool empty() const;
  // Same identity: name, kind, reservation and allocation. Only resources of
  // one identity combine.
  bool same_identity(const resource& other) const;
};

class resources {
public:
  resources() = default;

  static resources scalar(std::string name, double value, std::string role = "*");
  static resources port_range(uint64_t begin, uint64_t end, std::string role = "*");

  bool empty() const {
    return items_.empty();
  }
  const std::vector<resource>& items() const {
    return items_;
  }

  resources& operator+=(const resource& r);
  resources& operator+=(resource&& r);
  resources& operator+=(const resources& rs);
  // Requires contains(r); subtracting what is not there is a programmer error.
  resources& operator-=(const resource& r);
  resources& operator-=(const resources& rs);
  friend resources operator+(resources a, const resources& b) {
    return a += b;
  }
  friend resources operator-(resources a, const resources& b) {
    return a -= b;
  }

  bool contains(const resource& r) const;
  bool contains(const resources& rs) const;

  // Total of a scalar across roles and allocations (0 when absent).
  double get_scalar(std::string_view name) const;
  milli get_scalar_milli(std::string_view name) const;
  // Every value of a ranges resource, across roles.
  std::vector<interval> get_ranges(std::string_view name) const;

  // The same resources marked allocated to `role` (allocation_info.role).
  resources allocated_to(const std::string& role) const;
  // The same resources with allocation information removed.
  resources unallocated() const;
  // What a framework in `role` may be offered: unreserved, or reserved to `role`.
  resources usable_by(const std::string& role) const;
  resources unreserved() const;
  resources reserved_to(const std::string& role) const;
  // Only the scalar resources (what DRF shares are computed over).
  resources scalars() const;

  // Mesos' text form: "cpus(*):4; mem(*):4096; ports(*):[31000-32000]".
  std::string to_string() const;

  friend bool operator==(const resources& a, const resources& b) {
    return a.contains(b) && b.contains(a);
  }
  friend bool operator!=(const resources& a, const resources& b) {
    return !(a == b);
  }

private:
  std::vector<resource> items_;
};

// Mesos' range arithmetic on sorted, disjoint interval lists.
std::vector<interval> ranges_union(const std::vector<interval>& a,
                                   const std::vector<interval>& b);
std::vector<interval> ranges_difference(const std::vector<interval>& a,
                                        const std::vector<interval>& b);
bool ranges_contain(const std::vector<interval>& outer, const std::vector<interval>& inner);
uint64_t ranges_count(const std::vector<interval>& a);
std::string ranges_to_string(const std::vector<interval>& a);

} // namespace cairn
