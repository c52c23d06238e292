// The log's codec round-trips every message and refuses bad words without crashing, and the
// LevelDB and memory log stores keep the same state (promise, status, begin, actions).
#include <doctest/doctest.h>

#include <capnp/any.h>
#include <leveldb/db.h>

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>

#include "runtime/errors.hpp"
#include "storage/leveldb_log_store.hpp"
#include "storage/paxos/codec.hpp"

using namespace cairn;
using namespace cairn::paxos;
namespace s = cairn::schema::log;

// Field-by-field equality, for the tests only (std::variant's == finds these by ADL).
namespace cairn::paxos {

static bool operator==(const action& a, const action& b) {
  return a.pos == b.pos && a.accepted_in == b.accepted_in && a.learned == b.learned
         && a.type == b.type && a.data == b.data && a.truncate_to == b.truncate_to;
}
static bool operator==(const promise_request& a, const promise_request& b) {
  return a.number == b.number && a.range == b.range;
}
static bool operator==(const promise_response& a, const promise_response& b) {
  return a.okay == b.okay && a.number == b.number && a.end == b.end
         && a.learned_end == b.learned_end && a.begin == b.begin && a.range == b.range
         && a.accepted == b.accepted;
}
static bool operator==(const write_request& a, const write_request& b) {
  return a.number == b.number && a.actions == b.actions;
}
static bool operator==(const write_response& a, const write_response& b) {
  return a.okay == b.okay && a.number == b.number && a.positions == b.positions;
}
static bool operator==(const learned& a, const learned& b) {
  return a.actions == b.actions;
}
static bool operator==(const recover_request&, const recover_request&) {
  return true;
}
static bool operator==(const recover_response& a, const recover_response& b) {
  return a.status == b.status && a.promised == b.promised && a.begin == b.begin
         && a.end == b.end;
}
static bool operator==(const catchup_request& a, const catchup_request& b) {
  return a.first == b.first && a.last == b.last;
}
static bool operator==(const catchup_response& a, const catchup_response& b) {
  return a.begin == b.begin && a.actions == b.actions;
}
static bool operator==(const heartbeat& a, const heartbeat& b) {
  return a.number == b.number && a.leader == b.leader && a.round == b.round && a.end == b.end;
}
static bool operator==(const heartbeat_response& a, const heartbeat_response& b) {
  return a.okay == b.okay && a.number == b.number && a.round == b.round;
}
static bool operator==(const pre_vote_request& a, const pre_vote_request& b) {
  return a.round == b.round && a.learned_end == b.learned_end;
}
static bool operator==(const pre_vote_response& a, const pre_vote_response& b) {
  return a.round == b.round && a.granted == b.granted;
}
static bool operator==(const message& a, const message& b) {
  return a.from == b.from && a.to == b.to && a.body == b.body;
}

} // namespace cairn::paxos

