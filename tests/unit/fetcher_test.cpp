// Proves the fetcher brings URIs into a sandbox as Mesos' does, from a loopback
// HTTP server and local files: archives unpacked and kept, executable and
// output_file honoured, the cache serving a URI after its server is gone and
// evicting least recently used entries, failures (404, a stall, archive
// entries leaving the sandbox, bad output_file) named, logged and refused.
#include "actors/agent/fetcher.hpp"
#include "actors/agent/fetcher_archive.hpp"
#include "runtime/errors.hpp"
#include "runtime/http_server.hpp"

#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

using namespace cairn;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

bool exists(const std::string& path) {
  struct stat st{};
  return lstat(path.c_str(), &st) == 0;
}

mode_t mode_of(const std::string& path) {
  struct stat st{};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Temporary directories, removed when the test program ends.
struct temp_dirs {
  std::vector<std::string> made;
  ~temp_dirs() {
    for (const auto& d : made)
      std::filesystem::remove_all(d);
  }
} temporaries;

std::string temp_dir() {
  char pattern[] = "/tmp/cairn-fetcher-test-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  temporaries.made.push_back(pattern);
  return pattern;
}

std::string why(const caf::error& e) {
  return e ? error_message(e) : std::string{};
}

struct entry_spec {
  std::string name;
  std::string content;       // a regular file's bytes
  std::string symlink = {};  // set: a symbolic link to this
};

// An archive written with libarchive: `format` "tar.gz", "zip" or "gz"
// (a bare gzip of the first entry's content).
std::string make_archive(const std::string& format, const std::vector<entry_spec>& entries) {
  std::string bytes;
  auto* a = archive_write_new();
  if (format == "zip") {
    archive_write_set_format_zip(a);
  } else if (format == "gz") {
    archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
  } else {
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
  }
  archive_write_open(
    a, &bytes, nullptr,
    [](archive*, void* out, const void* buf, size_t n) -> la_ssize_t {
      static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
      return static_cast<la_ssize_t>(n);
    },
    nullptr);
  for (const auto& spec : entries) {
    auto* e = archive_entry_new();
    archive_entry_set_pathname(e, spec.name.c_str());
    if (!spec.symlink.empty()) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, spec.symlink.c_str());
      archive_entry_set_perm(e, 0777);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(spec.content.size()));
    }
    REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
    if (spec.symlink.empty())
      archive_write_data(a, spec.content.data(), spec.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  REQUIRE(!bytes.empty());
  return bytes;
}

// A loopback HTTP server of fixed files; HEAD answers the length. "/stall"
// never answers; "/moved/<x>" redirects to "/<x>".
class file_server {
public:
  file_server() {
    auto s = http_server::start("127.0.0.1", 0, [this](http_request req, http_reply reply) {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_[req.method + " " + req.path];
      ++requests_[req.path];
      if (req.path == "/stall") {
        held_.push_back(reply);
        return;
      }
      if (req.path == "/slow" && req.method == "GET") {
        slow_.push_back(reply);
        return;
      }
      if (req.path.rfind("/moved/", 0) == 0) {
        reply.send({302, "text/plain", "", {{"Location", "/" + req.path.substr(7)}}});
        return;
      }
      auto f = files_.find(req.path);
      if (f == files_.end())
        reply.send({404, "text/plain", "no such file\n", {}});
      else
        reply.send({200, "application/octet-stream", f->second, {}});
    });
    REQUIRE_MESSAGE(s, (s ? "" : caf::to_string(s.error())));
    server_ = std::move(*s);
    port_ = server_->port();
  }
  void put(const std::string& path, std::string bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    files_[path] = std::move(bytes);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int requests(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_[path];
  }
  // Answers the GETs of "/slow" held so far; how many there were.
  size_t release_slow() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& reply : slow_)
      reply.send({200, "application/octet-stream", files_["/slow"], {}});
    auto n = slow_.size();
    slow_.clear();
    return n;
  }
  void stop() {
    server_.reset();
    std::lock_guard<std::mutex> lock(mu_);
    held_.clear();
  }

private:
  std::mutex mu_;
  std::map<std::string, std::string> files_;
  std::map<std::string, int> requests_;
  std::vector<http_reply> held_;
  std::vector<http_reply> slow_;
  std::unique_ptr<http_server> server_;
  uint16_t port_ = 0;  // kept: URIs are named after the server stopped
};

fetch_request request_for(const std::string& sandbox, std::vector<fetch_uri> uris,
                          std::shared_ptr<fetcher_cache> cache = nullptr) {
  fetch_request r;
  r.sandbox_dir = sandbox;
  r.uris = std::move(uris);
  r.cache = std::move(cache);
  r.stall_timeout = std::chrono::seconds(10);
  return r;
}

