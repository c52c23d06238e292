// Waiting for SIGINT or SIGTERM on the main thread. Block them first, before
// any thread starts, so that no other thread takes them.
#pragma once

namespace cairn {

void block_termination_signals();
// Returns the signal that arrived.
int wait_for_termination_signal();

} // namespace cairn
