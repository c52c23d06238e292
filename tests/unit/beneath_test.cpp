// Files are opened beneath a root and nowhere else: links and `..` out of it
// are refused, FIFOs open without blocking, with openat2 and by walking.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "runtime/beneath.hpp"

using namespace cairn;
using outcome = beneath_result::outcome;

namespace {

// root/{file, sub/inner, fifo, out_file -> outside/secret, out_dir -> outside,
// in_link -> file, abs_in -> <root>/file} and outside/secret beside root.
struct tree {
  std::string base;
  std::string root;
  unique_fd root_fd;

  tree() {
    char templ[] = "/tmp/cairn-beneath-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    base = templ;
    root = base + "/root";
    REQUIRE(mkdir(root.c_str(), 0755) == 0);
    REQUIRE(mkdir((base + "/outside").c_str(), 0755) == 0);
    std::ofstream(base + "/outside/secret") << "secret";
    std::ofstream(root + "/file") << "inside";
    REQUIRE(mkdir((root + "/sub").c_str(), 0755) == 0);
    std::ofstream(root + "/sub/inner") << "inner";
    REQUIRE(mkfifo((root + "/fifo").c_str(), 0644) == 0);
    REQUIRE(symlink((base + "/outside/secret").c_str(), (root + "/out_file").c_str()) == 0);
    REQUIRE(symlink("../outside", (root + "/out_dir").c_str()) == 0);
    REQUIRE(symlink("file", (root + "/in_link").c_str()) == 0);
    REQUIRE(symlink((root + "/file").c_str(), (root + "/abs_in").c_str()) == 0);
    root_fd = unique_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(root_fd);
  }
  ~tree() { std::system(("rm -rf '" + base + "'").c_str()); }
};

std::string contents(const beneath_result& r) {
  char buf[64];
  ssize_t n = pread(r.fd.get(), buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

mode_t kind(const beneath_result& r) {
  struct stat st {};
  REQUIRE(fstat(r.fd.get(), &st) == 0);
  return st.st_mode & S_IFMT;
}

template <class Open>
void refuses_what_leaves_the_root(const tree& t, Open open) {
  CHECK(contents(open(t.root_fd.get(), "file")).empty() == false);
  CHECK(contents(open(t.root_fd.get(), "file")) == "inside");
  CHECK(contents(open(t.root_fd.get(), "sub/../sub/./inner")) == "inner");
  CHECK(contents(open(t.root_fd.get(), "sub//inner")) == "inner");

  for (const char* path : {"out_file", "out_dir/secret", "abs_in"}) {
    auto r = open(t.root_fd.get(), path);
    CAPTURE(path);
    CHECK_FALSE(r.fd);
    CHECK((r.what == outcome::escapes || r.what == outcome::refused));
    CHECK_FALSE(r.why.empty());
  }
  for (const char* path : {"..", "../outside/secret", "sub/../../outside/secret"}) {
    auto r = open(t.root_fd.get(), path);
    CAPTURE(path);
    CHECK(r.what == outcome::escapes);
    CHECK_FALSE(r.fd);
  }
  CHECK(open(t.root_fd.get(), "nothing").what == outcome::missing);
  CHECK(open(t.root_fd.get(), "file/below").what == outcome::missing);

  // A FIFO with no writer opens at once (non-blocking); its kind tells the
  // caller to refuse it.
  auto fifo = open(t.root_fd.get(), "fifo");
  REQUIRE(fifo.what == outcome::opened);
  CHECK(kind(fifo) == S_IFIFO);

  auto dir = open(t.root_fd.get(), "");
  REQUIRE(dir.what == outcome::opened);
  CHECK(kind(dir) == S_IFDIR);
  auto sub = open(t.root_fd.get(), "sub");
  REQUIRE(sub.what == outcome::opened);
  CHECK(kind(sub) == S_IFDIR);
}

} // namespace

TEST_CASE("open_beneath refuses links and .. out of the root and opens FIFOs at once") {
  tree t;
  refuses_what_leaves_the_root(t, [](int fd, const std::string& p) {
    return open_beneath(fd, p);
  });
  // openat2 follows a link that stays beneath the root.
  auto inside = open_beneath(t.root_fd.get(), "in_link");
  if (inside.what == outcome::opened)
    CHECK(contents(inside) == "inside");
  else
    CHECK(inside.what == outcome::refused); // a kernel without openat2
}

TEST_CASE("the walk without openat2 refuses every link") {
  tree t;
  refuses_what_leaves_the_root(t, [](int fd, const std::string& p) {
    return open_beneath_by_walking(fd, p);
  });
  auto inside = open_beneath_by_walking(t.root_fd.get(), "in_link");
  CHECK(inside.what == outcome::refused);
  auto through = open_beneath_by_walking(t.root_fd.get(), "out_dir/secret");
  CHECK(through.what == outcome::refused);
}

TEST_CASE("a directory swapped for a link after one open is not followed by the next") {
  tree t;
  auto first = open_beneath(t.root_fd.get(), "sub/inner");
  REQUIRE(first.what == outcome::opened);
  REQUIRE(std::rename((t.root + "/sub").c_str(), (t.root + "/sub_old").c_str()) == 0);
  REQUIRE(symlink((t.base + "/outside").c_str(), (t.root + "/sub").c_str()) == 0);
  std::ofstream(t.base + "/outside/inner") << "outside";
  auto second = open_beneath(t.root_fd.get(), "sub/inner");
  CHECK_FALSE(second.fd);
  CHECK((second.what == outcome::escapes || second.what == outcome::refused));
  // The descriptor opened before the swap still reads what it opened.
  CHECK(contents(first) == "inner");
}
