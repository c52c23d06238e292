// Docker images for the mesos containerizer: image names, `docker save`
// archives in the legacy layout (made here with libarchive), layers stored
// once, whiteouts honoured by both backends, the backend picked by a probe
// mount (overlay where it works, else copy), and the image's Entrypoint,
// Cmd, Env and WorkingDir merged with the task's command as Mesos'
// docker/runtime isolator merges them.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "actors/agent/provisioner/overlay_backend.hpp"
#include "actors/agent/provisioner/provisioner.hpp"
#include "actors/agent/provisioner/whiteouts.hpp"
#include "actors/docker/image_command.hpp"
#include "actors/docker/image_manifest.hpp"
#include "runtime/errors.hpp"
#include "runtime/json.hpp"

using namespace cairn;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    // Under $TMPDIR: the backends must work wherever the agent's dirs sit.
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                          "/cairn-images-test-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// One tar entry: a file with contents, a directory, or a symlink.
struct entry {
  std::string name;
  std::string data;
  mode_t type = AE_IFREG;
  std::string link;
};

std::string make_tar(const std::vector<entry>& entries) {
  std::vector<char> buffer(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  REQUIRE(archive_write_open_memory(a, buffer.data(), buffer.size(), &used) == ARCHIVE_OK);
  for (const auto& e : entries) {
    archive_entry* h = archive_entry_new();
    archive_entry_set_pathname(h, e.name.c_str());
    archive_entry_set_filetype(h, e.type);
    archive_entry_set_perm(h, e.type == AE_IFDIR ? 0755 : 0644);
    if (e.type == AE_IFLNK)
      archive_entry_set_symlink(h, e.link.c_str());
    archive_entry_set_size(h, e.type == AE_IFREG ? static_cast<la_int64_t>(e.data.size()) : 0);
    REQUIRE(archive_write_header(a, h) == ARCHIVE_OK);
    if (e.type == AE_IFREG && !e.data.empty())
      archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(h);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buffer.data(), used);
}

const std::string base_id(64, 'a');
const std::string top_id(64, 'b');

// A two-layer image as `docker save` writes it: the top layer deletes
// /bin/cat and hides everything the base put in /etc.
std::string save_archive(const std::string& name, const std::string& tag) {
  auto base = make_tar({{"bin", "", AE_IFDIR}, {"bin/sh", "#!sh"}, {"bin/cat", "cat"},
                        {"bin/ls", "", AE_IFLNK, "/bin/sh"}, {"etc", "", AE_IFDIR},
                        {"etc/debian_version", "12"}, {"etc/keep", "k"}});
  auto top = make_tar({{"bin", "", AE_IFDIR}, {"bin/.wh.cat", ""}, {"etc", "", AE_IFDIR},
                       {"etc/.wh..wh..opq", ""}, {"etc/motd", "hi"}});
  auto config = R"({"Entrypoint":["/bin/sh","-c","echo $GREETING"],"Cmd":null,)"
                R"("Env":["GREETING=hi","PATH=/bin"],"WorkingDir":"/srv","User":"nobody"})";
  return make_tar({
    {"repositories", "{\"" + name + "\":{\"" + tag + "\":\"" + top_id + "\"}}"},
    {base_id + "/json", "{\"id\":\"" + base_id + "\"}"},
    {base_id + "/layer.tar", base},
    {top_id + "/json", "{\"id\":\"" + top_id + "\",\"parent\":\"" + base_id +
                         "\",\"config\":" + config + "}"},
    {top_id + "/layer.tar", top},
  });
}

void write_file(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

wire<schema::CommandInfo> command(const std::string& json) {
  auto c = from_json<schema::CommandInfo>(json);
  REQUIRE(c);
  return std::move(*c);
}

docker::image_config image(std::vector<std::string> entrypoint, std::vector<std::string> cmd) {
  docker::image_config c;
  c.entrypoint = std::move(entrypoint);
  c.cmd = std::move(cmd);
  return c;
}

std::vector<std::string> argv_of(const std::string& json, const docker::image_config& c) {
  auto merged = docker::merge_image_command(*command(json), c, "/mnt/mesos/sandbox");
  REQUIRE(merged);
  return merged->argv;
}

} // namespace

TEST_CASE("image names: NAME[:TAG], latest by default, a registry host kept in the name") {
  auto a = docker::parse_image_reference("busybox:local");
  REQUIRE(a);
  CHECK(a->name == "busybox");
  CHECK(a->tag == "local");
  CHECK(docker::archive_name(*a) == "busybox:local.tar");
  auto b = docker::parse_image_reference("busybox");
  REQUIRE(b);
  CHECK(b->tag == "latest");
  auto c = docker::parse_image_reference("127.0.0.1:1/missing:1");
  REQUIRE(c);
  CHECK(c->name == "127.0.0.1:1/missing");
  CHECK(c->tag == "1");
  auto d = docker::parse_image_reference("127.0.0.1:5000/app");
  REQUIRE(d);
  CHECK(d->name == "127.0.0.1:5000/app");
  CHECK(d->tag == "latest");
  CHECK_FALSE(docker::parse_image_reference(""));
  CHECK_FALSE(docker::parse_image_reference("../etc:1"));
  CHECK_FALSE(docker::parse_image_reference("a//b:1"));
  CHECK_FALSE(docker::parse_image_reference("a:"));
  auto digest = docker::parse_image_reference("busybox@sha256:abc");
  REQUIRE_FALSE(digest);
  CHECK(error_message(digest.error()).find("digest") != std::string::npos);
}

TEST_CASE("repositories and layer json: the top layer, its parents, its config") {
  docker::image_reference ref{"greet", "1"};
  auto top = docker::top_layer(R"({"greet":{"1":"abc"}})", ref);
  REQUIRE(top);
  CHECK(*top == "abc");
  CHECK_FALSE(docker::top_layer(R"({"greet":{"2":"abc"}})", ref));
  CHECK_FALSE(docker::top_layer(R"({"other":{"1":"abc"}})", ref));
  CHECK_FALSE(docker::top_layer(R"({"greet":{"1":"../x"}})", ref));
  CHECK_FALSE(docker::top_layer("not json", ref));
  auto layer = docker::parse_layer_json(
    R"({"id":"b","parent":"a","config":{"Entrypoint":["/bin/sh"],"Cmd":["-c","x"],)"
    R"("Env":["A=1"],"WorkingDir":"/w","User":"u"}})");
  REQUIRE(layer);
  CHECK(layer->parent == "a");
  CHECK(layer->config.entrypoint == std::vector<std::string>{"/bin/sh"});
  CHECK(layer->config.cmd == std::vector<std::string>{"-c", "x"});
  CHECK(layer->config.env == std::vector<std::string>{"A=1"});
  CHECK(layer->config.working_dir == "/w");
  CHECK(layer->config.user == "u");
  CHECK_FALSE(docker::parse_layer_json(R"({"id":"../../etc"})"));
  auto chain = docker::layer_chain("c", {{"a", ""}, {"b", "a"}, {"c", "b"}});
  REQUIRE(chain);
  CHECK(*chain == std::vector<std::string>{"a", "b", "c"});
  CHECK_FALSE(docker::layer_chain("c", {{"b", "a"}, {"c", "b"}}));  // a is missing
  CHECK_FALSE(docker::layer_chain("a", {{"a", "b"}, {"b", "a"}}));  // a loop
}

TEST_CASE("Entrypoint and Cmd merged with the task's command as Mesos' docker/runtime does") {
  auto both = image({"/ep", "x"}, {"c1", "c2"});
  // shell, or a value: the image's Entrypoint and Cmd are ignored.
  CHECK(argv_of(R"({"shell": true, "value": "echo hi"})", both) ==
        std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
  CHECK(argv_of(R"({"shell": false, "value": "/bin/echo", "arguments": ["echo", "a"]})",
                both) == std::vector<std::string>{"/bin/echo", "a"});
  // No value: the Entrypoint, then the task's arguments, else the Cmd.
  CHECK(argv_of(R"({"shell": false})", both) ==
        std::vector<std::string>{"/ep", "x", "c1", "c2"});
  CHECK(argv_of(R"({"shell": false, "arguments": ["a1"]})", both) ==
        std::vector<std::string>{"/ep", "x", "a1"});
  // No Entrypoint: Cmd[0], then the task's arguments, else the rest of Cmd.
  auto cmd = image({}, {"/c", "d"});
  CHECK(argv_of(R"({"shell": false})", cmd) == std::vector<std::string>{"/c", "d"});
  CHECK(argv_of(R"({"shell": false, "arguments": ["a1"]})", cmd) ==
        std::vector<std::string>{"/c", "a1"});
  auto none = docker::merge_image_command(*command(R"({"shell": false})"), image({}, {}),
                                          "/mnt/mesos/sandbox");
  REQUIRE_FALSE(none);
  CHECK(error_message(none.error()).find("No executable") != std::string::npos);
  CHECK_FALSE(docker::merge_image_command(*command(R"({"shell": true})"), both, "/s"));
}

TEST_CASE("the image's Env first, the task's environment over it; WorkingDir or the sandbox") {
  docker::image_config c;
  c.env = {"GREETING=hi", "A=1", "BROKEN"};
  c.working_dir = "/srv";
  auto merged = docker::merge_image_command(
    *command(R"({"value": "true", "environment": {"variables": [{"name": "A", "value": "2"}]}})"),
    c, "/mnt/mesos/sandbox");
  REQUIRE(merged);
  CHECK(merged->env == std::vector<std::string>{"GREETING=hi", "A=2",
                                                std::string("PATH=") +
                                                  docker::default_container_path,
                                                "MESOS_SANDBOX=/mnt/mesos/sandbox"});
  CHECK(merged->working_dir == "/srv");
  c.working_dir.clear();
  c.env = {"PATH=/bin"};
  auto plain = docker::merge_image_command(*command(R"({"value": "true"})"), c, "/sb");
  REQUIRE(plain);
  CHECK(plain->working_dir == "/sb");
  CHECK(plain->env == std::vector<std::string>{"PATH=/bin", "MESOS_SANDBOX=/sb"});
  auto back = docker::decode_image_launch(docker::encode_image_launch(*plain));
  REQUIRE(back);
  CHECK(back->argv == plain->argv);
  CHECK(back->env == plain->env);
  CHECK(back->working_dir == "/sb");
  CHECK_FALSE(docker::decode_image_launch("{}"));
}

TEST_CASE("whiteouts: .wh. names a deleted file, .wh..wh..opq an opaque directory") {
  using provisioner::whiteout_kind;
  CHECK(provisioner::classify_entry("cat").kind == whiteout_kind::none);
  CHECK(provisioner::classify_entry(".wh.cat").kind == whiteout_kind::remove);
  CHECK(provisioner::classify_entry(".wh.cat").target == "cat");
  CHECK(provisioner::classify_entry(".wh..wh..opq").kind == whiteout_kind::opaque);
  CHECK(provisioner::classify_entry(".wh.").kind == whiteout_kind::none);
  CHECK(provisioner::classify_entry(".whatever").kind == whiteout_kind::none);
}

TEST_CASE("the copy backend stacks layers: a whiteout deletes, an opaque dir hides") {
  temp_dir t;
  write_file(t.path + "/lower/bin/cat", "cat");
  write_file(t.path + "/lower/bin/sh", "sh");
  write_file(t.path + "/lower/etc/old", "old");
  write_file(t.path + "/upper/bin/.wh.cat", "");
  write_file(t.path + "/upper/etc/.wh..wh..opq", "");
  write_file(t.path + "/upper/etc/new", "new");
  write_file(t.path + "/upper/bin/sh", "sh2");
  fs::create_directories(t.path + "/rootfs");
  REQUIRE_FALSE(provisioner::copy_layer(t.path + "/lower", t.path + "/rootfs"));
  CHECK(fs::exists(t.path + "/rootfs/bin/cat"));
  REQUIRE_FALSE(provisioner::copy_layer(t.path + "/upper", t.path + "/rootfs"));
  CHECK_FALSE(fs::exists(t.path + "/rootfs/bin/cat"));
  CHECK_FALSE(fs::exists(t.path + "/rootfs/bin/.wh.cat"));
  CHECK_FALSE(fs::exists(t.path + "/rootfs/etc/old"));
  CHECK_FALSE(fs::exists(t.path + "/rootfs/etc/.wh..wh..opq"));
  CHECK(fs::exists(t.path + "/rootfs/etc/new"));
  std::ifstream sh(t.path + "/rootfs/bin/sh");
  std::string text((std::istreambuf_iterator<char>(sh)), std::istreambuf_iterator<char>());
  CHECK(text == "sh2");
  CHECK(fs::exists(t.path + "/lower/bin/cat"));  // the layer itself is untouched
}

TEST_CASE("the copy backend copies a layer from another file system") {
  // The store (default /tmp/mesos/store/docker) and the work dir need not
  // share a file system; the kernel then refuses to copy between them.
  temp_dir t;
  char pattern[] = "/dev/shm/cairn-images-layer-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  std::string layer = pattern;
  std::string big(3 << 20, 'x');  // more than one buffer of the fallback
  big[big.size() - 1] = 'y';
  write_file(layer + "/bin/big", big);
  fs::create_directories(t.path + "/rootfs");
  auto err = provisioner::copy_layer(layer, t.path + "/rootfs");
  fs::remove_all(layer);
  REQUIRE_MESSAGE(!err, error_message(err));
  std::ifstream in(t.path + "/rootfs/bin/big", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == big);
}

namespace {

provisioner::provisioner_options options_in(const std::string& dir, const std::string& backend) {
  provisioner::provisioner_options o;
  o.store.store_dir = dir + "/store";
  o.store.registry = dir + "/registry";
  o.store.overlay_layers = backend == "overlay";
  o.backend = backend;
  o.containers_dir = dir + "/work/provisioner/containers";
  return o;
}

bool mounted_under(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.find(" " + dir + "/") != std::string::npos;
}

// Two launches of greet:1 through `o`'s backend: the second reuses the
// stored layers; the rootfs honours both whiteouts; destroy removes it.
void check_provisioning(const provisioner::provisioner_options& o) {
  write_file(o.store.registry + "/greet:1.tar", save_archive("greet", "1"));
  auto first = provisioner::provision(o, "c1", "greet:1");
  REQUIRE_MESSAGE(first, error_message(first.error()));
  CHECK(first->layers_extracted == 2);
  CHECK(first->config.entrypoint ==
        std::vector<std::string>{"/bin/sh", "-c", "echo $GREETING"});
  CHECK(first->config.working_dir == "/srv");
  auto root = first->rootfs;
  CHECK(fs::exists(root + "/bin/sh"));
  CHECK(fs::is_symlink(root + "/bin/ls"));
  CHECK(fs::read_symlink(root + "/bin/ls") == "/bin/sh");  // absolute targets kept
  CHECK_FALSE(fs::exists(root + "/bin/cat"));
  CHECK_FALSE(fs::exists(root + "/bin/.wh.cat"));
  CHECK_FALSE(fs::exists(root + "/etc/debian_version"));
  CHECK_FALSE(fs::exists(root + "/etc/keep"));
  CHECK(fs::exists(root + "/etc/motd"));
  CHECK(fs::is_directory(root + "/mnt/mesos/sandbox"));
  CHECK(fs::is_directory(root + "/proc"));
  auto layers = o.store.store_dir + "/layers/" + base_id;
  CHECK(fs::exists(layers + (o.backend == "overlay" ? "/rootfs.overlay" : "/rootfs") +
                   "/bin/cat"));
  CHECK(mounted_under(o.containers_dir + "/c1") == (o.backend == "overlay"));
  write_file(root + "/written", "w");  // the rootfs is the container's to write
  CHECK(fs::exists(root + "/written"));
  auto second = provisioner::provision(o, "c2", "greet:1");
  REQUIRE(second);
  CHECK(second->layers_extracted == 0);
  CHECK_FALSE(fs::exists(second->rootfs + "/written"));
  CHECK(provisioner::provisioned_containers(o).size() == 2);
  REQUIRE_FALSE(provisioner::destroy_rootfs(o, "c1"));
  CHECK_FALSE(fs::exists(o.containers_dir + "/c1"));
  CHECK_FALSE(mounted_under(o.containers_dir + "/c1"));
  CHECK(fs::exists(o.containers_dir + "/c2/rootfs/bin/sh"));
  REQUIRE_FALSE(provisioner::destroy_rootfs(o, "c2"));
  CHECK(provisioner::provisioned_containers(o).empty());
  CHECK_FALSE(mounted_under(o.containers_dir));
}

} // namespace

TEST_CASE("the copy backend: a docker save archive's layers stored once, copied with whiteouts") {
  temp_dir t;
  check_provisioning(options_in(t.path, "copy"));
}

TEST_CASE("the overlay backend where a probe mount works here, else a named fallback to copy") {
  temp_dir t;
  auto o = options_in(t.path, "overlay");
  auto probe = provisioner::probe_overlay(o.store.store_dir, o.containers_dir);
  std::error_code ignored;  // a probe that failed early made no dirs
  // The probe leaves nothing behind, mounted or not.
  CHECK_FALSE(mounted_under(t.path));
  for (const auto& dir : {o.store.store_dir, t.path + "/work/provisioner"})
    for (const auto& e : fs::directory_iterator(dir, fs::directory_options::none, ignored))
      CHECK(e.path().filename().string().rfind("overlay-probe", 0) != 0);
  auto picked = provisioner::select_backend("", o.store.store_dir, o.containers_dir);
  REQUIRE(picked);
  auto forced = provisioner::select_backend("overlay", o.store.store_dir, o.containers_dir);
  if (probe.works) {
    MESSAGE("overlay works under " << t.path << ": " << probe.detail);
    CHECK(picked->backend == "overlay");
    REQUIRE(forced);
    CHECK(forced->backend == "overlay");
    check_provisioning(o);
    // The store's layers carry overlayfs' own marks.
    auto top = o.store.store_dir + "/layers/" + top_id + "/rootfs.overlay";
    struct stat st {};
    REQUIRE(lstat((top + "/bin/cat").c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK(st.st_rdev == makedev(0, 0));
    CHECK_FALSE(fs::exists(top + "/bin/.wh.cat"));
    CHECK_FALSE(fs::exists(top + "/etc/.wh..wh..opq"));
    char value[4] = {};
    CHECK(getxattr((top + "/etc").c_str(), "trusted.overlay.opaque", value, 4) == 1);
    CHECK(value[0] == 'y');
  } else {
    // Where overlay cannot be used (no root, an overlay under TMPDIR, no
    // overlay in the kernel) the agent says why, copies instead, and
    // refuses overlay asked for by name.
    MESSAGE("overlay cannot be used under " << t.path << ": " << probe.detail);
    CHECK_FALSE(probe.detail.empty());
    CHECK(picked->backend == "copy");
    CHECK(picked->reason.find(probe.detail) != std::string::npos);
    REQUIRE_FALSE(forced);
    CHECK(error_message(forced.error()).find(probe.detail) != std::string::npos);
    check_provisioning(options_in(t.path, picked->backend));
  }
}

TEST_CASE("what cannot be provisioned fails naming the image and the reason") {
  temp_dir t;
  provisioner::provisioner_options o;
  o.store.store_dir = t.path + "/store";
  o.store.registry = t.path + "/registry";
  o.backend = "copy";
  o.containers_dir = t.path + "/containers";
  auto missing = provisioner::provision(o, "c", "nothere:1");
  REQUIRE_FALSE(missing);
  CHECK(error_message(missing.error()).find("'nothere:1'") != std::string::npos);
  write_file(t.path + "/registry/oci:1.tar",
             make_tar({{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"},
                       {"index.json", R"({"schemaVersion":2,"manifests":[]})"},
                       {"blobs", "", AE_IFDIR}}));
  auto oci = provisioner::provision(o, "c", "oci:1");
  REQUIRE_FALSE(oci);
  CHECK(error_message(oci.error()).find("OCI image layout") != std::string::npos);
  write_file(t.path + "/registry/other:1.tar", save_archive("greet", "1"));
  auto wrong = provisioner::provision(o, "c", "other:1");
  REQUIRE_FALSE(wrong);
  CHECK(error_message(wrong.error()).find("no image 'other'") != std::string::npos);
  write_file(t.path + "/registry/evil:1.tar",
             make_tar({{"repositories", "{\"evil\":{\"1\":\"" + top_id + "\"}}"},
                       {top_id + "/json", "{\"id\":\"" + top_id + "\"}"},
                       {top_id + "/layer.tar", make_tar({{"../escape", "x"}})}}));
  auto evil = provisioner::provision(o, "c", "evil:1");
  REQUIRE_FALSE(evil);
  CHECK(error_message(evil.error()).find("'..'") != std::string::npos);
  CHECK_FALSE(fs::exists(t.path + "/store/escape"));
  o.store.registry = "https://registry-1.docker.io";
  auto remote = provisioner::provision(o, "c", "busybox");
  REQUIRE_FALSE(remote);
  CHECK(error_message(remote.error()).find("not implemented yet") != std::string::npos);
  CHECK(provisioner::provisioned_containers(o).empty());
}

TEST_CASE("--image_provisioner_backend: overlay or copy, unset probes; nothing else") {
  using provisioner::backend_request;
  CHECK(*provisioner::parse_backend_flag("") == backend_request::probe);
  CHECK(*provisioner::parse_backend_flag("overlay") == backend_request::overlay);
  CHECK(*provisioner::parse_backend_flag("copy") == backend_request::copy);
  for (auto name : {"aufs", "bind", "Copy", "overlay,copy"}) {
    auto bad = provisioner::parse_backend_flag(name);
    REQUIRE_FALSE(bad);
    CHECK(error_message(bad.error()).find(std::string("'") + name + "'") != std::string::npos);
  }
  CHECK_FALSE(provisioner::needs_probe(backend_request::copy));
  CHECK(provisioner::needs_probe(backend_request::overlay));
  CHECK(provisioner::needs_probe(backend_request::probe));
  // An unknown name is refused before anything is probed or made.
  temp_dir t;
  auto bad = provisioner::select_backend("aufs", t.path + "/store", t.path + "/w/containers");
  REQUIRE_FALSE(bad);
  CHECK(fs::is_empty(t.path));
  auto copy = provisioner::select_backend("copy", t.path + "/store", t.path + "/w/containers");
  REQUIRE(copy);
  CHECK(copy->backend == "copy");
  CHECK(fs::is_empty(t.path));
}

TEST_CASE("the backend chosen from the probe: overlay where it works, else copy saying why") {
  using provisioner::backend_request;
  provisioner::overlay_probe works{true, "a test mount worked"};
  provisioner::overlay_probe fails{false, "cannot mount: Invalid argument"};
  auto auto_works = provisioner::choose_backend(backend_request::probe, works);
  REQUIRE(auto_works);
  CHECK(auto_works->backend == "overlay");
  CHECK(auto_works->reason.find("a test mount worked") != std::string::npos);
  auto auto_fails = provisioner::choose_backend(backend_request::probe, fails);
  REQUIRE(auto_fails);
  CHECK(auto_fails->backend == "copy");
  CHECK(auto_fails->reason.find("Invalid argument") != std::string::npos);
  auto asked = provisioner::choose_backend(backend_request::overlay, works);
  REQUIRE(asked);
  CHECK(asked->backend == "overlay");
  auto refused = provisioner::choose_backend(backend_request::overlay, fails);
  REQUIRE_FALSE(refused);
  CHECK(error_message(refused.error()).find("--image_provisioner_backend=overlay") !=
        std::string::npos);
  CHECK(error_message(refused.error()).find("Invalid argument") != std::string::npos);
  for (const auto& probe : {std::optional<provisioner::overlay_probe>(),
                            std::optional<provisioner::overlay_probe>(works),
                            std::optional<provisioner::overlay_probe>(fails)}) {
    auto copy = provisioner::choose_backend(backend_request::copy, probe);
    REQUIRE(copy);
    CHECK(copy->backend == "copy");
  }
}
