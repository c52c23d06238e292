// Blocking HTTP over libcurl: one easy handle per call, so calls on different
// threads share nothing but curl's global state, initialised once.
#include "runtime/http_client.hpp"

#include "runtime/limits.hpp"

#include <caf/sec.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <memory>
#include <mutex>

namespace cairn {

namespace {

struct curl_deleter {
  void operator()(CURL* c) const {
    curl_easy_cleanup(c);
  }
};
using curl_ptr = std::unique_ptr<CURL, curl_deleter>;

struct slist_deleter {
  void operator()(curl_slist* l) const {
    curl_slist_free_all(l);
  }
};
using slist_ptr = std::unique_ptr<curl_slist, slist_deleter>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size()
         && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
              return std::tolower(static_cast<unsigned char>(x))
                     == std::tolower(static_cast<unsigned char>(y));
            });
}

// One call's state, reached from curl's callbacks.
struct transfer {
  transfer(std::string m, const std::string& u) : method(std::move(m)), url(u) {
  }
  std::string method;
  const std::string& url;
  http_result result;
  bool too_large = false;
  char error_text[CURL_ERROR_SIZE] = {0};
  // Set for a streaming GET.
  CURL* handle = nullptr;
  const std::function<bool(std::string_view)>* on_chunk = nullptr;
  bool stopped = false;        // on_chunk asked to stop
  std::exception_ptr thrown;   // from on_chunk; rethrown once curl has unwound

  std::string prefix() const {
    return method + " " + url + ": ";
  }
};

size_t on_header(char* p, size_t size, size_t n, void* user) {
  auto& t = *static_cast<transfer*>(user);
  std::string_view line(p, size * n);
  if (line.substr(0, 5) == "HTTP/") {
    t.result.headers.clear(); // a new response begins (after a 100 Continue)
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string name(trim(line.substr(0, colon)));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    t.result.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  }
  return size * n;
}

size_t on_body(char* p, size_t size, size_t n, void* user) {
  auto& t = *static_cast<transfer*>(user);
  size_t len = size * n;
  if (t.on_chunk != nullptr) {
    long status = 0;
    curl_easy_getinfo(t.handle, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status >= 300) {
      // An error answer: keep its start for the error message.
      auto keep = limits::http_client_max_error_body_bytes
                  - std::min(t.result.body.size(), limits::http_client_max_error_body_bytes);
      t.result.body.append(p, std::min(len, keep));
      return len;
    }
    try {
      if ((*t.on_chunk)(std::string_view(p, len)))
        return len;
      t.stopped = true;
    } catch (...) {
      t.thrown = std::current_exception(); // must not unwind through curl's C frames
    }
    return 0; // makes curl stop with CURLE_WRITE_ERROR
  }
  if (t.result.body.size() + len > limits::http_client_max_response_bytes) {
    t.too_large = true;
    return 0;
  }
  t.result.body.append(p, len);
  return len;
}

caf::error failure(const transfer& t, CURLcode rc) {
  std::string what = t.error_text[0] != '\0' ? t.error_text : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
      return caf::make_error(caf::sec::cannot_connect_to_node,
                             t.prefix() + "cannot connect (" + what + ")");
    case CURLE_COULDNT_RESOLVE_HOST:
      return caf::make_error(caf::sec::cannot_connect_to_node,
                             t.prefix() + "cannot resolve the host (" + what + ")");
    case CURLE_OPERATION_TIMEDOUT:
      return caf::make_error(caf::sec::connection_timeout,
                             t.prefix() + "timed out (" + what + ")");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return caf::make_error(caf::sec::invalid_argument, t.prefix() + "bad URL (" + what + ")");
    default:
      return caf::make_error(caf::sec::runtime_error, t.prefix() + what);
  }
}

// A handle with what every call shares; null when curl cannot make one.
curl_ptr make_handle(transfer& t) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ptr c{curl_easy_init()};
  if (!c)
    return c;
  auto h = c.get();
  curl_easy_setopt(h, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); // curl's timeouts must not use signals
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.error_text);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  return c;
}

caf::error no_handle(const transfer& t) {
  return caf::make_error(caf::sec::runtime_error, t.prefix() + "cannot create a curl handle");
}

caf::expected<http_result> perform(transfer& t, CURL* h, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0)
    return caf::make_error(caf::sec::invalid_argument, t.prefix() + "timeout must be positive");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  auto rc = curl_easy_perform(h);
  if (t.too_large)
    return caf::make_error(caf::sec::runtime_error,
                           t.prefix() + "response body exceeds "
                             + std::to_string(limits::http_client_max_response_bytes)
                             + " bytes");
  if (rc != CURLE_OK)
    return failure(t, rc);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.result.status);
  return std::move(t.result);
}

} // namespace

