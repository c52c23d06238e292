// Errors as values (STYLE §6): one helper to make a caf::error with a message
// that says what was wrong and where, and one to read that message back.
#pragma once

#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

namespace cairn {

inline caf::error make_error(std::string message, caf::sec code = caf::sec::invalid_argument) {
  return caf::make_error(code, std::move(message));
}

// A request cairn knows (Mesos serves it) but does not serve yet; HTTP
// answers it 501. CAF has no such code, hence a category of cairn's own.
inline caf::error make_not_supported(std::string message) {
  return caf::error(1, caf::atom("notyet"), caf::make_message(std::move(message)));
}

inline bool is_not_supported(const caf::error& err) {
  return err.category() == caf::atom("notyet");
}

// The message an error was made with (or CAF's rendering of its code).
inline std::string error_message(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return "error code " + std::to_string(err.code());
}

} // namespace cairn