namespace {

constexpr uint64_t max_u64 = std::numeric_limits<uint64_t>::max();

action appended(position p, std::string data, proposal n = 0, bool is_learned = false) {
  action a;
  a.pos = p;
  a.accepted_in = n;
  a.learned = is_learned;
  a.type = action_type::append;
  a.data = std::move(data);
  return a;
}

action nop_at(position p, proposal n = 0, bool is_learned = false) {
  action a;
  a.pos = p;
  a.accepted_in = n;
  a.learned = is_learned;
  return a;
}

action truncation(position p, position to, proposal n = 0, bool is_learned = false) {
  action a = nop_at(p, n, is_learned);
  a.type = action_type::truncate;
  a.truncate_to = to;
  return a;
}

std::vector<action> some_actions() {
  return {appended(3, std::string("a\0b", 3), 8), nop_at(4, 8, true),
          truncation(5, 3, 9, true), appended(max_u64, "", max_u64, true)};
}

std::vector<message> samples() {
  auto range = std::make_pair(position{3}, position{1026});
  return {
    {1, 2, promise_request{7, std::nullopt}},
    {1, 2, promise_request{8, range}},
    {2, 1, promise_response{true, 8, 40, 30, 3, range, some_actions()}},
    {2, 1, promise_response{false, 9, 0, 0, 0, std::nullopt, {}}},
    {1, 3, write_request{8, some_actions()}},
    {3, 1, write_response{true, 8, {4, 5, max_u64}}},
    {3, 1, write_response{false, 11, {}}},
    {1, 3, learned{some_actions()}},
    {4, 1, recover_request{}},
    {1, 4, recover_response{replica_status::voting, 12, 5, 99}},
    {1, 4, recover_response{replica_status::recovering, 0, 0, 0}},
    {1, 4, recover_response{replica_status::empty, max_u64, max_u64, max_u64}},
    {4, 1, catchup_request{5, 99}},
    {1, 4, catchup_response{5, some_actions()}},
    {1, 2, heartbeat{12, "master@10.0.0.1:5050", 7, 40}},
    {1, 2, heartbeat{0, std::string("\0ü", 3), max_u64, max_u64}},
    {std::numeric_limits<node_id>::max(), 0, heartbeat_response{true, 13, 7}},
    {2, 1, heartbeat_response{false, 14, max_u64}},
    {2, 0, pre_vote_request{3, 40}},
    {0, 2, pre_vote_response{max_u64, true}},
    {0, 2, pre_vote_response{1, false}},
  };
}

// As another process gets it: flat words, checked, then decoded.
caf::expected<message> through_the_wire(const wire<s::Message>& w) {
  auto received = wire<s::Message>::from_flat(kj::heapArray(w.storage()->flat()));
  if (!received)
    return std::move(received.error());
  return decode(received->get());
}

// Writes `value` into the data section of `target` at `offset_u16` (in
// 16-bit units, as the schema gives union discriminants and enum fields).
void poke_u16(capnp::AnyStruct::Builder target, uint32_t offset_u16, uint16_t value) {
  auto data = target.getDataSection();
  REQUIRE(data.size() >= (offset_u16 + 1) * 2);
  data[offset_u16 * 2] = static_cast<kj::byte>(value & 0xff); // little-endian
  data[offset_u16 * 2 + 1] = static_cast<kj::byte>(value >> 8);
}

template <class T>
uint32_t discriminant_offset() {
  return capnp::Schema::from<T>().getProto().getStruct().getDiscriminantOffset();
}

std::string error_of(const caf::error& err) {
  return error_message(err);
}

} // namespace

TEST_CASE("every message type round-trips through encode and decode") {
  std::set<size_t> types;
  for (const auto& m : samples()) {
    INFO("payload type " << m.body.index());
    types.insert(m.body.index());
    auto back = through_the_wire(encode(m));
    REQUIRE(back);
    CHECK(*back == m);
  }
  CHECK(types.size() == std::variant_size_v<payload>);
}

TEST_CASE("a message with an unknown union member is refused") {
  wire_builder<s::Message> b;
  b->setFrom(7);
  b->initHeartbeat().setNumber(3);
  poke_u16(b.root(), discriminant_offset<s::Message>(), 0x7fff);
  auto result = through_the_wire(std::move(b).finish());
  REQUIRE(!result);
  CHECK(error_of(result.error()).find("node 7") != std::string::npos);
  CHECK(error_of(result.error()).find("unknown body") != std::string::npos);
}

TEST_CASE("an action of unknown kind inside a message is refused, with where it was") {
  wire_builder<s::Message> b;
  auto actions = b->initWriteRequest().initActions(2);
  write_action(appended(1, "x"), actions[0]);
  write_action(appended(2, "y"), actions[1]);
  poke_u16(actions[1], discriminant_offset<s::Action>(), 9);
  auto result = through_the_wire(std::move(b).finish());
  REQUIRE(!result);
  CHECK(error_of(result.error()).find("write_request.actions[1]") != std::string::npos);
  CHECK(error_of(result.error()).find("unknown kind") != std::string::npos);
}

