// Wall-clock time for timestamps that leave the process (task statuses,
// registered times). Intervals and timers use the actor clock instead, which
// CAF's test coordinator drives in simulation.
#pragma once

#include <functional>

namespace cairn {

// Seconds since the epoch.
double wall_clock_seconds();

// Milliseconds of a steady clock, for measuring how long work took (metrics);
// never for decisions, which use the actor clock.
double monotonic_ms();

// Blocks the calling thread: only on a thread of its own (a detached actor
// ending), never in an actor on the shared scheduler.
void pause_thread_ms(int ms);

// Replaces the wall clock (simulation); an empty function restores the real one.
void set_wall_clock(std::function<double()> source);

} // namespace cairn