fetch_uri uri(std::string value) {
  fetch_uri u;
  u.value = std::move(value);
  return u;
}

fetch_uri cached(std::string value) {
  auto u = uri(std::move(value));
  u.cache = true;
  return u;
}

} // namespace

TEST_CASE("a URI's text decides its source, its name and whether it is unpacked") {
  auto net = classify_uri("  https://example.org/a/b.tgz");
  REQUIRE(net);
  CHECK(net->where == uri_source::kind::net);
  auto local = classify_uri("file:///srv/app.tar");
  REQUIRE(local);
  CHECK(local->where == uri_source::kind::local);
  CHECK(local->location == "/srv/app.tar");
  CHECK(classify_uri("/srv/app.tar")->location == "/srv/app.tar");
  CHECK(classify_uri("file://localhost/srv/x")->location == "/srv/x");
  CHECK_FALSE(classify_uri("relative/path"));
  CHECK_FALSE(classify_uri("file://relative"));
  CHECK(error_message(classify_uri("hdfs://nn/x").error()).find("hdfs") != std::string::npos);

  CHECK(*uri_basename("http://h/dir/app.tar.gz") == "app.tar.gz");
  CHECK(*uri_basename("http://h/x?y=1") == "x?y=1");  // as Mesos names it
  CHECK(*uri_basename("/srv/tool") == "tool");
  CHECK_FALSE(uri_basename("http://host"));
  CHECK_FALSE(uri_basename("http://h/dir/"));
  CHECK_FALSE(uri_basename("http://h/it's"));

  fetch_uri u = uri("http://h/a.bin");
  u.output_file = "sub/b.bin";
  CHECK(*destination_name(u) == "sub/b.bin");
  for (const char* bad : {"/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/"}) {
    u.output_file = bad;
    CHECK_MESSAGE(!destination_name(u), bad);
  }

  CHECK(archive_kind_of("a.tar") == archive_kind::archive);
  CHECK(archive_kind_of("a.tar.gz") == archive_kind::archive);
  CHECK(archive_kind_of("a.tgz") == archive_kind::archive);
  CHECK(archive_kind_of("a.tar.bz2") == archive_kind::archive);
  CHECK(archive_kind_of("a.tbz2") == archive_kind::archive);
  CHECK(archive_kind_of("a.tar.xz") == archive_kind::archive);
  CHECK(archive_kind_of("a.txz") == archive_kind::archive);
  CHECK(archive_kind_of("a.zip") == archive_kind::archive);
  CHECK(archive_kind_of("notes.txt.gz") == archive_kind::gzip);
  CHECK(gunzipped_name("dir/notes.txt.gz") == "notes.txt");
  CHECK(archive_kind_of("a.jar") == archive_kind::none);
}

TEST_CASE("archive entries must stay beneath the sandbox") {
  CHECK(check_entry("a/b.txt", "") == "");
  CHECK(check_entry("./a/b.txt", "") == "");
  CHECK(check_entry("a/link", "../b") == "");
  CHECK(check_entry("a/link", "../../b") != "");
  CHECK(check_entry("link", "..") != "");
  CHECK(check_entry("link", "/etc/passwd") != "");
  CHECK(check_entry("../x", "") != "");
  CHECK(check_entry("a/../../x", "") != "");
  CHECK(check_entry("/etc/x", "") != "");
}

TEST_CASE("the cache index evicts the least recently used idle entries to make room") {
  fetcher_cache_index index{100};
  auto a = index.create("", "a");
  CHECK(index.reserve(a, 40).why_not == "");
  index.complete(a, 40);
  index.release(a);
  auto b = index.create("", "b");
  CHECK(index.reserve(b, 40).why_not == "");
  index.complete(b, 40);
  index.release(b);
  index.check_invariants();
  index.hold(a);  // a is now the more recent, and in use
  index.release(a);

  auto c = index.create("", "c");
  auto r = index.reserve(c, 40);
  CHECK(r.why_not == "");
  REQUIRE(r.evicted.size() == 1);
  CHECK(r.evicted[0].uri == "b");
  CHECK(index.find("", "b") == nullptr);
  CHECK(index.used_bytes() == 80);
  index.check_invariants();

  // A URI bigger than the cache never enters it.
  auto big = index.create("", "big");
  CHECK(index.reserve(big, 101).why_not != "");
  index.abandon(big);
  // Entries in use are not evicted: with a and c held, 30 bytes cannot fit.
  index.hold(a);
  auto d = index.create("alice", "d");
  CHECK(index.reserve(d, 30).why_not != "");
  index.abandon(d);
  index.release(a);
  index.complete(c, 40);
  index.release(c);
  // The same URI for another user is another entry.
  CHECK(index.find("alice", "a") == nullptr);
  CHECK(index.find("", "a") != nullptr);
  index.check_invariants();
  CHECK(index.used_bytes() <= index.capacity_bytes());
}

