// Text from outside must be valid UTF-8, so that the JSON we write stays JSON
// and the lines we log stay lines. Checked at the edges: JSON decoding and
// messages from other processes.
#pragma once

#include <string>
#include <string_view>

#include <capnp/dynamic.h>

namespace cairn {

// UTF-8 as RFC 3629 has it: no overlong forms, no surrogates (a lone
// "\ud800" in JSON arrives as one), nothing past U+10FFFF.
bool valid_utf8(std::string_view text);

// The path of the first Text field in `message` that is not valid UTF-8
// (e.g. "subscribe.frameworkInfo.name"), or "" when every one is.
std::string invalid_text_field(capnp::DynamicStruct::Reader message);

// `text` with control characters (C0, DEL, C1) and bytes that are not UTF-8
// written as \xNN, so that what outside input puts in a log line can neither
// end the line nor drive the terminal.
std::string escape_for_log(std::string_view text);

} // namespace cairn
