// setkey -D / -DP style dumps of the SAD and the SPD.
#include <cstdio>
#include <ctime>

#include "aipsec/sad.hpp"
#include "aipsec/spd.hpp"
#include "config/setkey_internal.hpp"

namespace aipsec::setkey {

namespace {
std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Key material as setkey prints it: hex in groups of four bytes.
std::string key_hex(const SecureBytes& k) {
  std::string s;
  for (std::size_t i = 0; i < k.size(); i += 4) {
    std::size_t n = std::min<std::size_t>(4, k.size() - i);
    s += " " + to_hex(ByteView(k.data() + i, n));
  }
  return s;
}

std::string_view mode_name(Mode m) {
  return m == Mode::kTunnel ? "tunnel" : m == Mode::kTransport ? "transport" : "any";
}

std::string_view state_name(SaState s) {
  switch (s) {
    case SaState::kLarval: return "larval";
    case SaState::kMature: return "mature";
    case SaState::kDying: return "dying";
    case SaState::kDead: return "dead";
  }
  return "?";
}

std::string time_string(std::uint64_t unix_seconds) {
  if (!unix_seconds) return "-";
  std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string sa_lifetimes(const Sa& sa) {
  const SaConfig& c = sa.config();
  const SaCurrent& cur = sa.current();
  std::string s;
  s += "\tcreated: " + time_string(cur.add_time) + "\tlastused: " + time_string(cur.first_use_time.load()) + "\n";
  s += "\tdiff: 0(s)\thard: " + std::to_string(c.hard.add_seconds) + "(s)\tsoft: " +
       std::to_string(c.soft.add_seconds) + "(s)\n";
  s += "\tlast: \thard: " + std::to_string(c.hard.use_seconds) + "(s)\tsoft: " +
       std::to_string(c.soft.use_seconds) + "(s)\n";
  s += "\tcurrent: " + std::to_string(cur.bytes.load()) + "(bytes)\thard: " + std::to_string(c.hard.bytes) +
       "(bytes)\tsoft: " + std::to_string(c.soft.bytes) + "(bytes)\n";
  s += "\tallocated: " + std::to_string(cur.packets.load()) + "\thard: " + std::to_string(c.hard.packets) +
       "\tsoft: " + std::to_string(c.soft.packets) + "\n";
  return s;
}
}  // namespace

std::string format_sa(const Sa& sa) {
  const SaConfig& c = sa.config();
  std::string s = c.src.to_string() + " " + c.dst.to_string() + "\n";
  s += "\t" + std::string(detail::protocol_name(c.proto)) + " mode=" + std::string(mode_name(c.mode)) +
       " spi=" + std::to_string(c.spi) + "(" + hex32(c.spi) + ") reqid=" + std::to_string(c.reqid) + "(" +
       hex32(c.reqid) + ")\n";
  if (c.enc != EncAlg::kNone) s += "\tE: " + std::string(enc_alg_name(c.enc)) + key_hex(c.enc_key) + "\n";
  if (c.auth != AuthAlg::kNone) s += "\tA: " + std::string(auth_alg_name(c.auth)) + key_hex(c.auth_key) + "\n";
  if (c.comp == CompAlg::kDeflate) s += "\tC: deflate\n";
  s += "\tseq=0x00000000 replay=" + std::to_string(c.replay_window / 8) + " flags=" +
       hex32(detail::sa_flags(c)) + " state=" + std::string(state_name(sa.state())) + "\n";
  s += sa_lifetimes(sa);
  return s;
}

std::string format_sad(const Sad& sad, std::optional<IpsecProto> proto) {
  std::string s;
  sad.for_each([&](const SaRef& sa) { s += format_sa(*sa); }, proto);
  if (s.empty()) s = "No SAD entries.\n";
  return s;
}

std::string format_policy(const Policy& p) {
  std::string s = detail::format_address_range(p.sel.src, p.sel.sport) + " " +
                  detail::format_address_range(p.sel.dst, p.sel.dport) + " " + detail::format_upperspec(p.sel) + "\n";
  PolicySpec spec{p.dir, p.action, p.priority, {}};
  s += "\t" + detail::format_policy_head(spec) + "\n";
  for (const auto& r : p.requests) s += "\t" + detail::format_request(r) + "\n";
  s += "\tspid=" + std::to_string(p.id) + "\n";
  s += "\tlifetime:" + std::to_string(p.lifetime.add_seconds) + "(s) validtime:" +
       std::to_string(p.lifetime.use_seconds) + "(s)\n";
  return s;
}

std::string format_spd(const Spd& spd) {
  std::string s;
  spd.for_each([&](const Policy& p) { s += format_policy(p); });
  if (s.empty()) s = "No SPD entries.\n";
  return s;
}

}  // namespace aipsec::setkey

namespace aipsec::setkey::detail {

std::uint32_t sa_flags(const SaConfig& c) {
  std::uint32_t known = kFlagCyclicSeq | kFlagRawCpi | kFlagRandomPad | kFlagZeroPad | kFlagEsn;
  std::uint32_t f = c.flags & ~known;
  if (c.cyclic_seq) f |= kFlagCyclicSeq;
  if (c.ipcomp_raw_cpi) f |= kFlagRawCpi;
  if (c.pad == PadMode::kRandom) f |= kFlagRandomPad;
  if (c.pad == PadMode::kZero) f |= kFlagZeroPad;
  if (c.esn) f |= kFlagEsn;
  return f;
}

void apply_sa_flags(std::uint32_t flags, SaConfig& c) {
  c.cyclic_seq = flags & kFlagCyclicSeq;
  c.ipcomp_raw_cpi = flags & kFlagRawCpi;
  c.pad = (flags & kFlagRandomPad) ? PadMode::kRandom : (flags & kFlagZeroPad) ? PadMode::kZero : PadMode::kSequential;
  c.esn = flags & kFlagEsn;
}

}  // namespace aipsec::setkey::detail