TEST_CASE("a tar.gz is unpacked and kept; executable and output_file hold") {
  file_server server;
  server.put("/app.tar.gz", make_archive("tar.gz", {{"app/run.sh", "#!/bin/sh\necho hi\n"},
                                                    {"app/data.txt", "data"},
                                                    {"app/current", "", "data.txt"}}));
  server.put("/tool", "#!/bin/sh\nexit 0\n");
  server.put("/bundle.zip", make_archive("zip", {{"z/in-zip.txt", "zipped"}}));
  server.put("/notes.txt.gz", make_archive("gz", {{"data", "plain notes"}}));
  auto sandbox = temp_dir();

  fetch_uri exe = uri(server.url("/tool"));
  exe.executable = true;
  fetch_uri not_unpacked = uri(server.url("/app.tar.gz"));
  not_unpacked.executable = true;  // executable wins over extract, as in Mesos
  not_unpacked.output_file = "bin/app-archive.tar.gz";
  fetch_uri renamed = uri(server.url("/moved/tool"));
  renamed.output_file = "conf/deep/tool.conf";
  auto err = fetch_uris(request_for(sandbox, {uri(server.url("/app.tar.gz")), exe, not_unpacked,
                                             renamed, uri(server.url("/bundle.zip")),
                                             uri(server.url("/notes.txt.gz"))}));
  REQUIRE_MESSAGE(!err, why(err));

  CHECK(exists(sandbox + "/app.tar.gz"));
  CHECK(read_file(sandbox + "/app/run.sh") == "#!/bin/sh\necho hi\n");
  CHECK(read_file(sandbox + "/app/data.txt") == "data");
  CHECK(read_file(sandbox + "/app/current") == "data");  // through the unpacked link
  CHECK(read_file(sandbox + "/tool") == "#!/bin/sh\nexit 0\n");
  CHECK(mode_of(sandbox + "/tool") == 0755);
  CHECK(mode_of(sandbox + "/app/data.txt") == 0644);
  CHECK(mode_of(sandbox + "/bin/app-archive.tar.gz") == 0755);
  CHECK(read_file(sandbox + "/conf/deep/tool.conf") == "#!/bin/sh\nexit 0\n");
  CHECK(read_file(sandbox + "/z/in-zip.txt") == "zipped");
  CHECK(read_file(sandbox + "/notes.txt") == "plain notes");
  auto log = read_file(sandbox + "/stderr");
  CHECK(log.find("Fetching URI '" + server.url("/app.tar.gz") + "'") != std::string::npos);
  CHECK(log.find("Extracted '") != std::string::npos);
  CHECK(log.find("Successfully fetched all URIs") != std::string::npos);
}

TEST_CASE("local paths and file:// URIs are copied") {
  auto from = temp_dir();
  auto sandbox = temp_dir();
  write_file(from + "/local.txt", "from disk");
  auto err = fetch_uris(request_for(sandbox, {uri(from + "/local.txt")}));
  REQUIRE_MESSAGE(!err, why(err));
  fetch_uri again = uri("file://" + from + "/local.txt");
  again.output_file = "copy.txt";
  err = fetch_uris(request_for(sandbox, {again}));
  REQUIRE_MESSAGE(!err, why(err));
  CHECK(read_file(sandbox + "/local.txt") == "from disk");
  CHECK(read_file(sandbox + "/copy.txt") == "from disk");
  err = fetch_uris(request_for(sandbox, {uri(from + "/missing")}));
  REQUIRE(err);
  CHECK(why(err).find("No such file") != std::string::npos);
}

