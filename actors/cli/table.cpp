#include "actors/cli/table.hpp"

#include <cassert>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace cairn {

namespace {

// Characters, not bytes: a UTF-8 continuation byte does not start one.
size_t display_width(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

} // namespace

table::table(std::vector<std::string> header, bool show_header)
  : header_(std::move(header)), show_header_(show_header) {
  assert(!header_.empty() && "a table needs at least one column");
}

void table::add_row(std::vector<std::string> cells) {
  assert(cells.size() == header_.size() && "a row must fill every column");
  rows_.push_back(std::move(cells));
}

std::string table::render() const {
  std::vector<size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  };
  if (show_header_)
    measure(header_);
  for (const auto& row : rows_)
    measure(row);
  std::string out;
  auto write = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line.append(widths[i] - display_width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back(); // an empty last cell leaves no trailing spaces
    out += line;
    out += '\n';
  };
  if (show_header_)
    write(header_);
  for (const auto& row : rows_)
    write(row);
  assert((out.empty() || out.back() == '\n') && "every line ends in a newline");
  return out;
}

std::string format_quantity(double value) {
  if (!std::isfinite(value))
    return "?";
  auto text = fmt::format("{:.2f}", value);
  while (text.back() == '0')
    text.pop_back();
  if (text.back() == '.')
    text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string format_used(double used, double total) {
  return format_quantity(used) + "/" + format_quantity(total);
}

std::string format_time(double epoch_seconds) {
  if (!(epoch_seconds > 0) || !std::isfinite(epoch_seconds))
    return "-";
  auto t = static_cast<std::time_t>(epoch_seconds);
  std::tm utc{};
  if (gmtime_r(&t, &utc) == nullptr)
    return "-";
  char text[32];
  auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return n == 0 ? "-" : std::string(text, n);
}

} // namespace cairn
