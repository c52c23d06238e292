// The receiving side of each protocol, as the sender sees it. A master holds
// a scheduler_sink per framework and an agent_sink per agent without knowing
// whether the actor behind it is in this process or on another machine.
#pragma once

#include <caf/typed_actor.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "runtime/type_ids.hpp"

namespace cairn {

// Asks a master or an agent for its state document.
using state_atom = caf::atom_constant<caf::atom("state")>;

// A framework (its scheduler driver, or an HTTP event stream), fed by the master.
using scheduler_sink = caf::typed_actor<caf::reacts_to<scheduler_event>>;

// An agent, fed by the master.
using agent_sink = caf::typed_actor<caf::reacts_to<agent_event>>;

// An executor, fed by its agent.
using executor_sink = caf::typed_actor<caf::reacts_to<executor_event>>;

// The master as agents see it.
using agent_call_sink = caf::typed_actor<caf::reacts_to<agent_call>>;

// The master as frameworks see it.
using scheduler_call_sink = caf::typed_actor<caf::reacts_to<scheduler_call>>;

// An agent as its executors see it.
using executor_call_sink = caf::typed_actor<caf::reacts_to<executor_call>>;

// An operator following a master's event stream.
using operator_sink = caf::typed_actor<caf::reacts_to<operator_event>>;

// The allocator, fed by the master.
using allocator_sink = caf::typed_actor<caf::reacts_to<allocator_call>>;

// The master as the allocator sees it: where allocation passes go.
using allocation_sink = caf::typed_actor<caf::reacts_to<allocation>>;

} // namespace cairn