TEST_CASE("a 404, a stall and a bad output_file fail, named and logged") {
  file_server server;
  server.put("/ok", "fine");
  auto sandbox = temp_dir();
  auto err = fetch_uris(request_for(sandbox, {uri(server.url("/missing.tar.gz"))}));
  REQUIRE(err);
  CHECK(why(err).find("Failed to fetch '" + server.url("/missing.tar.gz") + "'") !=
        std::string::npos);
  CHECK(why(err).find("404") != std::string::npos);
  CHECK(read_file(sandbox + "/stderr").find("received HTTP return code 404") != std::string::npos);
  CHECK_FALSE(exists(sandbox + "/missing.tar.gz"));

  auto stall = request_for(sandbox, {uri(server.url("/stall"))});
  stall.stall_timeout = std::chrono::seconds(1);
  err = fetch_uris(stall);
  REQUIRE(err);
  CHECK(why(err).find("stalled") != std::string::npos);

  // Every URI is checked before any is fetched: the good one is not fetched.
  fetch_uri escaping = uri(server.url("/ok"));
  escaping.output_file = "../outside";
  err = fetch_uris(request_for(sandbox, {uri(server.url("/ok")), escaping}));
  REQUIRE(err);
  CHECK(why(err).find("output_file") != std::string::npos);
  CHECK_FALSE(exists(sandbox + "/ok"));
  CHECK(server.requests("/ok") == 0);
  server.stop();
}

TEST_CASE("archive entries leaving the sandbox are refused") {
  file_server server;
  server.put("/dotdot.tar.gz", make_archive("tar.gz", {{"ok.txt", "ok"}, {"../x", "escaped"}}));
  server.put("/absolute.tar.gz", make_archive("tar.gz", {{"/tmp/cairn-absolute-x", "escaped"}}));
  server.put("/link.tar.gz", make_archive("tar.gz", {{"out", "", "/etc"}}));
  server.put("/through.tar.gz",
             make_archive("tar.gz", {{"d", "", "."}, {"d/../../y", "escaped"}}));
  // A link that stays inside, then a file written through it: libarchive
  // refuses to write through a link at all.
  server.put("/via-link.tar.gz",
             make_archive("tar.gz", {{"a/up", "", ".."}, {"a/up/z", "through a link"}}));
  auto parent = temp_dir();
  auto sandbox = parent + "/sandbox";
  REQUIRE(mkdir(sandbox.c_str(), 0755) == 0);
  for (const char* name : {"/dotdot.tar.gz", "/absolute.tar.gz", "/link.tar.gz",
                           "/through.tar.gz"}) {
    auto err = fetch_uris(request_for(sandbox, {uri(server.url(name))}));
    CHECK_MESSAGE(err, name);
    CHECK_MESSAGE(why(err).find("refused") != std::string::npos, why(err));
  }
  CHECK_FALSE(exists(parent + "/x"));
  CHECK_FALSE(exists(parent + "/y"));
  CHECK_FALSE(exists("/tmp/cairn-absolute-x"));
  CHECK_FALSE(exists(sandbox + "/out"));
  auto err = fetch_uris(request_for(sandbox, {uri(server.url("/via-link.tar.gz"))}));
  CHECK(err);
  CHECK_MESSAGE(why(err).find("symlink") != std::string::npos, why(err));
  CHECK_FALSE(exists(sandbox + "/z"));
  CHECK(read_file(sandbox + "/stderr").find("Failed to extract") != std::string::npos);
}

TEST_CASE("a cached URI is fetched again after its server stops") {
  file_server server;
  server.put("/app.tar.gz", make_archive("tar.gz", {{"app/data.txt", "cached data"}}));
  server.put("/tool", "tool bytes");
  auto cache_dir = temp_dir() + "/cache";
  auto cache = std::make_shared<fetcher_cache>(cache_dir, 1 << 20);
  fetch_uri tool = cached(server.url("/tool"));
  tool.executable = true;
  auto first = temp_dir();
  auto err = fetch_uris(request_for(first, {cached(server.url("/app.tar.gz")), tool}, cache));
  REQUIRE_MESSAGE(!err, why(err));
  CHECK(read_file(first + "/app/data.txt") == "cached data");
  CHECK(cache->used_bytes() > 0);
  server.stop();

  auto second = temp_dir();
  err = fetch_uris(request_for(second, {cached(server.url("/app.tar.gz")), tool}, cache));
  REQUIRE_MESSAGE(!err, why(err));
  CHECK(read_file(second + "/app/data.txt") == "cached data");
  // Unpacked from the cache, the archive itself is not copied (as Mesos).
  CHECK_FALSE(exists(second + "/app.tar.gz"));
  CHECK(read_file(second + "/tool") == "tool bytes");
  CHECK(mode_of(second + "/tool") == 0755);
  CHECK(read_file(second + "/stderr").find("Fetching from cache") != std::string::npos);

  // Another user has entries of its own: for them it is not cached.
  auto third = temp_dir();
  auto as_root = request_for(third, {cached(server.url("/tool"))}, cache);
  as_root.user = "root";
  err = fetch_uris(as_root);
  CHECK(err);
}

