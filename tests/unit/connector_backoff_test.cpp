// A connector's backoff is spread around its nominal value, so that many
// clients that lost their master together do not ask again together.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "runtime/connector.hpp"

using namespace cairn;
using namespace std::chrono_literals;

TEST_CASE("the jittered backoff stays within half and one and a half of the nominal") {
  duration backoff = 1s;
  CHECK(jittered_backoff(backoff, 0.0) == 500ms);
  CHECK(jittered_backoff(backoff, 0.5) == 1s);
  CHECK(jittered_backoff(backoff, 0.999) < 1500ms);
  CHECK(jittered_backoff(backoff, 0.999) > 1400ms);
}

TEST_CASE("a thousand draws give a thousand clients different waits") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::set<duration> waits;
  for (int i = 0; i < 1000; ++i) {
    auto w = jittered_backoff(250ms, u(rng));
    CHECK(w >= 125ms);
    CHECK(w < 375ms);
    waits.insert(w);
  }
  CHECK(waits.size() > 900);
}
