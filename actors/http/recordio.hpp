// Mesos' RecordIO framing of event streams: "<length>\n<record>".
#pragma once

#include <string>

namespace cairn {

inline std::string recordio(const std::string& record) {
  return std::to_string(record.size()) + "\n" + record;
}

} // namespace cairn
