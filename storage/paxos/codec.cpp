#include "storage/paxos/codec.hpp"

#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cassert>
#include <cstring>
#include <limits>

#include "runtime/errors.hpp"
#include "runtime/limits.hpp"

namespace cairn::paxos {

namespace {

namespace s = schema::log;
using action_list = capnp::List<s::Action>;
using range = std::optional<std::pair<position, position>>;

// -- writing

void write_actions(const std::vector<action>& in, action_list::Builder out) {
  assert(in.size() == out.size());
  for (unsigned i = 0; i < out.size(); ++i)
    write_action(in[i], out[i]);
}

unsigned list_size(size_t n) {
  assert(n <= std::numeric_limits<unsigned>::max() && "more than a message can hold");
  return static_cast<unsigned>(n);
}

template <class Builder>
void write_range(const range& r, Builder out) {
  out.setHasRange(r.has_value());
  if (r) {
    out.setFirst(r->first);
    out.setLast(r->second);
  }
}

s::Status status_to_schema(replica_status x) {
  switch (x) {
    case replica_status::voting:
      return s::Status::VOTING;
    case replica_status::recovering:
      return s::Status::RECOVERING;
    case replica_status::empty:
      return s::Status::EMPTY;
  }
  assert(false && "unknown replica_status");
  return s::Status::VOTING;
}

// One `put` per payload type; encode() picks by the variant.
void put(s::Message::Builder m, const promise_request& r) {
  auto out = m.initPromiseRequest();
  out.setNumber(r.number);
  write_range(r.range, out);
}

void put(s::Message::Builder m, const promise_response& r) {
  auto out = m.initPromiseResponse();
  out.setOkay(r.okay);
  out.setNumber(r.number);
  out.setEnd(r.end);
  out.setLearnedEnd(r.learned_end);
  out.setBegin(r.begin);
  write_range(r.range, out);
  write_actions(r.accepted, out.initAccepted(list_size(r.accepted.size())));
}

void put(s::Message::Builder m, const write_request& r) {
  auto out = m.initWriteRequest();
  out.setNumber(r.number);
  write_actions(r.actions, out.initActions(list_size(r.actions.size())));
}

void put(s::Message::Builder m, const write_response& r) {
  auto out = m.initWriteResponse();
  out.setOkay(r.okay);
  out.setNumber(r.number);
  auto positions = out.initPositions(list_size(r.positions.size()));
  for (unsigned i = 0; i < positions.size(); ++i)
    positions.set(i, r.positions[i]);
}

void put(s::Message::Builder m, const learned& r) {
  write_actions(r.actions, m.initLearned().initActions(list_size(r.actions.size())));
}

void put(s::Message::Builder m, const recover_request&) {
  m.initRecoverRequest();
}

void put(s::Message::Builder m, const recover_response& r) {
  auto out = m.initRecoverResponse();
  out.setStatus(status_to_schema(r.status));
  out.setPromised(r.promised);
  out.setBegin(r.begin);
  out.setEnd(r.end);
}

void put(s::Message::Builder m, const catchup_request& r) {
  auto out = m.initCatchupRequest();
  out.setFirst(r.first);
  out.setLast(r.last);
}

void put(s::Message::Builder m, const catchup_response& r) {
  auto out = m.initCatchupResponse();
  out.setBegin(r.begin);
  write_actions(r.actions, out.initActions(list_size(r.actions.size())));
}

void put(s::Message::Builder m, const heartbeat& r) {
  auto out = m.initHeartbeat();
  out.setNumber(r.number);
  out.setLeader(capnp::Text::Reader(r.leader.data(), r.leader.size()));
  out.setRound(r.round);
  out.setEnd(r.end);
}

void put(s::Message::Builder m, const heartbeat_response& r) {
  auto out = m.initHeartbeatResponse();
  out.setOkay(r.okay);
  out.setNumber(r.number);
  out.setRound(r.round);
}

void put(s::Message::Builder m, const pre_vote_request& r) {
  auto out = m.initPreVoteRequest();
  out.setRound(r.round);
  out.setLearnedEnd(r.learned_end);
}

void put(s::Message::Builder m, const pre_vote_response& r) {
  auto out = m.initPreVoteResponse();
  out.setRound(r.round);
  out.setGranted(r.granted);
}

// -- reading

template <class Reader>
range read_range(Reader in) {
  if (!in.getHasRange())
    return std::nullopt;
  return std::make_pair(in.getFirst(), in.getLast());
}

caf::expected<std::vector<action>> read_actions(action_list::Reader in, const char* field) {
  std::vector<action> out;
  for (unsigned i = 0; i < in.size(); ++i) {
    auto a = read_action(in[i]);
    if (!a)
      return make_error(std::string(field) + "[" + std::to_string(i)
                        + "]: " + error_message(a.error()));
    out.push_back(std::move(*a));
  }
  return out;
}

caf::expected<replica_status> read_status(s::Status in) {
  switch (in) {
    case s::Status::VOTING:
      return replica_status::voting;
    case s::Status::RECOVERING:
      return replica_status::recovering;
    case s::Status::EMPTY:
      return replica_status::empty;
  }
  return make_error("unknown replica status " + std::to_string(static_cast<uint16_t>(in)));
}

caf::expected<payload> read_promise_response(s::PromiseResponse::Reader in) {
  auto accepted = read_actions(in.getAccepted(), "promise_response.accepted");
  if (!accepted)
    return std::move(accepted.error());
  return payload{promise_response{in.getOkay(), in.getNumber(), in.getEnd(),
                                  in.getLearnedEnd(), in.getBegin(), read_range(in),
                                  std::move(*accepted)}};
}

caf::expected<payload> read_write_response(s::WriteResponse::Reader in) {
  write_response out{in.getOkay(), in.getNumber(), {}};
  for (auto p : in.getPositions())
    out.positions.push_back(p);
  return payload{std::move(out)};
}

caf::expected<payload> read_recover_response(s::RecoverResponse::Reader in) {
  auto status = read_status(in.getStatus());
  if (!status)
    return make_error("recover_response.status: " + error_message(status.error()));
  return payload{recover_response{*status, in.getPromised(), in.getBegin(), in.getEnd()}};
}

// Wraps a list of actions read from `in` into a payload made by `make`.
template <class Make>
caf::expected<payload> with_actions(action_list::Reader in, const char* field, Make make) {
  auto actions = read_actions(in, field);
  if (!actions)
    return std::move(actions.error());
  return payload{make(std::move(*actions))};
}

caf::expected<payload> read_body(s::Message::Reader in) {
  switch (in.which()) {
    case s::Message::PROMISE_REQUEST: {
      auto r = in.getPromiseRequest();
      return payload{promise_request{r.getNumber(), read_range(r)}};
    }
    case s::Message::PROMISE_RESPONSE:
      return read_promise_response(in.getPromiseResponse());
    case s::Message::WRITE_REQUEST: {
      auto r = in.getWriteRequest();
      return with_actions(r.getActions(), "write_request.actions", [&](auto actions) {
        return write_request{r.getNumber(), std::move(actions)};
      });
    }
    case s::Message::WRITE_RESPONSE:
      return read_write_response(in.getWriteResponse());
    case s::Message::LEARNED:
      return with_actions(in.getLearned().getActions(), "learned.actions",
                          [](auto actions) { return learned{std::move(actions)}; });
    case s::Message::RECOVER_REQUEST:
      return payload{recover_request{}};
    case s::Message::RECOVER_RESPONSE:
      return read_recover_response(in.getRecoverResponse());
    case s::Message::CATCHUP_REQUEST: {
      auto r = in.getCatchupRequest();
      return payload{catchup_request{r.getFirst(), r.getLast()}};
    }
    case s::Message::CATCHUP_RESPONSE: {
      auto r = in.getCatchupResponse();
      return with_actions(r.getActions(), "catchup_response.actions", [&](auto actions) {
        return catchup_response{r.getBegin(), std::move(actions)};
      });
    }
    case s::Message::HEARTBEAT: {
      auto r = in.getHeartbeat();
      auto leader = r.getLeader();
      return payload{heartbeat{r.getNumber(), std::string(leader.begin(), leader.size()),
                               r.getRound(), r.getEnd()}};
    }
    case s::Message::HEARTBEAT_RESPONSE: {
      auto r = in.getHeartbeatResponse();
      return payload{heartbeat_response{r.getOkay(), r.getNumber(), r.getRound()}};
    }
    case s::Message::PRE_VOTE_REQUEST: {
      auto r = in.getPreVoteRequest();
      return payload{pre_vote_request{r.getRound(), r.getLearnedEnd()}};
    }
    case s::Message::PRE_VOTE_RESPONSE: {
      auto r = in.getPreVoteResponse();
      return payload{pre_vote_response{r.getRound(), r.getGranted()}};
    }
  }
  return make_error("unknown body (union member "
                    + std::to_string(static_cast<uint16_t>(in.which())) + ")");
}

} // namespace

void write_action(const action& a, schema::log::Action::Builder out) {
  assert((a.type == action_type::append || a.data.empty()) && "data on a non-append");
  assert((a.type == action_type::truncate || a.truncate_to == 0)
         && "truncate_to on a non-truncate");
  out.setPosition(a.pos);
  out.setAcceptedIn(a.accepted_in);
  out.setLearned(a.learned);
  switch (a.type) {
    case action_type::nop:
      out.setNop();
      return;
    case action_type::append:
      out.setAppend(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(a.data.data()),
                                        a.data.size()));
      return;
    case action_type::truncate:
      out.setTruncate(a.truncate_to);
      return;
  }
  assert(false && "unknown action_type");
}

