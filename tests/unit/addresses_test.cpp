// --master lists as users type them are read into HTTP addresses, or refused
// naming the bad part.
#include <doctest/doctest.h>

#include "runtime/connect.hpp"
#include "runtime/errors.hpp"

using namespace cairn;

TEST_CASE("a list of masters becomes one address each, with the default port") {
  auto list = parse_address_list("h1:5050,h2, 10.0.0.3:6060 ,", 5050);
  REQUIRE(list);
  CHECK(*list == std::vector<std::string>{"h1:5050", "h2:5050", "10.0.0.3:6060"});
  auto one = parse_address_list("127.0.0.1:5051", 5050);
  REQUIRE(one);
  CHECK(*one == std::vector<std::string>{"127.0.0.1:5051"});
}

TEST_CASE("a bad part is named and nothing is returned") {
  auto bad_port = parse_address_list("h1:5050,h2:50x0", 5050);
  REQUIRE(!bad_port);
  CHECK(error_message(bad_port.error()).find("h2:50x0") != std::string::npos);
  auto too_big = parse_address_list("h1:65536", 5050);
  REQUIRE(!too_big);
  auto no_host = parse_address_list("h1:5050,:5050", 5050);
  REQUIRE(!no_host);
  CHECK(error_message(no_host.error()).find("no host") != std::string::npos);
}

TEST_CASE("a list that names no address is refused") {
  for (auto text : {"", ",", " , "}) {
    auto list = parse_address_list(text, 5050);
    REQUIRE(!list);
    CHECK(error_message(list.error()).find("names no address") != std::string::npos);
  }
}
