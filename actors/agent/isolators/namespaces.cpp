#include "actors/agent/isolators/namespaces.hpp"

#include <sched.h>

namespace cairn {

namespace {

class namespace_isolator final : public isolator {
public:
  namespace_isolator(std::string name, int namespaces, bool private_proc)
    : name_(std::move(name)), namespaces_(namespaces), private_proc_(private_proc) {
  }

  std::string name() const override {
    return name_;
  }

  caf::error recover(const std::vector<std::string>&) override {
    return caf::none;
  }

  caf::error prepare(const std::string&, const container_limits&, launch_plan& plan) override {
    plan.namespaces |= namespaces_;
    plan.private_proc |= private_proc_;
    return caf::none;
  }

  caf::error update(const std::string&, const container_limits&) override {
    return caf::none;
  }

  // The namespaces end with their last process.
  caf::error cleanup(const std::string&) override {
    return caf::none;
  }

private:
  std::string name_;
  int namespaces_;
  bool private_proc_;
};

} // namespace

std::unique_ptr<isolator> make_filesystem_linux_isolator() {
  return std::make_unique<namespace_isolator>("filesystem/linux", CLONE_NEWNS, false);
}

std::unique_ptr<isolator> make_pid_namespace_isolator() {
  return std::make_unique<namespace_isolator>("namespaces/pid", CLONE_NEWPID | CLONE_NEWNS, true);
}

} // namespace cairn