TEST_CASE("an unknown replica status is refused") {
  wire_builder<s::Message> b;
  auto field = capnp::Schema::from<s::RecoverResponse>().getFieldByName("status");
  poke_u16(b->initRecoverResponse(), field.getProto().getSlot().getOffset(), 3);
  auto result = through_the_wire(std::move(b).finish());
  REQUIRE(!result);
  CHECK(error_of(result.error()).find("recover_response.status") != std::string::npos);
}

TEST_CASE("a pointer of the wrong kind is refused, not a crash") {
  // The heartbeat's leader (text) points at a struct instead.
  wire_builder<s::Message> b;
  capnp::AnyStruct::Builder hb(b->initHeartbeat());
  hb.getPointerSection()[0].initAs<s::CatchupRequest>();
  auto w = std::move(b).finish();
  // From another process it is refused on arrival: the check of its texts
  // meets the struct.
  auto arrived = wire<s::Message>::from_flat(kj::heapArray(w.storage()->flat()));
  REQUIRE(!arrived);
  CHECK(error_of(arrived.error()).find("malformed") != std::string::npos);
  // Built in this process, it never arrived that way: decode refuses it itself.
  auto result = decode(w.get());
  REQUIRE(!result);
  CHECK(error_of(result.error()).find("malformed") != std::string::npos);
}

TEST_CASE("truncated or hand-made bad words never reach decode") {
  auto w = encode({1, 2, write_request{8, some_actions()}});
  auto flat = w.storage()->flat();
  for (size_t keep : {size_t{0}, size_t{1}, flat.size() / 2, flat.size() - 1}) {
    INFO("words kept: " << keep);
    auto words = kj::heapArray(flat.slice(0, keep));
    CHECK(!wire<s::Message>::from_flat(std::move(words)));
  }
  // One segment of two words: the root pointer, then one word; the root
  // struct is said to start 1,000 words further on.
  auto words = kj::heapArray<capnp::word>(3);
  auto bytes = words.asBytes();
  std::fill(bytes.begin(), bytes.end(), 0);
  bytes[4] = 2;                       // segment 0: 2 words
  uint32_t offset = 1000 << 2;        // struct pointer, offset in bits 2..31
  std::memcpy(bytes.begin() + 8, &offset, 4);
  bytes[12] = 1;                      // one data word
  CHECK(!wire<s::Message>::from_flat(std::move(words)));
}

TEST_CASE("action records round-trip and bad records are refused") {
  for (const auto& a : some_actions()) {
    auto back = action_from_bytes(action_bytes(a));
    REQUIRE(back);
    CHECK(*back == a);
  }
  // Unaligned input: read through a copy.
  auto bytes = " " + action_bytes(appended(9, "nine"));
  auto back = action_from_bytes(std::string_view(bytes).substr(1));
  REQUIRE(back);
  CHECK(back->data == "nine");

  auto record = action_bytes(truncation(5, 3));
  CHECK(!action_from_bytes(""));
  CHECK(!action_from_bytes(record.substr(0, record.size() - 1)));  // not whole words
  CHECK(!action_from_bytes(record.substr(0, record.size() - 8)));  // a word short
  CHECK(!action_from_bytes(record + std::string(8, '\0')));        // trailing words
  CHECK(!action_from_bytes(std::string(32, '\xff')));

  // An unknown kind, at the discriminant's place in the flat words: the
  // segment table, the root pointer, then the data section.
  auto offset = 16 + 2 * discriminant_offset<s::Action>();
  REQUIRE(record.size() > offset + 1);
  record[offset] = '\x09';
  auto refused = action_from_bytes(record);
  REQUIRE(!refused);
  CHECK(error_of(refused.error()).find("unknown kind") != std::string::npos);
}

// -- stores

