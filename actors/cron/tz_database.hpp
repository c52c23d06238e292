// The system's tz database (/usr/share/zoneinfo), read once per zone name
// and kept. A name with "..", or that is not a TZif file, is refused.
// `cairn cron` and `cairn local` preload the whole database before the cron
// actor starts, so that a lookup from the actor (a job posted, a job read
// back) never reads the disk; without the preload (unit tests), a zone is
// read on its first lookup.
#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "actors/cron/time_zone.hpp"

namespace cairn::cron {

caf::expected<std::shared_ptr<const time_zone>> find_time_zone(const std::string& name);

// Reads every zone of the database (blocking: call it before the actor
// starts); answers how many. Later lookups of names not read are refused.
size_t preload_time_zones();

} // namespace cairn::cron
