#include "storage/leveldb_log_store.hpp"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "runtime/errors.hpp"
#include "storage/paxos/codec.hpp"

namespace cairn {

namespace leveldb_log_layout {

std::string action_key(paxos::position pos) {
  std::string key(action_prefix);
  for (int shift = 56; shift >= 0; shift -= 8)
    key.push_back(static_cast<char>((pos >> shift) & 0xff));
  return key;
}

} // namespace leveldb_log_layout

namespace {

using namespace leveldb_log_layout;

leveldb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

std::string u64_value(uint64_t x) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[static_cast<size_t>(i)] = static_cast<char>((x >> (56 - 8 * i)) & 0xff);
  return out;
}

caf::expected<uint64_t> read_u64(std::string_view bytes) {
  if (bytes.size() != 8)
    return make_error("expected 8 bytes, found " + std::to_string(bytes.size()));
  uint64_t x = 0;
  for (char c : bytes)
    x = (x << 8) | static_cast<uint8_t>(c);
  return x;
}

std::string_view status_name(paxos::replica_status s) {
  switch (s) {
    case paxos::replica_status::voting:
      return "voting";
    case paxos::replica_status::recovering:
      return "recovering";
    case paxos::replica_status::empty:
      return "empty";
  }
  return "?";
}

caf::expected<paxos::replica_status> read_status(std::string_view name) {
  for (auto s : {paxos::replica_status::voting, paxos::replica_status::recovering,
                 paxos::replica_status::empty})
    if (name == status_name(s))
      return s;
  return make_error("unknown status \"" + std::string(name) + "\"");
}

bool is_action_key(const leveldb::Slice& key) {
  return key.starts_with(slice(action_prefix));
}

// Keys in errors: the action keys' binary positions as decimal numbers.
std::string describe_key(std::string_view key) {
  auto pos = read_u64(key.substr(std::min(key.size(), action_prefix.size())));
  if (key.substr(0, action_prefix.size()) != action_prefix || !pos)
    return std::string(key);
  return std::string(action_prefix) + std::to_string(*pos);
}

class leveldb_log_store final : public log_store {
public:
  leveldb_log_store(std::string directory, std::unique_ptr<leveldb::DB> db)
    : directory_(std::move(directory)), db_(std::move(db)) {
  }

  caf::expected<paxos::durable_state> load() override;
  caf::error write(const store_batch& batch, bool sync) override;

private:
  // The value under `key`, if any, parsed by `read`; an absent key yields `fallback`.
  template <class T, class Read>
  caf::expected<T> get(std::string_view key, T fallback, Read read);
  caf::error load_actions(paxos::durable_state& state);

  caf::error failure(const std::string& what, const leveldb::Status& s) const {
    return make_error("log store " + directory_ + ": " + what + ": " + s.ToString(),
                      caf::sec::runtime_error);
  }
  caf::error corrupt(std::string_view key, const caf::error& why) const {
    return make_error("log store " + directory_ + ": corrupt value under key "
                        + describe_key(key) + ": " + error_message(why),
                      caf::sec::runtime_error);
  }

  std::string directory_;
  std::unique_ptr<leveldb::DB> db_;
};

template <class T, class Read>
caf::expected<T> leveldb_log_store::get(std::string_view key, T fallback, Read read) {
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  std::string value;
  auto s = db_->Get(options, slice(key), &value);
  if (s.IsNotFound())
    return fallback;
  if (!s.ok())
    return failure("reading " + std::string(key), s);
  caf::expected<T> x = read(value);
  if (!x)
    return corrupt(key, x.error());
  return x;
}

caf::expected<paxos::durable_state> leveldb_log_store::load() {
  paxos::durable_state state;
  auto promised = get<paxos::proposal>(promised_key, 0, read_u64);
  auto status = get(status_key, paxos::replica_status::empty, read_status);
  auto begin = get<paxos::position>(begin_key, 0, read_u64);
  if (!promised)
    return std::move(promised.error());
  if (!status)
    return std::move(status.error());
  if (!begin)
    return std::move(begin.error());
  state.promised = *promised;
  state.status = *status;
  state.begin = *begin;
  if (auto err = load_actions(state))
    return err;
  return state;
}

// Reads the actions from state.begin on: a range scan, in position order.
caf::error leveldb_log_store::load_actions(paxos::durable_state& state) {
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(options));
  for (it->Seek(action_key(state.begin)); it->Valid() && is_action_key(it->key()); it->Next()) {
    auto key = it->key().ToString();
    auto pos = read_u64(std::string_view(key).substr(action_prefix.size()));
    if (!pos)
      return corrupt(key, make_error("malformed key"));
    auto a = paxos::action_from_bytes(std::string_view(it->value().data(), it->value().size()));
    if (!a)
      return corrupt(key, a.error());
    if (a->pos != *pos)
      return corrupt(key, make_error("holds position " + std::to_string(a->pos)));
    state.actions.emplace(*pos, std::move(*a));
  }
  if (!it->status().ok())
    return failure("reading the actions", it->status());
  return caf::none;
}

caf::error leveldb_log_store::write(const store_batch& batch, bool sync) {
  leveldb::WriteBatch out;
  if (batch.promised)
    out.Put(slice(promised_key), u64_value(*batch.promised));
  if (batch.status)
    out.Put(slice(status_key), slice(status_name(*batch.status)));
  // Actions below begin are never kept (as in memory_log_store): a new begin
  // erases them, and none are written below the begin in force.
  auto begin = get<paxos::position>(begin_key, 0, read_u64);
  if (!begin)
    return std::move(begin.error());
  if (batch.begin) {
    *begin = *batch.begin;
    out.Put(slice(begin_key), u64_value(*begin));
    auto end = action_key(*begin);
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions{}));
    for (it->Seek(slice(action_prefix)); it->Valid() && it->key().compare(end) < 0; it->Next())
      out.Delete(it->key());
    if (!it->status().ok())
      return failure("finding actions to erase", it->status());
  }
  for (const auto& a : batch.actions)
    if (a.pos >= *begin)
      out.Put(action_key(a.pos), paxos::action_bytes(a));
  leveldb::WriteOptions options;
  options.sync = sync;
  auto s = db_->Write(options, &out);
  if (!s.ok())
    return failure("writing", s);
  return caf::none;
}

} // namespace

caf::expected<std::unique_ptr<log_store>> open_leveldb_log_store(const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec)
    return make_error("log store " + directory + ": cannot create the directory: "
                        + ec.message(),
                      caf::sec::runtime_error);
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* db = nullptr;
  auto s = leveldb::DB::Open(options, directory, &db);
  if (!s.ok())
    return make_error("log store " + directory + ": cannot open: " + s.ToString(),
                      caf::sec::runtime_error);
  return std::unique_ptr<log_store>(
    std::make_unique<leveldb_log_store>(directory, std::unique_ptr<leveldb::DB>(db)));
}

} // namespace cairn
