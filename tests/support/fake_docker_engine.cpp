#include "tests/support/fake_docker_engine.hpp"

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace cairn::test {

namespace {

bool read_request(int fd, fake_request& out) {
  std::string data;
  char buffer[4096];
  size_t header_end = std::string::npos;
  while (header_end == std::string::npos) {
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0)
      return false;
    data.append(buffer, static_cast<size_t>(n));
    header_end = data.find("\r\n\r\n");
  }
  auto line_end = data.find("\r\n");
  auto first = data.substr(0, line_end);
  auto sp1 = first.find(' ');
  auto sp2 = first.find(' ', sp1 + 1);
  out.method = first.substr(0, sp1);
  out.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t length = 0;
  auto headers = data.substr(0, header_end);
  for (auto name : {"Content-Length: ", "content-length: "}) {
    auto at = headers.find(name);
    if (at != std::string::npos)
      length = std::stoul(headers.substr(at + std::strlen(name)));
  }
  out.body = data.substr(header_end + 4);
  while (out.body.size() < length) {
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0)
      return false;
    out.body.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0)
      return;
    done += static_cast<size_t>(n);
  }
}

} // namespace

fake_docker_engine::fake_docker_engine(handler h, bool concurrent)
    : handler_(std::move(h)), concurrent_(concurrent) {
  char dir[] = "/tmp/fake-docker-XXXXXX";
  if (!mkdtemp(dir))
    throw std::runtime_error("mkdtemp failed");
  dir_ = dir;
  path_ = dir_ + "/docker.sock";
  listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0)
    throw std::runtime_error("cannot listen on " + path_);
  thread_ = std::thread([this] { serve(); });
}

fake_docker_engine::~fake_docker_engine() {
  stopping_ = true;
  thread_.join();
  for (auto& t : answering_)
    t.join();
  ::close(listener_);
  ::unlink(path_.c_str());
  ::rmdir(dir_.c_str());
}

std::vector<fake_request> fake_docker_engine::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void fake_docker_engine::serve() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0)
      continue;
    int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    if (concurrent_)
      answering_.emplace_back([this, fd] { answer(fd); });
    else
      answer(fd);
  }
}

void fake_docker_engine::answer(int fd) {
  fake_request request;
  if (read_request(fd, request)) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    }
    auto reply = handler_(request);
    std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: " +
                       reply.content_type + "\r\nContent-Length: " +
                       std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n";
    write_all(fd, head + reply.body);
  }
  ::close(fd);
}

} // namespace cairn::test
