// The system's tz database (/usr/share/zoneinfo), read once per zone name
// and kept: a zone file is a few KiB on the local disk, so a lookup costs a
// read the first time only. A name with "..", or that is not a TZif file,
// is refused.
#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "actors/cron/time_zone.hpp"

namespace cairn::cron {

caf::expected<std::shared_ptr<const time_zone>> find_time_zone(const std::string& name);

} // namespace cairn::cron