namespace {

durable_state loaded(log_store& store) {
  auto state = store.load();
  if (!state)
    FAIL(error_of(state.error()));
  return std::move(*state);
}

void check_state(const durable_state& got, proposal promised, replica_status status,
                 position begin, const std::vector<action>& actions) {
  CHECK(got.promised == promised);
  CHECK(got.status == status);
  CHECK(got.begin == begin);
  std::vector<position> want_positions, got_positions;
  for (const auto& a : actions)
    want_positions.push_back(a.pos);
  for (const auto& [pos, a] : got.actions) {
    got_positions.push_back(pos);
    CHECK(pos == a.pos);
  }
  REQUIRE(got_positions == want_positions);
  for (const auto& a : actions) {
    INFO("position " << a.pos);
    CHECK(got.actions.at(a.pos) == a);
  }
}

void write_ok(log_store& store, const store_batch& batch, bool sync) {
  auto err = store.write(batch, sync);
  INFO(error_of(err));
  REQUIRE(!err);
}

// What any log_store does; returns the state it ends with.
durable_state check_log_store(log_store& store) {
  using st = replica_status;
  check_state(loaded(store), 0, st::empty, 0, {});

  auto a2 = appended(2, "two", 5), a256 = appended(256, "256", 5);
  auto a65536 = appended(65536, std::string("\0", 1), 5), n3 = nop_at(3, 7, true);
  write_ok(store, {5, st::voting, std::nullopt, {a65536, a2, a256}}, true);
  write_ok(store, {7, std::nullopt, std::nullopt, {n3}}, false);
  check_state(loaded(store), 7, st::voting, 0, {a2, n3, a256, a65536});

  a2.learned = true; // learning a value rewrites its position
  write_ok(store, {std::nullopt, std::nullopt, std::nullopt, {a2}}, false);
  check_state(loaded(store), 7, st::voting, 0, {a2, n3, a256, a65536});

  // 257 lies between 256 and 65536 only in numeric order.
  auto t = truncation(70000, 257, 7, true);
  write_ok(store, {std::nullopt, std::nullopt, 257, {t}}, true);
  check_state(loaded(store), 7, st::voting, 257, {a65536, t});

  auto below = appended(100, "late", 8), a70001 = appended(70001, "x", 8);
  write_ok(store, {std::nullopt, st::recovering, std::nullopt, {below, a70001}}, true);
  check_state(loaded(store), 7, st::recovering, 257, {a65536, t, a70001});

  // A begin and actions in one batch: the begin applies first.
  auto a70002 = appended(70002, "y", 8);
  write_ok(store, {9, std::nullopt, 70001, {appended(70000, "z", 8), a70002}}, false);
  check_state(loaded(store), 9, st::recovering, 70001, {a70001, a70002});

  write_ok(store, {}, true);
  auto last = loaded(store);
  check_state(last, 9, st::recovering, 70001, {a70001, a70002});
  return last;
}

struct temp_dir {
  std::string path;
  temp_dir() {
    char pattern[] = "/tmp/cairn-log-store-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::unique_ptr<log_store> open_store(const std::string& dir) {
  auto store = open_leveldb_log_store(dir);
  if (!store)
    FAIL(error_of(store.error()));
  return std::move(*store);
}

// Straight to LevelDB, around the store (which must be closed: LevelDB locks).
std::unique_ptr<leveldb::DB> open_raw(const std::string& dir) {
  leveldb::DB* db = nullptr;
  auto s = leveldb::DB::Open(leveldb::Options{}, dir, &db);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::unique_ptr<leveldb::DB>(db);
}

void raw_put(const std::string& dir, std::string_view key, std::string_view value) {
  auto db = open_raw(dir);
  auto s = db->Put(leveldb::WriteOptions{}, leveldb::Slice(key.data(), key.size()),
                   leveldb::Slice(value.data(), value.size()));
  REQUIRE_MESSAGE(s.ok(), s.ToString());
}

} // namespace

TEST_CASE("the memory log store keeps what a log store must") {
  memory_log_store store;
  check_log_store(store);
}

TEST_CASE("the LevelDB log store keeps what a log store must, across reopening") {
  temp_dir dir;
  auto store = open_store(dir.path + "/replica"); // a directory not there yet
  auto last = check_log_store(*store);
  store.reset();
  store = open_store(dir.path + "/replica");
  check_state(loaded(*store), last.promised, last.status, last.begin,
              {last.actions.at(70001), last.actions.at(70002)});
}

TEST_CASE("LevelDB: synced and unsynced writes both survive closing and opening again") {
  temp_dir dir;
  auto a1 = appended(1, "synced", 3), a2 = appended(2, "unsynced", 3);
  {
    auto store = open_store(dir.path);
    write_ok(*store, {3, replica_status::voting, std::nullopt, {a1}}, true);
    write_ok(*store, {4, std::nullopt, std::nullopt, {a2}}, false);
  }
  auto store = open_store(dir.path);
  check_state(loaded(*store), 4, replica_status::voting, 0, {a1, a2});
}

TEST_CASE("LevelDB: action keys are big-endian positions, so they sort numerically") {
  temp_dir dir;
  std::vector<action> actions;
  for (position p : {65536u, 2u, 256u, 1u, 255u})
    actions.push_back(appended(p, "v"));
  write_ok(*open_store(dir.path), {std::nullopt, std::nullopt, std::nullopt, actions}, true);
  CHECK(leveldb_log_layout::action_key(256) == std::string("action/\0\0\0\0\0\0\1\0", 15));

  auto db = open_raw(dir.path);
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions{}));
  std::vector<std::string> keys;
  for (it->Seek("action/"); it->Valid() && it->key().starts_with("action/"); it->Next())
    keys.push_back(it->key().ToString());
  std::vector<std::string> want;
  for (position p : {1u, 2u, 255u, 256u, 65536u})
    want.push_back(leveldb_log_layout::action_key(p));
  CHECK(keys == want);
}

