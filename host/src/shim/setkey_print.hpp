// PF_KEY messages printed as setkey(8) prints them (the FreeBSD libipsec
// layout of pfkey_sadump / pfkey_spdump, and kdebug_sadb for -x and -v).
#pragma once

#include <ctime>
#include <string>

#include "aipsec/pfkey.hpp"

namespace aipsec::setkeytool {

// One SA of a DUMP or GET reply (setkey -D). now is the "current" time the
// lifetime lines compare the creation time with. Keys are printed in hex, as
// setkey -D does: a dump is an explicit operator request. Each key stays on
// one line (FreeBSD wraps at 32 bytes), so that the dump reads back with
// setkey::parse_dump.
std::string format_sa_message(const pfkey::Message& m, std::time_t now);

// One policy of an SPDDUMP reply (setkey -DP).
std::string format_policy_message(const pfkey::Message& m);

// Every field of a message, extension by extension (setkey -x, -v). Key
// extensions show their size only: this output is a monitor, often logged.
std::string format_debug(const pfkey::Message& m, std::size_t wire_len);

// "Nov 27 12:00:00 2026" (libipsec's str_time; 20 blanks for 0).
std::string str_time(std::uint64_t unix_seconds);

}  // namespace aipsec::setkeytool
