// The setkey(8) configuration language (FreeBSD/KAME syntax): a parser that
// turns a configuration into typed commands, the ipsec_set_policy(3) policy
// string parser, applying commands to a data plane, and setkey -D / -DP style
// dumps (which parse back through parse_dump).
//
// The grammar, the algorithm table with key sizes and what is not supported are
// documented in docs/setkey.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aipsec/common.hpp"
#include "aipsec/policy.hpp"
#include "aipsec/sa.hpp"

namespace aipsec {
class DataPlane;
class Sad;
class Spd;
class Sa;
}  // namespace aipsec

namespace aipsec::setkey {

// A configuration error. what() is "FILE:LINE: near 'TOKEN': what is wrong".
class ParseError : public Error {
 public:
  ParseError(std::string file, int line, std::string token, const std::string& problem);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& token() const { return token_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  std::string token_;
  std::string problem_;
};

// ---- Commands. Every command carries the line of its first token.

// add / update: one SA.
struct SaAddCommand {
  int line = 0;
  bool update = false;
  SaConfig sa;
};

// get / delete: one SA by (src, dst, protocol, spi).
struct SaGetCommand {
  int line = 0;
  IpAddr src, dst;
  IpsecProto proto = IpsecProto::kEsp;
  std::uint32_t spi = 0;
};
struct SaDeleteCommand {
  int line = 0;
  IpAddr src, dst;
  IpsecProto proto = IpsecProto::kEsp;
  std::uint32_t spi = 0;
};
struct SaDeleteAllCommand {
  int line = 0;
  IpAddr src, dst;
  IpsecProto proto = IpsecProto::kEsp;
};
struct SaFlushCommand {
  int line = 0;
  std::optional<IpsecProto> proto;  // none = every protocol
};
struct SaDumpCommand {
  int line = 0;
  std::optional<IpsecProto> proto;
};

// spdadd / spdupdate: one policy (id unset).
struct SpdAddCommand {
  int line = 0;
  bool update = false;
  Policy policy;
};
struct SpdDeleteCommand {
  int line = 0;
  Selector sel;
  Direction dir = Direction::kOut;
};
struct SpdFlushCommand {
  int line = 0;
};
struct SpdDumpCommand {
  int line = 0;
};

using Command = std::variant<SaAddCommand, SaGetCommand, SaDeleteCommand, SaDeleteAllCommand,
                             SaFlushCommand, SaDumpCommand, SpdAddCommand, SpdDeleteCommand,
                             SpdFlushCommand, SpdDumpCommand>;

int command_line(const Command& c);

// Parses a whole configuration. file names the source in error messages.
// Throws ParseError at the first error.
std::vector<Command> parse(std::string_view text, std::string_view file = "<config>");
// Reads and parses a file; throws Error if it cannot be read.
std::vector<Command> parse_file(const std::string& path);

// ---- ipsec_set_policy(3) policy strings:
//   in|out|fwd [priority N | prio N] discard|none|entrust|bypass
//   in|out|fwd [priority N | prio N] ipsec proto/mode/src-dst/level ...
// with proto esp|ah|ipcomp, mode transport|tunnel, src-dst empty in transport
// mode, level default|use|require|unique|unique:N (omitted: default).
struct PolicySpec {
  Direction dir = Direction::kOut;
  PolicyAction action = PolicyAction::kNone;
  std::int32_t priority = 0;
  std::vector<IpsecRequest> requests;
  bool operator==(const PolicySpec&) const = default;
};
// Throws ParseError (file "<policy>", line 1) on a malformed string.
PolicySpec parse_policy_string(std::string_view policy);
// The inverse: a string that parse_policy_string reads back to the same spec.
std::string format_policy_string(const PolicySpec& spec);

// ---- Algorithms, by their setkey names.
// The name a dump prints for an algorithm (the FreeBSD spelling).
std::string_view enc_alg_name(EncAlg a);
std::string_view auth_alg_name(AuthAlg a);
// Valid key material sizes in bytes (salt/nonce included), for docs and messages.
std::vector<std::size_t> enc_key_sizes(EncAlg a);
std::vector<std::size_t> auth_key_sizes(AuthAlg a, IpsecProto proto);

// ---- Applying commands.
// Applies one command; returns what setkey would print (get and dump output,
// empty for others). Throws Error (with the command's line) when the data plane
// refuses (duplicate SA, unknown SA on delete, ...).
std::string apply(DataPlane& dp, const Command& cmd, std::string_view file = "<config>");
std::string apply_all(DataPlane& dp, const std::vector<Command>& cmds,
                      std::string_view file = "<config>");

// ---- Dumps in the style of setkey -D and setkey -DP. Key material is printed in
// hex, as setkey -D does: a dump is an explicit operator request, never a log.
std::string format_sa(const Sa& sa);
std::string format_sad(const Sad& sad, std::optional<IpsecProto> proto = std::nullopt);
std::string format_policy(const Policy& p);
std::string format_spd(const Spd& spd);

// Reads a dump produced by format_sad / format_spd back into add and spdadd
// commands (SA counters, creation times and policy ids are not restored).
std::vector<Command> parse_dump(std::string_view text, std::string_view file = "<dump>");

}  // namespace aipsec::setkey
