// setkey -D / -DP / -x output from PF_KEY messages.
#include "setkey_print.hpp"

#include <netinet/in.h>

#include <cstdio>

#include "aipsec/setkey.hpp"
#include "setkey_messages.hpp"

namespace aipsec::setkeytool {
namespace {

std::string printf_string(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string satype_name(std::uint8_t satype) {
  switch (satype) {
    case SADB_SATYPE_ESP: return "esp";
    case SADB_SATYPE_AH: return "ah";
    case SADB_X_SATYPE_IPCOMP: return "ipcomp";
    default: return "satype" + std::to_string(satype);
  }
}

const char* mode_name(std::uint8_t mode) {
  return mode == IPSEC_MODE_TUNNEL ? "tunnel" : mode == IPSEC_MODE_TRANSPORT ? "transport" : "any";
}

const char* state_name(std::uint8_t s) {
  static const char* const names[] = {"larval", "mature", "dying", "dead"};
  return s < 4 ? names[s] : "unknown";
}

// libipsec's ipsec_hexdump, on one line: groups of four bytes.
std::string key_hex(const SecureBytes& k) {
  std::string s;
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (i % 4 == 0) s += ' ';
    s += printf_string("%02x", unsigned(k.data()[i]));
  }
  return s;
}

std::string enc_name(std::uint8_t satype, std::uint8_t id) {
  if (satype == SADB_X_SATYPE_IPCOMP) return id == SADB_X_CALG_DEFLATE ? "deflate" : "comp" + std::to_string(id);
  auto e = pfkey::enc_from_sadb(id);
  return e ? std::string(setkey::enc_alg_name(*e)) : "unknown(" + std::to_string(id) + ")";
}

std::string auth_name(std::uint8_t id) {
  auto a = pfkey::auth_from_sadb(id);
  return a ? std::string(setkey::auth_alg_name(*a)) : "unknown(" + std::to_string(id) + ")";
}

std::string endpoint(const std::optional<pfkey::AddressExt>& a, std::optional<std::uint16_t> natt_port) {
  if (!a) return "?";
  std::string s = a->sa.addr.to_string();
  if (natt_port) s += "[" + std::to_string(*natt_port) + "]";
  return s;
}

std::string sa_algorithms(const pfkey::Message& m) {
  std::string s;
  const pfkey::SaExt& sa = *m.sa;
  if (m.satype == SADB_X_SATYPE_IPCOMP) return "\tC: " + enc_name(m.satype, sa.encrypt) + "\n";
  if (m.satype == SADB_SATYPE_ESP && m.key_encrypt)
    s += "\tE: " + enc_name(m.satype, sa.encrypt) + " " + key_hex(m.key_encrypt->key) + "\n";
  else if (m.satype == SADB_SATYPE_ESP && sa.encrypt == SADB_EALG_NULL)
    s += "\tE: null\n";
  if (m.key_auth) s += "\tA: " + auth_name(sa.auth) + " " + key_hex(m.key_auth->key) + "\n";
  return s;
}

std::string sa_lifetimes(const pfkey::Message& m, std::time_t now) {
  if (!m.lifetime_current) return "";
  const pfkey::LifetimeExt& c = *m.lifetime_current;
  const pfkey::LifetimeExt none{};
  const pfkey::LifetimeExt& h = m.lifetime_hard ? *m.lifetime_hard : none;
  const pfkey::LifetimeExt& t = m.lifetime_soft ? *m.lifetime_soft : none;
  unsigned long diff = c.addtime == 0 || std::uint64_t(now) < c.addtime ? 0 : (unsigned long)(std::uint64_t(now) - c.addtime);
  std::string s = "\tcreated: " + str_time(c.addtime) + "\tcurrent: " + str_time(std::uint64_t(now)) + "\n";
  s += printf_string("\tdiff: %lu(s)\thard: %lu(s)\tsoft: %lu(s)\n", diff, (unsigned long)h.addtime,
                     (unsigned long)t.addtime);
  s += "\tlast: " + str_time(c.usetime) +
       printf_string("\thard: %lu(s)\tsoft: %lu(s)\n", (unsigned long)h.usetime, (unsigned long)t.usetime);
  s += printf_string("\tcurrent: %lu(bytes)\thard: %lu(bytes)\tsoft: %lu(bytes)\n", (unsigned long)c.bytes,
                     (unsigned long)h.bytes, (unsigned long)t.bytes);
  s += printf_string("\tallocated: %lu\thard: %lu\tsoft: %lu\n", (unsigned long)c.allocations,
                     (unsigned long)h.allocations, (unsigned long)t.allocations);
  return s;
}

std::string prefix_port(const IpPrefix& p, std::uint16_t port, std::uint8_t ulproto) {
  std::string s = p.addr.to_string();
  if (p.prefix_len != p.addr.size() * 8) s += "/" + std::to_string(p.prefix_len);
  if (ulproto == IPPROTO_ICMP || ulproto == IPPROTO_ICMPV6) return s;
  return s + "[" + (port ? std::to_string(port) : std::string("any")) + "]";
}

std::string upperspec(const Selector& sel) {
  std::string s;
  switch (sel.ulproto) {
    case IPSEC_ULPROTO_ANY: return "any";
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: s = "icmp"; break;
    case IPPROTO_ICMPV6: s = "icmp6"; break;
    default: return std::to_string(sel.ulproto);
  }
  if (sel.icmp_type) s += " " + std::to_string(*sel.icmp_type);
  if (sel.icmp_type && sel.icmp_code) s += "," + std::to_string(*sel.icmp_code);
  return s;
}

std::string request_text(const IpsecRequest& r) {
  static const char* const protos[] = {"esp", "ah", "ipcomp"};
  const char* proto = protos[r.proto == IpsecProto::kEsp ? 0 : r.proto == IpsecProto::kAh ? 1 : 2];
  std::string s = std::string(proto) + "/" + mode_name(std::uint8_t(r.mode)) + "/";
  if (r.src && r.dst) s += r.src->to_string() + "-" + r.dst->to_string();
  static const char* const levels[] = {"default", "use", "require", "unique"};
  s += "/" + std::string(levels[std::uint8_t(r.level) & 3]);
  if (r.level == Level::kUnique && r.reqid) s += ":" + std::to_string(r.reqid);
  return s;
}

std::string policy_head(const Policy& p) {
  static const char* const dirs[] = {"any", "in", "out", "fwd"};
  static const char* const actions[] = {"discard", "none", "ipsec", "entrust", "bypass"};
  std::string s = dirs[std::uint8_t(p.dir) & 3];
  if (p.priority) s += " priority " + std::to_string(p.priority);
  return s + " " + actions[std::uint8_t(p.action) % 5];
}

}  // namespace

std::string str_time(std::uint64_t unix_seconds) {
  if (unix_seconds == 0) return std::string(20, ' ');
  std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%b %e %H:%M:%S %Y", &tm);
  return buf;
}

std::string format_sa_message(const pfkey::Message& m, std::time_t now) {
  if (!m.sa || !m.src || !m.dst) return "(SA message without SA or address extension)\n";
  std::optional<std::uint16_t> sport, dport;
  if (m.natt_type) sport = m.natt_sport, dport = m.natt_dport;
  std::string s = endpoint(m.src, sport) + " " + endpoint(m.dst, dport) + "\n";
  std::uint8_t mode = m.sa2 ? m.sa2->mode : std::uint8_t(IPSEC_MODE_ANY);
  std::uint32_t reqid = m.sa2 ? m.sa2->reqid : 0;
  s += "\t" + satype_name(m.satype) + " mode=" + mode_name(mode) +
       printf_string(" spi=%u(0x%08x) reqid=%u(0x%08x)\n", m.sa->spi, m.sa->spi, reqid, reqid);
  s += sa_algorithms(m);
  s += printf_string("\tseq=0x%08x replay=%u flags=0x%08x state=%s\n", m.sa2 ? m.sa2->sequence : 0u,
                     unsigned(m.sa->replay), m.sa->flags, state_name(m.sa->state));
  if (m.sa_replay) s += printf_string("\treplay_window=%u(packets)\n", *m.sa_replay);
  s += sa_lifetimes(m, now);
  s += printf_string("\tsadb_seq=%u pid=%u refcnt=0\n", m.seq, m.pid);
  return s;
}

std::string format_policy_message(const pfkey::Message& m) {
  Policy p;
  try {
    p = policy_of(m);
  } catch (const Error& e) {
    return std::string("(") + e.what() + ")\n";
  }
  std::string s = prefix_port(p.sel.src, p.sel.sport, p.sel.ulproto) + " " +
                  prefix_port(p.sel.dst, p.sel.dport, p.sel.ulproto) + " " + upperspec(p.sel) + "\n";
  s += "\t" + policy_head(p) + "\n";
  for (const auto& r : p.requests) s += "\t" + request_text(r) + "\n";
  if (m.lifetime_current)
    s += "\tcreated: " + str_time(m.lifetime_current->addtime) + "  lastused: " + str_time(m.lifetime_current->usetime) + "\n";
  if (m.lifetime_hard)
    s += printf_string("\tlifetime: %lu(s) validtime: %lu(s)\n", (unsigned long)m.lifetime_hard->addtime,
                       (unsigned long)m.lifetime_hard->usetime);
  s += printf_string("\tspid=%u seq=%u pid=%u scope=global\n\trefcnt=0\n", p.id, m.seq, m.pid);
  return s;
}

}  // namespace aipsec::setkeytool
