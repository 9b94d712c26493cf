// setkey(8) statements: add/update, get, delete, deleteall, flush, dump and the
// spd* commands, each ending with ';' and free to span lines.
#include <fstream>
#include <sstream>

#include "aipsec/replay.hpp"
#include "config/setkey_internal.hpp"

namespace aipsec::setkey {

namespace {
using detail::Cursor;
using detail::Token;

// The replay window is written in octets (FreeBSD): 8 packets per octet, up to
// the largest window the runtime allocates.
constexpr std::uint64_t kMaxReplayOctets = ReplayWindow::kMaxSize / 8;

// -4 / -6 / -n after the command name: family restriction; -n (no name
// resolution) is always the case here.
int parse_family_flags(Cursor& c) {
  int family = 0;
  while (true) {
    if (c.accept("-4")) family = 4;
    else if (c.accept("-6")) family = 6;
    else if (!c.accept("-n")) return family;
  }
}

void check_family(Cursor& c, const Token& at, int want, const IpAddr& a, const IpAddr& b) {
  if (a.family != b.family) c.fail(at, "source and destination are of different address families");
  if (want && a.family != want) c.fail(at, "address is not IPv" + std::to_string(want) + " (-" + std::to_string(want) + ")");
}

std::uint32_t parse_spi(Cursor& c, IpsecProto proto) {
  const Token& t = c.next();
  auto v = detail::parse_number(t.text, 0xffffffffu);
  if (t.quoted || !v) c.fail(t, "SPI must be a decimal or 0x-hex number below 2^32");
  if (proto == IpsecProto::kIpComp) {
    if (*v == 0 || *v > 0xffff) c.fail(t, "an IPComp CPI is 1..65535");
  } else if (*v < 256) {
    c.fail(t, "SPI values 0..255 are reserved (RFC 4303/4302)");
  }
  return std::uint32_t(*v);
}

std::uint64_t parse_u64(Cursor& c, std::uint64_t max, std::string_view what) {
  const Token& t = c.next();
  auto v = detail::parse_number(t.text, max);
  if (t.quoted || !v) c.fail(t, std::string(what) + " must be a number no larger than " + std::to_string(max));
  return *v;
}

void parse_f_option(Cursor& c, SaConfig& sa) {
  const Token& t = c.next();
  if (t.text == "zero-pad") sa.pad = PadMode::kZero;
  else if (t.text == "random-pad") sa.pad = PadMode::kRandom;
  else if (t.text == "seq-pad") sa.pad = PadMode::kSequential;
  else if (t.text == "cyclic-seq") sa.cyclic_seq = true;
  else if (t.text == "nocyclic-seq") sa.cyclic_seq = false;
  else if (t.text == "esn") sa.esn = true;
  else c.fail(t, "-f takes zero-pad, random-pad, seq-pad, cyclic-seq, nocyclic-seq or esn");
}

void parse_mode(Cursor& c, SaConfig& sa) {
  const Token& t = c.next();
  if (t.text == "transport") sa.mode = Mode::kTransport;
  else if (t.text == "tunnel") sa.mode = Mode::kTunnel;
  else if (t.text == "any") sa.mode = Mode::kAny;
  else c.fail(t, "-m takes transport, tunnel or any");
}

bool is_aead(EncAlg a) {
  return a == EncAlg::kAesGcm8 || a == EncAlg::kAesGcm12 || a == EncAlg::kAesGcm16 ||
         a == EncAlg::kChaCha20Poly1305 || a == EncAlg::kAesGmac;
}

bool next_is_key(const Cursor& c) {
  if (c.at_end()) return false;
  const Token& t = c.peek();
  return t.quoted || t.text.starts_with("0x") || t.text.starts_with("0X");
}

void parse_encryption(Cursor& c, SaConfig& sa) {
  std::string name = c.peek().text;
  sa.enc = detail::parse_enc_alg(c);
  // The null cipher takes no key; accept an empty one as setkey does.
  if (sa.enc == EncAlg::kNull && !next_is_key(c)) return;
  sa.enc_key = detail::parse_key(c, enc_key_sizes(sa.enc), name);
}

void parse_integrity(Cursor& c, SaConfig& sa) {
  std::string name = c.peek().text;
  sa.auth = detail::parse_auth_alg(c, sa.proto);
  if (sa.auth == AuthAlg::kNone) {
    if (next_is_key(c)) detail::parse_key(c, {0}, name);
    return;
  }
  sa.auth_key = detail::parse_key(c, detail::auth_key_sizes_named(name, sa.auth), name);
}

struct SeenAlgorithms {
  const Token* enc = nullptr;
  const Token* auth = nullptr;
  const Token* comp = nullptr;
};

// One option of an SA (extensions and algorithms, in any order).
void parse_sa_option(Cursor& c, SaConfig& sa, SeenAlgorithms& seen) {
  const Token& t = c.next();
  if (t.text == "-m") parse_mode(c, sa);
  else if (t.text == "-r") sa.replay_window = std::uint32_t(parse_u64(c, kMaxReplayOctets, "-r (octets)") * 8);
  else if (t.text == "-u") sa.reqid = std::uint32_t(parse_u64(c, 0xffffffffu, "-u reqid"));
  else if (t.text == "-f") parse_f_option(c, sa);
  else if (t.text == "-lh") sa.hard.add_seconds = parse_u64(c, UINT64_MAX, "-lh (seconds)");
  else if (t.text == "-ls") sa.soft.add_seconds = parse_u64(c, UINT64_MAX, "-ls (seconds)");
  else if (t.text == "-bh") sa.hard.bytes = parse_u64(c, UINT64_MAX, "-bh (bytes)");
  else if (t.text == "-bs") sa.soft.bytes = parse_u64(c, UINT64_MAX, "-bs (bytes)");
  else if (t.text == "-E") {
    if (seen.enc) c.fail(t, "-E given twice");
    if (sa.proto != IpsecProto::kEsp) c.fail(t, "-E is for esp only");
    seen.enc = &t;
    parse_encryption(c, sa);
  } else if (t.text == "-A") {
    if (seen.auth) c.fail(t, "-A given twice");
    if (sa.proto == IpsecProto::kIpComp) c.fail(t, "-A is for esp and ah only");
    seen.auth = &t;
    parse_integrity(c, sa);
  } else if (t.text == "-C") {
    if (seen.comp) c.fail(t, "-C given twice");
    if (sa.proto != IpsecProto::kIpComp) c.fail(t, "-C is for ipcomp only");
    seen.comp = &t;
    sa.comp = detail::parse_comp_alg(c);
    if (c.accept("-R")) sa.ipcomp_raw_cpi = true;
  } else {
    c.fail(t, "unknown SA option (expected -m -r -u -f -lh -ls -bh -bs -E -A -C or ';')");
  }
}

void check_sa_algorithms(Cursor& c, const Token& cmd, const SaConfig& sa, const SeenAlgorithms& seen) {
  switch (sa.proto) {
    case IpsecProto::kEsp:
      if (!seen.enc) c.fail(cmd, "esp needs -E (use -E null with -A for integrity only)");
      if (is_aead(sa.enc) && sa.auth != AuthAlg::kNone)
        c.fail(*seen.auth, "combined-mode (AEAD) cipher takes no -A");
      if (sa.enc == EncAlg::kNull && sa.auth == AuthAlg::kNone)
        c.fail(*seen.enc, "esp with null encryption needs an integrity algorithm (-A)");
      break;
    case IpsecProto::kAh:
      if (!seen.auth) c.fail(cmd, "ah needs -A");
      break;
    case IpsecProto::kIpComp:
      if (!seen.comp) c.fail(cmd, "ipcomp needs -C");
      break;
  }
  if (sa.soft.add_seconds && sa.hard.add_seconds && sa.soft.add_seconds > sa.hard.add_seconds)
    c.fail(cmd, "soft lifetime (-ls) exceeds hard lifetime (-lh)");
  if (sa.soft.bytes && sa.hard.bytes && sa.soft.bytes > sa.hard.bytes)
    c.fail(cmd, "soft byte lifetime (-bs) exceeds hard byte lifetime (-bh)");
}

SaAddCommand parse_add(Cursor& c, const Token& cmd) {
  SaAddCommand out;
  out.line = cmd.line;
  out.update = cmd.text == "update";
  int family = parse_family_flags(c);
  const Token& at = c.peek();
  SaConfig& sa = out.sa;
  sa.src = detail::parse_address(c);
  sa.dst = detail::parse_address(c);
  check_family(c, at, family, sa.src, sa.dst);
  sa.proto = detail::parse_protocol(c);
  sa.spi = parse_spi(c, sa.proto);
  SeenAlgorithms seen;
  while (!c.peek_is(";")) {
    if (c.at_end()) c.fail_here("missing ';' at the end of " + cmd.text);
    parse_sa_option(c, sa, seen);
  }
  check_sa_algorithms(c, cmd, sa, seen);
  return out;
}

template <typename T>
T parse_sa_id(Cursor& c, const Token& cmd, bool with_spi) {
  T out;
  out.line = cmd.line;
  int family = parse_family_flags(c);
  const Token& at = c.peek();
  out.src = detail::parse_address(c);
  out.dst = detail::parse_address(c);
  check_family(c, at, family, out.src, out.dst);
  out.proto = detail::parse_protocol(c);
  if constexpr (requires { out.spi; }) {
    if (with_spi) out.spi = parse_spi(c, out.proto);
  }
  return out;
}

std::optional<IpsecProto> parse_optional_protocol(Cursor& c) {
  if (c.at_end() || c.peek_is(";")) return std::nullopt;
  return detail::parse_protocol(c);
}

Selector parse_selector(Cursor& c) {
  int family = parse_family_flags(c);
  const Token& at = c.peek();
  auto src = detail::parse_address_range(c);
  auto dst = detail::parse_address_range(c);
  check_family(c, at, family, src.prefix.addr, dst.prefix.addr);
  Selector sel;
  sel.src = src.prefix;
  sel.dst = dst.prefix;
  sel.sport = src.port;
  sel.dport = dst.port;
  detail::parse_upperspec(c, sel);
  return sel;
}

SpdAddCommand parse_spdadd(Cursor& c, const Token& cmd) {
  SpdAddCommand out;
  out.line = cmd.line;
  out.update = cmd.text == "spdupdate";
  out.policy.sel = parse_selector(c);
  c.expect("-P", "-P and a policy");
  PolicySpec spec = detail::parse_policy(c);
  out.policy.dir = spec.dir;
  out.policy.action = spec.action;
  out.policy.priority = spec.priority;
  out.policy.requests = std::move(spec.requests);
  return out;
}

SpdDeleteCommand parse_spddelete(Cursor& c, const Token& cmd) {
  SpdDeleteCommand out;
  out.line = cmd.line;
  out.sel = parse_selector(c);
  c.expect("-P", "-P and a direction");
  std::size_t start = c.pos();
  const Token& d = c.next();
  if (d.text == "in") out.dir = Direction::kIn;
  else if (d.text == "out") out.dir = Direction::kOut;
  else if (d.text == "fwd") out.dir = Direction::kFwd;
  else c.fail(d, "policy direction must be in, out or fwd");
  if (!c.peek_is(";")) {  // a whole policy may follow (FreeBSD); it must be valid
    c.seek(start);
    out.dir = detail::parse_policy(c).dir;
  }
  return out;
}

Command parse_statement(Cursor& c) {
  const Token& cmd = c.next();
  if (cmd.quoted) c.fail(cmd, "expected a command");
  const std::string& n = cmd.text;
  Command out;
  if (n == "add" || n == "update") out = parse_add(c, cmd);
  else if (n == "get") out = parse_sa_id<SaGetCommand>(c, cmd, true);
  else if (n == "delete") out = parse_sa_id<SaDeleteCommand>(c, cmd, true);
  else if (n == "deleteall") out = parse_sa_id<SaDeleteAllCommand>(c, cmd, false);
  else if (n == "flush") out = SaFlushCommand{cmd.line, parse_optional_protocol(c)};
  else if (n == "dump") out = SaDumpCommand{cmd.line, parse_optional_protocol(c)};
  else if (n == "spdadd" || n == "spdupdate") out = parse_spdadd(c, cmd);
  else if (n == "spddelete") out = parse_spddelete(c, cmd);
  else if (n == "spdflush") out = SpdFlushCommand{cmd.line};
  else if (n == "spddump") out = SpdDumpCommand{cmd.line};
  else c.fail(cmd, "unknown command (add, update, get, delete, deleteall, flush, dump, spdadd, "
                   "spdupdate, spddelete, spdflush, spddump)");
  c.expect(";", "';' at the end of " + n);
  return out;
}
}  // namespace

int command_line(const Command& c) {
  return std::visit([](const auto& x) { return x.line; }, c);
}

std::vector<Command> detail::parse_tokens(const std::vector<Token>& toks, std::string_view file) {
  Cursor c(toks, file);
  std::vector<Command> out;
  while (!c.at_end()) {
    if (c.accept(";")) continue;  // empty statement
    out.push_back(parse_statement(c));
  }
  return out;
}

std::vector<Command> parse(std::string_view text, std::string_view file) {
  return detail::parse_tokens(detail::tokenize(text, file), file);
}

std::vector<Command> parse_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

}  // namespace aipsec::setkey
