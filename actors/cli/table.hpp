// Aligned text tables for the CLI's views of a cluster, and the few ways a
// cell is written (quantities, used/total pairs, times), so that every view
// reads alike.
#pragma once

#include <string>
#include <vector>

namespace cairn {

// Columns are left-aligned and separated by two spaces, as Mesos' CLI prints
// them; widths count UTF-8 characters, not bytes.
class table {
public:
  // `show_header` false makes a key/value listing (the first column the keys).
  explicit table(std::vector<std::string> header, bool show_header = true);

  // One row; it must have as many cells as the header has columns.
  void add_row(std::vector<std::string> cells);

  size_t rows() const {
    return rows_.size();
  }

  // Every line ends in '\n'; no line has trailing spaces.
  std::string render() const;

private:
  std::vector<std::string> header_;
  bool show_header_;
  std::vector<std::vector<std::string>> rows_;
};

// 4 -> "4", 0.1 -> "0.1", 1.25 -> "1.25", 1.0/3 -> "0.33": at most two decimals.
std::string format_quantity(double value);

// "0.1/4": used of total.
std::string format_used(double used, double total);

// Seconds since the epoch as "2024-05-01T12:00:00Z"; "-" for 0 (never).
std::string format_time(double epoch_seconds);

} // namespace cairn