std::string http_result::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return {};
}

caf::expected<http_result> http_get(const std::string& url, std::chrono::milliseconds timeout) {
  transfer t{"GET", url};
  auto c = make_handle(t);
  if (!c)
    return no_handle(t);
  curl_easy_setopt(c.get(), CURLOPT_HTTPGET, 1L);
  return perform(t, c.get(), timeout);
}

caf::expected<http_result> http_bodiless(const std::string& method, const std::string& url,
                                         std::chrono::milliseconds timeout) {
  transfer t{method, url};
  auto c = make_handle(t);
  if (!c)
    return no_handle(t);
  curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  return perform(t, c.get(), timeout);
}

caf::expected<http_result>
http_post(const std::string& url, const std::string& body, const std::string& content_type,
          std::chrono::milliseconds timeout,
          std::vector<std::pair<std::string, std::string>> headers) {
  return http_send("POST", url, body, content_type, timeout, std::move(headers));
}

caf::expected<http_result>
http_send(const std::string& method, const std::string& url, const std::string& body,
          const std::string& content_type, std::chrono::milliseconds timeout,
          std::vector<std::pair<std::string, std::string>> headers) {
  transfer t{method, url};
  auto c = make_handle(t);
  if (!c)
    return no_handle(t);
  auto h = c.get();
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  if (method != "POST")
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  slist_ptr list{curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str())};
  // kj-http 0.9.2 never answers "Expect: 100-continue", so curl's default
  // (for bodies above 1 MiB) would stall every large POST for a second.
  if (!list || curl_slist_append(list.get(), "Expect:") == nullptr)
    return caf::make_error(caf::sec::runtime_error, t.prefix() + "cannot add headers");
  for (auto& [name, value] : headers) {
    // curl drops a header written "Name:"; "Name;" sends it with an empty value.
    auto line = value.empty() ? name + ";" : name + ": " + value;
    if (curl_slist_append(list.get(), line.c_str()) == nullptr) // appends in place
      return caf::make_error(caf::sec::runtime_error, t.prefix() + "cannot add header " + name);
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
  return perform(t, h, timeout);
}

namespace {

int stop_when_cancelled(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancelled)->load() ? 1 : 0;
}

} // namespace

caf::error http_stream_get(const std::string& url,
                           const std::function<bool(std::string_view)>& on_chunk,
                           std::chrono::milliseconds connect_timeout,
                           const std::atomic<bool>* cancelled) {
  transfer t{"GET", url};
  auto c = make_handle(t);
  if (!c)
    return no_handle(t);
  auto h = c.get();
  t.handle = h;
  t.on_chunk = &on_chunk;
  if (connect_timeout.count() <= 0)
    return caf::make_error(caf::sec::invalid_argument, t.prefix() + "timeout must be positive");
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  // Streams stay open for hours; keepalive probes find a peer that vanished.
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  if (cancelled) {
    // libcurl calls this at least once a second, data or not.
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stop_when_cancelled);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, cancelled);
  }
  auto rc = curl_easy_perform(h);
  if (t.thrown)
    std::rethrow_exception(t.thrown);
  if (t.stopped || (cancelled && cancelled->load()))
    return caf::none;
  if (rc != CURLE_OK)
    return failure(t, rc);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300)
    return caf::make_error(caf::sec::runtime_error,
                           t.prefix() + "HTTP " + std::to_string(status) + ": "
                             + t.result.body);
  return caf::none;
}

} // namespace cairn

namespace cairn {

namespace {

size_t discard_body(char*, size_t size, size_t n, void*) {
  return size * n;
}

} // namespace

caf::expected<long> http_probe(const std::string& url, std::chrono::milliseconds timeout,
                               const std::atomic<bool>& cancelled) {
  transfer t{"GET", url};
  auto c = make_handle(t);
  if (!c)
    return no_handle(t);
  auto h = c.get();
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  // As Mesos' `curl -L -k`: the status after redirects, any certificate.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stop_when_cancelled);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &cancelled);
  if (timeout.count() > 0)
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  auto rc = curl_easy_perform(h);
  if (rc == CURLE_ABORTED_BY_CALLBACK)
    return caf::make_error(caf::sec::runtime_error, t.prefix() + "cancelled");
  if (rc != CURLE_OK)
    return failure(t, rc);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

} // namespace cairn