TEST_CASE("fetches of one cached URI at once download it once") {
  file_server server;
  server.put("/slow", "slow bytes");
  auto cache = std::make_shared<fetcher_cache>(temp_dir() + "/cache", 1 << 20);
  std::vector<std::string> sandboxes{temp_dir(), temp_dir(), temp_dir()};
  std::vector<caf::error> errors(sandboxes.size());
  std::vector<std::thread> fetches;
  // The first holds the entry pending (its GET is held by the server); the
  // others find it so, or ready once it is released: never absent.
  fetches.emplace_back([&] {
    errors[0] = fetch_uris(request_for(sandboxes[0], {cached(server.url("/slow"))}, cache));
  });
  while (server.requests("GET /slow") == 0)
    std::this_thread::yield();
  for (size_t i = 1; i < sandboxes.size(); ++i)
    fetches.emplace_back([&, i] {
      errors[i] = fetch_uris(request_for(sandboxes[i], {cached(server.url("/slow"))}, cache));
    });
  CHECK(server.release_slow() == 1);
  for (auto& t : fetches)
    t.join();
  for (size_t i = 0; i < sandboxes.size(); ++i) {
    CHECK_MESSAGE(!errors[i], why(errors[i]));
    CHECK(read_file(sandboxes[i] + "/slow") == "slow bytes");
  }
  CHECK(server.requests("GET /slow") == 1);
  CHECK(server.release_slow() == 0);
}

TEST_CASE("the cache evicts the least recently used URI beyond its size") {
  file_server server;
  server.put("/a", std::string(60, 'a'));
  server.put("/b", std::string(60, 'b'));
  server.put("/big", std::string(500, 'c'));
  auto cache_dir = temp_dir() + "/cache";
  auto cache = std::make_shared<fetcher_cache>(cache_dir, 100);
  auto sandbox = temp_dir();
  auto err = fetch_uris(request_for(sandbox, {cached(server.url("/a"))}, cache));
  REQUIRE_MESSAGE(!err, why(err));
  err = fetch_uris(request_for(sandbox, {cached(server.url("/b"))}, cache));
  REQUIRE_MESSAGE(!err, why(err));
  CHECK(cache->used_bytes() == 60);
  CHECK_FALSE(exists(cache_dir + "/c1"));  // a's file went
  CHECK(exists(cache_dir + "/c2"));

  // Bigger than the whole cache: fetched directly, the cache untouched.
  err = fetch_uris(request_for(sandbox, {cached(server.url("/big"))}, cache));
  REQUIRE_MESSAGE(!err, why(err));
  CHECK(read_file(sandbox + "/big") == std::string(500, 'c'));
  CHECK(read_file(sandbox + "/stderr").find("Reverting to fetching directly") !=
        std::string::npos);
  CHECK(cache->used_bytes() == 60);
  int a_requests = server.requests("/a");
  server.stop();

  auto after = temp_dir();
  err = fetch_uris(request_for(after, {cached(server.url("/b"))}, cache));
  CHECK_MESSAGE(!err, why(err));
  err = fetch_uris(request_for(after, {cached(server.url("/a"))}, cache));
  CHECK(err);  // evicted, and its server is gone
  CHECK(a_requests >= 1);
}

TEST_CASE("as root, local files are read as the task's user and the sandbox is theirs") {
  if (geteuid() != 0)
    return;  // needs root to switch identities; this machine's CI runs as root
  auto from = temp_dir();
  REQUIRE(chmod(from.c_str(), 0755) == 0);
  write_file(from + "/secret", "root only");
  REQUIRE(chmod((from + "/secret").c_str(), 0600) == 0);
  write_file(from + "/public", "anyone");
  REQUIRE(chmod((from + "/public").c_str(), 0644) == 0);
  auto sandbox = temp_dir();

  auto r = request_for(sandbox, {uri(from + "/secret")});
  r.user = "nobody";
  auto err = fetch_uris(r);
  REQUIRE(err);
  CHECK(why(err).find("Permission denied") != std::string::npos);
  CHECK_FALSE(exists(sandbox + "/secret"));

  r = request_for(sandbox, {uri(from + "/public")});
  r.user = "nobody";
  err = fetch_uris(r);
  REQUIRE_MESSAGE(!err, why(err));
  struct stat st{};
  REQUIRE(stat((sandbox + "/public").c_str(), &st) == 0);
  CHECK(st.st_uid == 65534);
  // The agent's own identity is back: it reads the secret again.
  err = fetch_uris(request_for(sandbox, {uri(from + "/secret")}));
  CHECK_MESSAGE(!err, why(err));

  r.user = "no-such-user-here";
  err = fetch_uris(r);
  REQUIRE(err);
  CHECK(why(err).find("no-such-user-here") != std::string::npos);
}
