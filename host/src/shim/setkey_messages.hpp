// setkey(8) statements as the PF_KEY v2 messages they send: add -> SADB_ADD,
// get -> SADB_GET, delete -> SADB_DELETE, flush -> SADB_FLUSH, dump ->
// SADB_DUMP, spdadd -> SADB_X_SPDADD, spdupdate -> SADB_X_SPDUPDATE,
// spddelete -> SADB_X_SPDDELETE, spdflush -> SADB_X_SPDFLUSH, spddump ->
// SADB_X_SPDDUMP. deleteall is a DUMP followed by one DELETE per matching SA
// (see Session). seq and pid are left 0: the session numbers its messages.
#pragma once

#include <cstdint>
#include <optional>

#include "aipsec/pfkey.hpp"
#include "aipsec/policy.hpp"
#include "aipsec/sa.hpp"
#include "aipsec/setkey.hpp"

namespace aipsec::setkeytool {

// SADB_ADD (or SADB_UPDATE) of an SA with its keys, lifetimes, mode/reqid
// (X_SA2), NAT-T ports and, when the window is not a whole number of bytes
// below 256, the window in packets (X_SA_REPLAY).
pfkey::Message sa_add_message(const SaConfig& sa, bool update);
// SADB_GET / SADB_DELETE of one SA.
pfkey::Message sa_id_message(std::uint8_t type, const IpAddr& src, const IpAddr& dst, IpsecProto proto,
                             std::uint32_t spi);
// SADB_FLUSH / SADB_DUMP of one protocol (nullopt: every protocol).
pfkey::Message sa_all_message(std::uint8_t type, std::optional<IpsecProto> proto);
// SADB_X_SPDADD / SADB_X_SPDUPDATE.
pfkey::Message spd_add_message(const Policy& p, bool update);
// SADB_X_SPDDELETE by selector and direction.
pfkey::Message spd_delete_message(const Selector& sel, Direction dir);
// A message of a type that takes no extension (SPDFLUSH, SPDDUMP, X_PROMISC...).
pfkey::Message bare_message(std::uint8_t type, std::uint8_t satype = SADB_SATYPE_UNSPEC);

// The message a statement sends first (for deleteall: its DUMP).
pfkey::Message first_message(const setkey::Command& cmd);

// The reverse of the SPD translation, for dumps: throws Error when the message
// carries no policy or has a selector this runtime cannot represent.
Policy policy_of(const pfkey::Message& m);

// KAME's priority on the wire: 0x80000000 is the default, lower wins.
inline constexpr std::uint32_t kPriorityBias = 0x80000000u;

}  // namespace aipsec::setkeytool
