#include "actors/agent/fetcher_transfer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include <curl/curl.h>

#include "runtime/duration.hpp"
#include "runtime/errors.hpp"

namespace cairn {

namespace {

struct curl_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using curl_ptr = std::unique_ptr<CURL, curl_deleter>;

struct sink {
  int fd = -1;
  uint64_t written = 0;
  int write_errno = 0;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* s = static_cast<sink*>(user);
  size_t total = size * count;
  size_t done = 0;
  while (done < total) {
    ssize_t n = write(s->fd, data + done, total - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      s->write_errno = n < 0 ? errno : EIO;
      return 0;  // curl fails the transfer with CURLE_WRITE_ERROR
    }
    done += static_cast<size_t>(n);
  }
  s->written += done;
  return total;
}

bool is_ftp(const std::string& url) {
  return url.rfind("ftp://", 0) == 0 || url.rfind("ftps://", 0) == 0;
}

curl_ptr make_handle(const std::string& url, const transfer_options& o, char* error_text) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ptr c{curl_easy_init()};
  if (!c)
    return c;
  auto h = c.get();
  long stall_s = static_cast<long>(o.stall_timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  // Redirects may not lead to file:// or other schemes: a server must not
  // make the agent read its own files.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp,ftps");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // curl's timeouts must not use signals
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, stall_s);
  // Stalled: under one byte a second for the whole stall timeout.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, stall_s);
  return c;
}

caf::error curl_failure(CURLcode rc, const char* error_text, const transfer_options& o) {
  std::string what = error_text[0] != '\0' ? error_text : curl_easy_strerror(rc);
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return make_error("Error downloading resource: stalled, no progress for " +
                      format_duration(o.stall_timeout) + " (" + what + ")",
                      caf::sec::connection_timeout);
  return make_error("Error downloading resource: " + what, caf::sec::runtime_error);
}

caf::expected<unique_fd> open_local(const uri_source& from, const transfer_options& o,
                                    struct stat& st) {
  auto fd = open_for_reading_as(o.user, from.location);
  if (!fd)
    return fd.error();
  if (fstat(fd->get(), &st) != 0)
    return make_error("cannot stat '" + from.location + "': " + strerror(errno));
  if (!S_ISREG(st.st_mode))
    return make_error("'" + from.location + "' is not a regular file");
  return fd;
}

} // namespace

caf::expected<uint64_t> copy_fd(int in, int out) {
  char buffer[1 << 16];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return make_error(std::string("cannot read: ") + strerror(errno));
    if (n == 0)
      return total;
    sink s{out};
    if (on_body(buffer, 1, static_cast<size_t>(n), &s) != static_cast<size_t>(n))
      return make_error(std::string("cannot write: ") + strerror(s.write_errno));
    total += static_cast<uint64_t>(n);
  }
}

caf::expected<uint64_t> probe_size(const uri_source& from, const transfer_options& o) {
  if (from.where == uri_source::kind::local) {
    struct stat st{};
    auto fd = open_local(from, o, st);
    if (!fd)
      return fd.error();
    return static_cast<uint64_t>(st.st_size);
  }
  char error_text[CURL_ERROR_SIZE] = {0};
  auto c = make_handle(from.location, o, error_text);
  if (!c)
    return make_error("cannot start a transfer (curl_easy_init failed)");
  curl_easy_setopt(c.get(), CURLOPT_NOBODY, 1L);
  if (auto rc = curl_easy_perform(c.get()); rc != CURLE_OK)
    return curl_failure(rc, error_text, o);
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (!is_ftp(from.location) && status != 200)
    return make_error("asking its size, received HTTP return code " + std::to_string(status));
  curl_off_t length = -1;
  curl_easy_getinfo(c.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (length <= 0)
    return make_error(length == 0 ? "the server reported a length of 0"
                                  : "the server reported no length");
  return static_cast<uint64_t>(length);
}

caf::expected<uint64_t> transfer(const uri_source& from, int fd, const transfer_options& o) {
  if (from.where == uri_source::kind::local) {
    struct stat st{};
    auto in = open_local(from, o, st);
    if (!in)
      return in.error();
    auto copied = copy_fd(in->get(), fd);
    if (!copied)
      return make_error("cannot copy '" + from.location + "': " + error_message(copied.error()));
    return copied;
  }
  char error_text[CURL_ERROR_SIZE] = {0};
  auto c = make_handle(from.location, o, error_text);
  if (!c)
    return make_error("cannot start a transfer (curl_easy_init failed)");
  sink s{fd};
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &s);
  // An error page is not the resource: stop before writing its body.
  if (!is_ftp(from.location))
    curl_easy_setopt(c.get(), CURLOPT_FAILONERROR, 1L);
  auto rc = curl_easy_perform(c.get());
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_WRITE_ERROR && s.write_errno != 0)
    return make_error(std::string("Error downloading resource: cannot write: ") +
                      strerror(s.write_errno));
  if (!is_ftp(from.location) && status >= 400)
    return make_error("Error downloading resource, received HTTP return code " +
                      std::to_string(status), caf::sec::runtime_error);
  if (rc != CURLE_OK)
    return curl_failure(rc, error_text, o);
  if (!is_ftp(from.location) && status != 200)
    return make_error("Error downloading resource, received HTTP return code " +
                      std::to_string(status), caf::sec::runtime_error);
  assert(s.written <= UINT64_MAX);
  return s.written;
}

} // namespace cairn