caf::expected<action> read_action(schema::log::Action::Reader in) {
  try {
    action out;
    out.pos = in.getPosition();
    out.accepted_in = in.getAcceptedIn();
    out.learned = in.getLearned();
    switch (in.which()) {
      case s::Action::NOP:
        out.type = action_type::nop;
        return out;
      case s::Action::APPEND: {
        auto data = in.getAppend();
        out.type = action_type::append;
        out.data.assign(reinterpret_cast<const char*>(data.begin()), data.size());
        return out;
      }
      case s::Action::TRUNCATE:
        out.type = action_type::truncate;
        out.truncate_to = in.getTruncate();
        return out;
    }
    return make_error("action at position " + std::to_string(out.pos)
                      + ": unknown kind (union member "
                      + std::to_string(static_cast<uint16_t>(in.which())) + ")");
  } catch (const kj::Exception& e) {
    return make_error(std::string("malformed action: ") + e.getDescription().cStr());
  }
}

std::string action_bytes(const action& a) {
  capnp::MallocMessageBuilder builder;
  write_action(a, builder.initRoot<s::Action>());
  auto words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

caf::expected<action> action_from_bytes(std::string_view bytes) {
  constexpr size_t word_bytes = sizeof(capnp::word);
  if (bytes.empty() || bytes.size() % word_bytes != 0)
    return make_error("an action record of " + std::to_string(bytes.size())
                      + " bytes, not a whole number of words");
  if (bytes.size() / word_bytes > limits::wire_max_words)
    return make_error("an action record of " + std::to_string(bytes.size())
                      + " bytes, over the limit");
  // Cap'n Proto reads words in place: copy into aligned storage first.
  auto words = kj::heapArray<capnp::word>(bytes.size() / word_bytes);
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::FlatArrayMessageReader reader(words, detail::wire_storage::reader_options());
    if (reader.getEnd() != words.end())
      return make_error("an action record with trailing words");
    return read_action(reader.getRoot<s::Action>());
  } catch (const kj::Exception& e) {
    return make_error(std::string("malformed action record: ") + e.getDescription().cStr());
  }
}

wire<schema::log::Message> encode(const message& m) {
  return make_wire<s::Message>([&](s::Message::Builder out) {
    out.setFrom(m.from);
    out.setTo(m.to);
    std::visit([&](const auto& body) { put(out, body); }, m.body);
  });
}

caf::expected<message> decode(schema::log::Message::Reader in) {
  auto where = [&] { return "log message from node " + std::to_string(in.getFrom()) + ": "; };
  try {
    auto body = read_body(in);
    if (!body)
      return make_error(where() + error_message(body.error()));
    return message{in.getFrom(), in.getTo(), std::move(*body)};
  } catch (const kj::Exception& e) {
    return make_error(where() + "malformed: " + e.getDescription().cStr());
  }
}

} // namespace cairn::paxos
