#include "actors/agent/checkpointer.hpp"

#include <exception>

#include <caf/typed_event_based_actor.hpp>
#include <kj/exception.h>

#include "actors/agent/checkpoint.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

using Write = schema::checkpoint::Write;

checkpoint_run run_of(const std::string& work_dir, Write::Reader w) {
  return {work_dir, w.getAgentId(), w.getFrameworkId(), w.getExecutorId(), w.getContainerId()};
}

} // namespace

caf::error apply_checkpoint_write(checkpoint_store& store, const std::string& work_dir,
                                  Write::Reader w) {
  switch (w.which()) {
    case Write::AGENT:
      // The boot id first: an agent id is reused only after this boot's.
      if (auto err = write_boot_id(store, work_dir, w.getBootId()))
        return err;
      return write_agent_info(store, work_dir, w.getAgent());
    case Write::FRAMEWORK:
      return write_framework(store, work_dir, w.getAgentId(), w.getFramework());
    case Write::EXECUTOR:
      return write_executor(store, run_of(work_dir, w), w.getExecutor().getInfo(),
                            w.getExecutor().getGeneratedForCommandTask());
    case Write::FORKED_PID:
      return write_forked_pid(store, run_of(work_dir, w), w.getForkedPid());
    case Write::TASK:
      return write_task(store, run_of(work_dir, w), w.getTask());
    case Write::UPDATE:
      return append_update(store, run_of(work_dir, w), w.getUpdate());
    case Write::ACK: {
      auto uuid = w.getAck().getUuid();
      return append_ack(store, run_of(work_dir, w), w.getAck().getTaskId(),
                        std::string(reinterpret_cast<const char*>(uuid.begin()), uuid.size()));
    }
    case Write::COMPLETED:
      return write_executor_completed(store, run_of(work_dir, w));
    case Write::REMOVE_FRAMEWORK:
      return remove_framework(store, work_dir, w.getAgentId(), w.getFrameworkId());
  }
  return make_error("not checkpointed: a write of an unknown kind");
}

checkpointer_actor spawn_checkpointer(caf::actor_system& sys, std::string work_dir,
                                      std::shared_ptr<checkpoint_store> store) {
  auto body = [work_dir, store](checkpointer_actor::pointer) -> checkpointer_actor::behavior_type {
    return {
      [=](const checkpoint_write& w) -> caf::result<bool> {
        // A store that throws (a corrupt message given to it) is an error
        // answered, not a crash of the agent's node.
        try {
          if (auto err = apply_checkpoint_write(*store, work_dir, *w))
            return err;
        } catch (const kj::Exception& e) {
          return make_error(std::string("not checkpointed: ") + e.getDescription().cStr());
        } catch (const std::exception& e) {
          return make_error(std::string("not checkpointed: ") + e.what());
        }
        return true;
      },
    };
  };
  return sys.spawn<caf::detached>(body);
}

} // namespace cairn
