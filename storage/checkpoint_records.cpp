// The framing of checkpoint files, and the names of the store's temporary
// files: shared by every checkpoint_store, so that a file written by one
// reads the same through any other.
#include <array>

#include "runtime/limits.hpp"
#include "storage/checkpoint_store.hpp"

namespace cairn {

namespace {

constexpr size_t header_bytes = 8;
constexpr std::string_view temp_suffix = ".cairn-tmp";

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): what LevelDB and
// ext4 use for the same purpose; a table built once.
std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}

void put_u32(std::string& out, uint32_t x) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}

uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t x = 0;
  for (int i = 3; i >= 0; --i)
    x = (x << 8) | static_cast<uint8_t>(bytes[at + static_cast<size_t>(i)]);
  return x;
}

} // namespace

uint32_t crc32c(std::string_view bytes) {
  static const auto table = make_crc_table();
  uint32_t c = 0xffffffffu;
  for (char b : bytes)
    c = table[(c ^ static_cast<uint8_t>(b)) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::string frame_record(std::string_view payload) {
  std::string out;
  out.reserve(header_bytes + payload.size());
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, crc32c(payload));
  out.append(payload);
  return out;
}

record_scan read_records(std::string_view bytes) {
  record_scan scan;
  size_t at = 0;
  while (at < bytes.size()) {
    size_t left = bytes.size() - at;
    if (left < header_bytes) {
      scan.torn = true;
      scan.problem = "the file ends " + std::to_string(left) +
                     " bytes into the header of record " + std::to_string(scan.records.size() + 1);
      break;
    }
    uint64_t length = get_u32(bytes, at);
    uint32_t sum = get_u32(bytes, at + 4);
    if (length > limits::max_checkpoint_record_bytes) {
      scan.problem = "record " + std::to_string(scan.records.size() + 1) + " claims " +
                     std::to_string(length) + " bytes, more than a record may hold";
      break;
    }
    if (left - header_bytes < length) {
      scan.torn = true;
      scan.problem = "the file ends " + std::to_string(left - header_bytes) + " of " +
                     std::to_string(length) + " bytes into record " +
                     std::to_string(scan.records.size() + 1);
      break;
    }
    auto payload = bytes.substr(at + header_bytes, length);
    if (crc32c(payload) != sum) {
      scan.problem = "record " + std::to_string(scan.records.size() + 1) +
                     " does not match its checksum";
      break;
    }
    scan.records.emplace_back(payload);
    at += header_bytes + length;
    scan.good_bytes = at;
  }
  return scan;
}

std::string checkpoint_temp_path(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  auto base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + std::string(temp_suffix);
}

bool is_checkpoint_temp_name(std::string_view name) {
  return name.size() > temp_suffix.size() + 1 && name.front() == '.' &&
         name.substr(name.size() - temp_suffix.size()) == temp_suffix;
}

} // namespace cairn
