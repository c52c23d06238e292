// The agent's checkpointer: a detached actor that applies the agent's
// checkpoint writes (checkpoint.hpp) one after another, each durable (fsync)
// before it answers. The agent never blocks on the disk itself; it sends a
// write and goes on when the answer comes where order matters (a status
// update is sent to the master only once it is on disk).
#pragma once

#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>

#include "runtime/type_ids.hpp"
#include "storage/checkpoint_store.hpp"

namespace cairn {

using checkpointer_actor =
  caf::typed_actor<caf::replies_to<checkpoint_write>::with<bool>>;

// Applies one write to `store` under `work_dir`; an error names what was
// not written and why, and then nothing of it was.
caf::error apply_checkpoint_write(checkpoint_store& store, const std::string& work_dir,
                                  schema::checkpoint::Write::Reader write);

checkpointer_actor spawn_checkpointer(caf::actor_system& sys, std::string work_dir,
                                      std::shared_ptr<checkpoint_store> store);

} // namespace cairn
