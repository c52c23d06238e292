#include "runtime/listening_loop.hpp"

#include <pthread.h>

#include <future>
#include <thread>

#include <spdlog/spdlog.h>

#include "runtime/errors.hpp"
#include "runtime/log.hpp"

namespace cairn {

namespace detail {

struct loop_state {
  std::thread thread;
  uint16_t port = 0;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop;
};

} // namespace detail

namespace {

void run(detail::loop_state& st, std::string thread_name, std::string what, std::string address,
         listening_loop::serve_fn serve, std::promise<caf::error> bound) {
  pthread_setname_np(pthread_self(), thread_name.c_str());
  bool started = false;
  auto failed = [&](const std::string& why) {
    if (started)
      logger("runtime")->error("{} {} failed: {}", thread_name, address, why);
    else
      bound.set_value(make_error(what + " " + address + ": " + why, caf::sec::cannot_open_port));
  };
  try {
    auto io = kj::setupAsyncIo();
    auto listener = io.provider->getNetwork().parseAddress(address).wait(io.waitScope)->listen();
    st.port = static_cast<uint16_t>(listener->getPort());
    auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
    st.stop = kj::mv(stop.fulfiller);
    auto serving = serve(io, *listener).eagerlyEvaluate(nullptr);
    started = true;
    bound.set_value(caf::none);
    stop.promise.wait(io.waitScope);
    // Leaving the scope cancels what is served (connections end, so stream
    // writers see their clients gone), then closes the listener and the loop.
  } catch (const kj::Exception& e) {
    failed(e.getDescription().cStr());
  } catch (const std::exception& e) {
    failed(e.what());
  }
}

} // namespace

std::string join_host_port(const std::string& host, uint16_t port) {
  std::string h = host.empty() ? "*" : host;
  if (h.find(':') != std::string::npos && h.front() != '[')
    h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

listening_loop::listening_loop(std::unique_ptr<detail::loop_state> state)
  : state_(std::move(state)) {
}

caf::expected<std::unique_ptr<listening_loop>>
listening_loop::start(std::string thread_name, std::string what, std::string address,
                      serve_fn serve) {
  auto st = std::make_unique<detail::loop_state>();
  std::promise<caf::error> bound;
  auto ready = bound.get_future();
  st->thread = std::thread(run, std::ref(*st), std::move(thread_name), std::move(what),
                           std::move(address), std::move(serve), std::move(bound));
  if (auto err = ready.get()) {
    st->thread.join();
    return err;
  }
  return std::unique_ptr<listening_loop>(new listening_loop(std::move(st)));
}

uint16_t listening_loop::port() const {
  return state_->port;
}

listening_loop::~listening_loop() {
  if (std::this_thread::get_id() == state_->thread.get_id()) {
    // Joining ourselves would hang forever; this is a bug in the caller.
    spdlog::critical("a listening loop destroyed from its own thread");
    std::abort();
  }
  state_->stop->fulfill();
  state_->thread.join();
}

} // namespace cairn
