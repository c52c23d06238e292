// A deployment step's next move from an app's counts: start and scale reach
// the count and kill what is beyond it, a rolling restart never leaves fewer
// ready than the minimum and ends with every instance new, stop kills all
// and waits for them to end, and an app no deployment holds is kept at its
// count.
#include <doctest/doctest.h>

#include "actors/services/rolling.hpp"
#include "actors/services/step_progress.hpp"

using namespace cairn::services;
using kind = deployment_action::kind;

TEST_CASE("start and scale ask for the count and kill what is beyond it") {
  app_progress p;
  p.target = 3;
  auto d = advance(kind::start, p, 1, 1);
  CHECK(d.wanted_new == 3);
  CHECK(!d.done);
  p.wanted_new = 3, p.current = 3, p.current_ready = 2;
  CHECK(!advance(kind::start, p, 1, 1).done);  // one is not ready (healthy) yet
  p.current_ready = 3;
  CHECK(advance(kind::start, p, 1, 1).done);

  p.target = 1;  // scale 3 -> 1
  d = advance(kind::scale, p, 1, 1);
  CHECK(d.wanted_new == 1);
  CHECK(d.kill_new == 2);
  CHECK(!d.done);
  p.current = 1, p.current_ready = 1, p.dying = 2;
  CHECK(advance(kind::scale, p, 1, 1).done);
}

TEST_CASE("a rolling restart keeps the minimum ready and ends all new") {
  for (double least : {0.0, 0.5, 1.0})
    for (double over : {0.0, 0.5, 1.0}) {
      CAPTURE(least);
      CAPTURE(over);
      app_progress p;
      p.target = 4, p.old = 4;
      int32_t minimum = minimum_healthy(4, least), most = std::max(4, maximum_running(4, over));
      // Where both bounds are the count, one old instance makes room.
      int32_t floor_ready = minimum == 4 && most == 4 ? 3 : minimum;
      bool done = false;
      for (int round = 0; round < 20 && !done; ++round) {
        auto d = advance(kind::restart, p, least, over);
        done = d.done;
        p.old -= d.kill_old;
        CHECK(d.kill_new == 0);
        // New ones are asked for, then launched and ready a round later.
        p.current = p.current_ready = p.wanted_new;
        p.wanted_new = d.wanted_new;
        CHECK(p.old + p.current_ready >= floor_ready);
        CHECK(p.old + p.wanted_new <= most + 1);  // one over where no room was left
      }
      CHECK(done);
      CHECK(p.old == 0);
      CHECK(p.current_ready == 4);
    }
}

TEST_CASE("stop kills every instance and waits for them to end") {
  app_progress p;
  p.old = 2, p.current = 1;
  auto d = advance(kind::stop, p, 1, 1);
  CHECK(d.kill_old == 2);
  CHECK(d.kill_new == 1);
  CHECK(!d.done);
  p = {};
  p.dying = 3;
  CHECK(!advance(kind::stop, p, 1, 1).done);
  p.dying = 0;
  CHECK(advance(kind::stop, p, 1, 1).done);
}

TEST_CASE("an app no deployment holds is kept at its count") {
  app_progress p;
  p.target = 3, p.wanted_new = 3, p.current = 2;  // one died
  CHECK(keep(p).wanted_new == 3);
  CHECK(keep(p).kill_new == 0);
  p.current = 5;  // too many
  CHECK(keep(p).kill_new == 2);
  p.current = 2, p.old = 1;  // an old one left by a cancelled deployment counts
  CHECK(keep(p).wanted_new == 2);
}