TEST_CASE("LevelDB: a corrupt value loads as an error naming its key") {
  temp_dir dir;
  write_ok(*open_store(dir.path), {1, std::nullopt, std::nullopt, {appended(5, "five")}}, true);

  SUBCASE("an action") {
    raw_put(dir.path, leveldb_log_layout::action_key(5), "not an action");
    auto state = open_store(dir.path)->load();
    REQUIRE(!state);
    CHECK(error_of(state.error()).find("action/5") != std::string::npos);
    CHECK(error_of(state.error()).find(dir.path) != std::string::npos);
  }
  SUBCASE("an action filed under another position") {
    raw_put(dir.path, leveldb_log_layout::action_key(6), action_bytes(appended(7, "seven")));
    auto state = open_store(dir.path)->load();
    REQUIRE(!state);
    CHECK(error_of(state.error()).find("action/6") != std::string::npos);
  }
  SUBCASE("the promise") {
    raw_put(dir.path, leveldb_log_layout::promised_key, "abc");
    auto state = open_store(dir.path)->load();
    REQUIRE(!state);
    CHECK(error_of(state.error()).find("meta/promised") != std::string::npos);
  }
  SUBCASE("the status") {
    raw_put(dir.path, leveldb_log_layout::status_key, "sleeping");
    auto state = open_store(dir.path)->load();
    REQUIRE(!state);
    CHECK(error_of(state.error()).find("meta/status") != std::string::npos);
  }
}

TEST_CASE("LevelDB: a path that cannot be a directory is an error naming it") {
  temp_dir dir;
  auto file = dir.path + "/file";
  std::ofstream(file) << "a regular file";
  auto store = open_leveldb_log_store(file + "/replica");
  REQUIRE(!store);
  CHECK(error_of(store.error()).find(file + "/replica") != std::string::npos);
}
