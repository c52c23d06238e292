// The allocator actor refuses calls that break the allocation core's
// preconditions (what a master could build from bad input), logs them, and
// keeps serving: it never aborts on what came in a message.
#include <doctest/doctest.h>

#include <limits>

#include "actors/allocator/allocator.hpp"
#include "actors/resources/convert.hpp"
#include "actors/resources/parse.hpp"
#include "runtime/log.hpp"
#include "tests/support/actor_fixture.hpp"

using namespace cairn;
using namespace std::chrono_literals;
namespace sa = schema::allocator;

namespace {

using allocator_impl = caf::stateful_actor<allocator_state, allocator_actor::base>;

caf::behavior grant_recorder(caf::event_based_actor*,
                             std::shared_ptr<std::vector<allocation>> grants) {
  return {[grants](const allocation& a) { grants->push_back(a); }};
}

resources parsed(const char* text) {
  return parse_resources(text).value();
}

struct allocator_fixture : testing::actor_fixture {
  std::shared_ptr<std::vector<allocation>> grants = std::make_shared<std::vector<allocation>>();
  caf::actor master;
  allocator_actor alloc;

  allocator_fixture() {
    setup_logging("off");
    master = sys.spawn(grant_recorder, grants);
    allocator_options options;
    options.allocation_interval = 1s;
    alloc = sys.spawn(allocator, caf::actor_cast<allocation_sink>(master), options);
    settle();
    add_framework("f", {"*"});
    add_agent("a", "cpus:4;mem:4096", "");
  }

  ~allocator_fixture() override {
    stop(caf::actor_cast<caf::actor>(alloc));
    stop(master);
  }

  template <class Fill>
  void call(Fill fill) {
    caf::anon_send(alloc, make_wire<sa::Call>(fill));
    settle();
  }

  void add_framework(const char* id, std::vector<const char*> roles) {
    call([&](sa::Call::Builder c) {
      auto f = c.initAddFramework();
      f.initFrameworkId().setValue(id);
      auto list = f.initRoles(static_cast<unsigned>(roles.size()));
      for (unsigned i = 0; i < roles.size(); ++i)
        list.set(i, roles[i]);
      f.setActive(true);
    });
  }

  // `used`: what framework "f" holds there, allocated to `role`.
  void add_agent(const char* id, const char* total, const char* used, const char* role = "*") {
    call([&](sa::Call::Builder c) {
      auto a = c.initAddAgent();
      a.initAgentId().setValue(id);
      write_resources(parsed(total), a.initTotal(
        static_cast<unsigned>(parsed(total).items().size())));
      if (*used != '\0') {
        auto u = a.initUsed(1)[0];
        u.initFrameworkId().setValue("f");
        set_resources(u, parsed(used).allocated_to(role));
      }
    });
  }

  void recover(const resources& res) {
    call([&](sa::Call::Builder c) {
      auto r = c.initRecoverResources();
      r.initFrameworkId().setValue("f");
      r.initAgentId().setValue("a");
      set_resources(r, res);
    });
  }

  // The actor's state (CAF's deref() needs CAF's own test runner).
  allocator_state& state() {
    auto* impl = dynamic_cast<allocator_impl*>(caf::actor_cast<caf::abstract_actor*>(alloc));
    REQUIRE(impl != nullptr);
    return impl->state;
  }

  uint64_t refused() {
    return state().refused_calls;
  }

  // What the latest grants gave framework "f" on agent `agent`, unallocated.
  resources granted(const char* agent) {
    resources out;
    for (const auto& a : *grants)
      for (auto g : a->getGrants())
        if (g.getAgentId().getValue() == agent)
          out += read_resources(g.getResources()).value().unallocated();
    grants->clear();
    return out;
  }
};

} // namespace

TEST_CASE_FIXTURE(allocator_fixture, "resources that come back broken or not held are refused") {
  REQUIRE(granted("a") == parsed("cpus:4;mem:4096"));
  // A scalar that overflows thousandths, as a peer could write it.
  call([&](sa::Call::Builder c) {
    auto r = c.initRecoverResources();
    r.initFrameworkId().setValue("f");
    r.initAgentId().setValue("a");
    auto res = r.initResources(1)[0];
    res.setName("cpus");
    res.setType(schema::ValueType::SCALAR);
    res.initScalar().setValue(1e300);
    res.initAllocationInfo().setRole("*");
  });
  CHECK(refused() == 1);
  recover(parsed("cpus:100").allocated_to("*"));        // more than it holds
  CHECK(refused() == 2);
  recover(parsed("cpus:1").allocated_to("other"));      // a role it is not in
  CHECK(refused() == 3);
  recover(parsed("cpus:1"));                            // not in allocated form
  CHECK(refused() == 4);
  // Still serving: what does come back properly is offered on the next pass.
  recover(parsed("cpus:1;mem:128").allocated_to("*"));
  advance(1s);
  CHECK(refused() == 4);
  CHECK(granted("a") == parsed("cpus:1;mem:128"));
}

TEST_CASE_FIXTURE(allocator_fixture, "an agent whose used resources exceed its total is refused") {
  granted("a");
  add_agent("b", "cpus:1;mem:128", "cpus:2;mem:128");
  CHECK(refused() == 1);
  add_agent("c", "cpus:1;mem:128", "cpus:1", "not-a-role-of-f");
  CHECK(refused() == 2);
  add_agent("d", "cpus:2;mem:256", "cpus:1;mem:128");
  CHECK(refused() == 2);
  // "d" is taken, with what "f" holds there, and its free part is offered.
  auto all = *grants;
  CHECK(granted("d") == parsed("cpus:1;mem:128"));
  *grants = all;
  CHECK(granted("b").empty());
}

TEST_CASE_FIXTURE(allocator_fixture, "bad roles, weights and frameworks are refused; good ones still apply") {
  call([&](sa::Call::Builder c) {
    auto s = c.initSuppress();
    s.initFrameworkId().setValue("f");
    s.initRoles(1).set(0, "nope");
  });
  CHECK(refused() == 1);
  for (double w : {5e-324, 0.0, std::numeric_limits<double>::infinity()}) {
    call([&](sa::Call::Builder c) {
      auto list = c.initUpdateWeights(1);
      list[0].setRole("web");
      list[0].setWeight(w);
    });
  }
  CHECK(refused() == 4);
  call([&](sa::Call::Builder c) {
    auto list = c.initUpdateWeights(1);
    list[0].setRole("..");
    list[0].setWeight(1);
  });
  CHECK(refused() == 5);
  add_framework("g", {"web", "web"});
  add_framework("../h", {"web"});
  add_framework("i", {});
  CHECK(refused() == 8);
  add_framework("j", {"web"});
  CHECK(refused() == 8);
  CHECK(state().core->has_framework("j"));
  CHECK(!state().core->has_framework("g"));
}
