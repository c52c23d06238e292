// wire<T>: one immutable Cap'n Proto message of root type T inside a CAF message.
//
// In one process a wire shares the built segments: copying a wire copies a
// pointer, never the message. Between processes CAF serializes it as the flat
// words of Cap'n Proto's standard framing, and the receiver checks the whole
// message before any actor sees it.
#pragma once

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include <caf/deserializer.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>
#include <caf/serializer.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "runtime/limits.hpp"
#include "runtime/text.hpp"

namespace cairn {

namespace detail {

// Owns the segments of one message: either the builder it was made in, or the
// flat words it arrived as. Never changes after construction.
class wire_storage {
public:
  explicit wire_storage(std::unique_ptr<capnp::MallocMessageBuilder> built)
    : built_(std::move(built)) {
  }

  explicit wire_storage(kj::Array<capnp::word> flat)
    : flat_(std::move(flat)),
      reader_(std::make_unique<capnp::FlatArrayMessageReader>(flat_, reader_options())) {
  }

  template <class T>
  typename T::Reader root() const {
    if (built_)
      return built_->getRoot<T>().asReader();
    return reader_->getRoot<T>();
  }

  // The message in Cap'n Proto's standard framing (segment table, then segments).
  kj::ArrayPtr<const capnp::word> flat() const {
    if (!built_)
      return flat_.asPtr();
    if (flat_cache_.size() == 0)
      flat_cache_ = capnp::messageToFlatArray(*built_);
    return flat_cache_.asPtr();
  }

  size_t size_in_words() const {
    if (!built_)
      return flat_.size();
    return capnp::computeSerializedSizeInWords(*built_);
  }

  static capnp::ReaderOptions reader_options() {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = limits::wire_max_words;
    options.nestingLimit = limits::wire_max_nesting;
    return options;
  }

private:
  std::unique_ptr<capnp::MallocMessageBuilder> built_;
  kj::Array<capnp::word> flat_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
  // Filled on the first send to another process; a message that never leaves
  // its process is never flattened.
  mutable kj::Array<capnp::word> flat_cache_;
};

} // namespace detail

template <class T>
class wire {
public:
  using reader_type = typename T::Reader;

  wire() = default;

  explicit wire(std::shared_ptr<const detail::wire_storage> storage)
    : storage_(std::move(storage)), root_(storage_->template root<T>()) {
  }

  explicit operator bool() const noexcept {
    return storage_ != nullptr;
  }

  reader_type get() const noexcept {
    return root_;
  }

  reader_type operator*() const noexcept {
    return root_;
  }

  const reader_type* operator->() const noexcept {
    return &root_;
  }

  const detail::wire_storage* storage() const noexcept {
    return storage_.get();
  }

  // Takes flat words from outside the process: checks every pointer and
  // every text of the message once, so that readers never meet a malformed
  // one later.
  static caf::expected<wire> from_flat(kj::Array<capnp::word> words) {
    try {
      // One walk over every text and every struct and list that may hold
      // one, bounds-checking each pointer it follows, by a reader allowed to
      // read about as much as the message holds: a list of empty elements
      // counts a word each when read, so a few hundred bytes cannot pose as
      // millions of elements for later readers (the JSON codec) to expand.
      // (totalSize() does not count such lists.)
      auto options = detail::wire_storage::reader_options();
      options.traversalLimitInWords =
        std::min<uint64_t>(limits::wire_max_words, 2 * words.size() + 64);
      capnp::FlatArrayMessageReader check(words, options);
      auto bad_text = invalid_text_field(capnp::toDynamic(check.getRoot<T>()));
      if (!bad_text.empty())
        return caf::make_error(caf::sec::invalid_argument,
                               "malformed message: field '" + bad_text + "' is not UTF-8");
      auto storage = std::make_shared<const detail::wire_storage>(std::move(words));
      return wire{std::move(storage)};
    } catch (const kj::Exception& e) {
      return caf::make_error(caf::sec::invalid_argument,
                             std::string("malformed message: ") + e.getDescription().cStr());
    }
  }

private:
  std::shared_ptr<const detail::wire_storage> storage_;
  reader_type root_;
};

// Builds one message; `finish` seals it into a wire.
template <class T>
class wire_builder {
public:
  explicit wire_builder(unsigned first_segment_words = limits::wire_first_segment_words)
    : msg_(std::make_unique<capnp::MallocMessageBuilder>(first_segment_words)),
      root_(msg_->initRoot<T>()) {
  }

  typename T::Builder root() noexcept {
    return root_;
  }

  typename T::Builder* operator->() noexcept {
    return &root_;
  }

  capnp::MessageBuilder& message() noexcept {
    return *msg_;
  }

  wire<T> finish() && {
    return wire<T>{std::make_shared<const detail::wire_storage>(std::move(msg_))};
  }

private:
  std::unique_ptr<capnp::MallocMessageBuilder> msg_;
  typename T::Builder root_;
};

// Builds a message with `fill(root)` and seals it.
template <class T, class F>
wire<T> make_wire(F&& fill) {
  wire_builder<T> b;
  fill(b.root());
  return std::move(b).finish();
}

// A wire holding a copy of `reader` (for turning part of one message into
// the root of another).
template <class T>
wire<T> copy_to_wire(typename T::Reader reader) {
  wire_builder<T> b;
  b.message().setRoot(reader);
  return std::move(b).finish();
}

std::string wire_to_string(const std::string& type_name, size_t words);

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, wire<T>& x) {
  if constexpr (std::is_base_of_v<caf::serializer, Inspector>) {
    if (!x)
      return caf::make_error(caf::sec::invalid_argument, "sending an empty wire");
    auto flat = x.storage()->flat();
    uint64_t n = flat.size();
    if (auto err = f(n))
      return err;
    return f.apply_raw(n * sizeof(capnp::word),
                       const_cast<capnp::word*>(flat.begin()));
  } else if constexpr (std::is_base_of_v<caf::deserializer, Inspector>) {
    uint64_t n = 0;
    if (auto err = f(n))
      return err;
    if (n == 0 || n > limits::wire_max_words)
      return caf::make_error(caf::sec::invalid_argument, "wire size out of bounds");
    auto words = kj::heapArray<capnp::word>(n);
    if (auto err = f.apply_raw(n * sizeof(capnp::word), words.begin()))
      return err;
    auto result = wire<T>::from_flat(std::move(words));
    if (!result)
      return std::move(result.error());
    x = std::move(*result);
    return caf::none;
  } else {
    // Logging and test output: the type and size, not the body.
    std::string text = wire_to_string(
      capnp::Schema::from<T>().getShortDisplayName().cStr(),
      x ? x.storage()->size_in_words() : 0);
    return f(caf::meta::type_name("wire"), text);
  }
}

} // namespace cairn
