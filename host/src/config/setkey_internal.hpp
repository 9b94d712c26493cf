// Pieces shared by the setkey parser's translation units: tokens, a cursor
// over them, and the sub-parsers (addresses, algorithms, policies).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aipsec/setkey.hpp"

namespace aipsec::setkey::detail {

struct Token {
  std::string text;
  int line = 0;
  bool quoted = false;  // a "double-quoted string" (text is its contents)
};

// Splits on white space; ';' is a token of its own; '#' starts a comment that
// runs to the end of the line (outside quotes). Throws ParseError on an
// unterminated string.
std::vector<Token> tokenize(std::string_view text, std::string_view file);

// A cursor over the tokens of one configuration.
class Cursor {
 public:
  Cursor(const std::vector<Token>& toks, std::string_view file)
      : toks_(toks), file_(file), end_{"<end of input>", toks.empty() ? 1 : toks.back().line, false} {}
  bool at_end() const { return pos_ >= toks_.size(); }
  const Token& peek() const;  // at the end: a synthetic "<end of input>" token
  const Token& next();
  bool peek_is(std::string_view text) const { return !at_end() && !peek().quoted && peek().text == text; }
  bool accept(std::string_view text);
  void expect(std::string_view text, std::string_view what);
  [[noreturn]] void fail(const Token& at, const std::string& problem) const;
  [[noreturn]] void fail_here(const std::string& problem) const { fail(peek(), problem); }
  const std::string& file() const { return file_; }
  std::size_t pos() const { return pos_; }
  void seek(std::size_t pos) { pos_ = pos; }

 private:
  const std::vector<Token>& toks_;
  std::string file_;
  std::size_t pos_ = 0;
  Token end_;
};

// Statements over already split tokens (parse() and the dump reader).
std::vector<Command> parse_tokens(const std::vector<Token>& toks, std::string_view file);

// Unsigned decimal or 0x-hex number no larger than max.
std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t max);

// "192.0.2.1", "2001:db8::1" (no prefix, no port).
IpAddr parse_address(Cursor& c);
// "10.0.0.0/8[any]", "fec0::/64[80]", "10.1.2.3": a prefix (default full
// length) and a port (default any = 0).
struct AddressRange {
  IpPrefix prefix;
  std::uint16_t port = 0;
};
AddressRange parse_address_range(Cursor& c);
// any | icmp [type[,code]] | icmp6 [type[,code]] | tcp | udp | NAME | NUMBER
void parse_upperspec(Cursor& c, Selector& sel);
std::string format_upperspec(const Selector& sel);
std::string format_address_range(const IpPrefix& p, std::uint16_t port);

IpsecProto parse_protocol(Cursor& c);
std::string_view protocol_name(IpsecProto p);

// Algorithms: names to enums, with the "not supported" list answered clearly.
EncAlg parse_enc_alg(Cursor& c);
AuthAlg parse_auth_alg(Cursor& c, IpsecProto proto);  // kNone for "null"
CompAlg parse_comp_alg(Cursor& c);
// Key sizes for an integrity algorithm as named (aes-128-gmac fixes the size).
std::vector<std::size_t> auth_key_sizes_named(std::string_view name, AuthAlg a);
// Reads a key (0x... hex or "string") and checks its size for the algorithm.
SecureBytes parse_key(Cursor& c, const std::vector<std::size_t>& sizes, std::string_view alg);

// The policy grammar over tokens up to (not including) the ';'.
PolicySpec parse_policy(Cursor& c);
// "esp/tunnel/a-b/require"; "out priority 5 ipsec".
std::string format_request(const IpsecRequest& r);
std::string format_policy_head(const PolicySpec& spec);

// sadb_sa_flags bits a dump shows (KAME SADB_X_EXT_*, FreeBSD SADB_X_SAFLAGS_ESN).
inline constexpr std::uint32_t kFlagCyclicSeq = 0x0040, kFlagRawCpi = 0x0080, kFlagRandomPad = 0x0100,
                               kFlagZeroPad = 0x0200, kFlagEsn = 0x0400;
std::uint32_t sa_flags(const SaConfig& c);
void apply_sa_flags(std::uint32_t flags, SaConfig& c);

std::string join_sizes(const std::vector<std::size_t>& sizes);

}  // namespace aipsec::setkey::detail
