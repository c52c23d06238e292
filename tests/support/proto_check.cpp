// Checks JSON documents as a client built from Mesos' .proto files reads
// them: libprotobuf's JSON parser, unknown fields not allowed, required
// fields required, integers as integers (runtime/protobuf_edge's strict
// parse). Reads lines "<full message name>\t<JSON>" on stdin; prints each
// refused document with the reason; exits 1 when any was refused.
#include <iostream>
#include <string>

#include "runtime/protobuf_edge.hpp"

int main() {
  std::string line;
  size_t checked = 0;
  size_t refused = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty())
      continue;
    auto tab = line.find('\t');
    if (tab == std::string::npos) {
      std::cerr << "expected '<type>\\t<json>', got: " << line.substr(0, 200) << "\n";
      return 2;
    }
    auto type = line.substr(0, tab);
    auto json = line.substr(tab + 1);
    ++checked;
    auto problem = cairn::strict_json_problem(type, json);
    if (!problem.empty()) {
      ++refused;
      std::cout << "REFUSED " << type << ": " << problem << "\n  " << json.substr(0, 600)
                << (json.size() > 600 ? "..." : "") << "\n";
    }
  }
  std::cout << "checked " << checked << " documents, " << refused << " refused\n";
  return refused == 0 ? 0 : 1;
}
