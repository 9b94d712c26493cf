// Addresses, address ranges with ports, upper-layer specs and IPsec protocols
// as setkey(8) writes them.
#include <array>

#include "aipsec/packet.hpp"
#include "config/setkey_internal.hpp"

namespace aipsec::setkey::detail {

IpAddr parse_address(Cursor& c) {
  const Token& t = c.next();
  if (t.quoted) c.fail(t, "expected a numeric IPv4 or IPv6 address");
  auto a = IpAddr::parse(t.text);
  if (!a) {
    if (t.text.find_first_of("/[") != std::string::npos)
      c.fail(t, "an SA address takes no prefix or port");
    c.fail(t, "expected a numeric IPv4 or IPv6 address (host names are not resolved)");
  }
  return *a;
}

AddressRange parse_address_range(Cursor& c) {
  const Token& t = c.next();
  std::string_view s = t.text;
  AddressRange r;
  if (t.quoted) c.fail(t, "expected an address range");
  if (auto lb = s.find('['); lb != std::string_view::npos) {
    if (s.back() != ']') c.fail(t, "port must be written [N] or [any]");
    std::string_view port = s.substr(lb + 1, s.size() - lb - 2);
    if (port != "any") {
      auto v = parse_number(port, 65535);
      if (!v) c.fail(t, "port must be a number 0..65535 or 'any'");
      r.port = std::uint16_t(*v);
    }
    s = s.substr(0, lb);
  }
  std::optional<std::uint64_t> plen;
  if (auto sl = s.find('/'); sl != std::string_view::npos) {
    std::string_view len = s.substr(sl + 1);
    if (len.size() > 2 && (len[1] == 'x' || len[1] == 'X')) c.fail(t, "prefix length must be decimal");
    plen = parse_number(len, 128);
    if (!plen) c.fail(t, "prefix length must be a number");
    s = s.substr(0, sl);
  }
  auto a = IpAddr::parse(s);
  if (!a) c.fail(t, "expected a numeric IPv4 or IPv6 address");
  std::size_t bits = a->size() * 8;
  if (plen && *plen > bits) c.fail(t, "prefix length exceeds " + std::to_string(bits));
  r.prefix.addr = *a;
  r.prefix.prefix_len = std::uint8_t(plen ? *plen : bits);
  return r;
}

namespace {
struct UlName {
  std::string_view name;
  std::uint8_t proto;
};
constexpr std::array<UlName, 11> kUpper{{{"icmp", ipproto::kIcmp},
                                         {"icmp6", ipproto::kIcmpv6},
                                         {"ipv6-icmp", ipproto::kIcmpv6},
                                         {"tcp", ipproto::kTcp},
                                         {"udp", ipproto::kUdp},
                                         {"ip4", ipproto::kIpIp},
                                         {"ipip", ipproto::kIpIp},
                                         {"gre", 47},
                                         {"sctp", 132},
                                         {"esp", ipproto::kEsp},
                                         {"ah", ipproto::kAh}}};

bool is_icmp(std::uint8_t p) { return p == ipproto::kIcmp || p == ipproto::kIcmpv6; }

void parse_icmp_type_code(Cursor& c, Selector& sel) {
  // The type/code follows as one token "T" or "T,C"; anything else is the policy.
  if (c.at_end() || c.peek().quoted || c.peek().text.empty()) return;
  char first = c.peek().text[0];
  if (first < '0' || first > '9') return;
  const Token& t = c.next();
  std::string_view s = t.text;
  std::string_view code;
  if (auto comma = s.find(','); comma != std::string_view::npos) {
    code = s.substr(comma + 1);
    s = s.substr(0, comma);
    auto cv = parse_number(code, 255);
    if (!cv) c.fail(t, "ICMP code must be a number 0..255");
    sel.icmp_code = std::uint8_t(*cv);
  }
  auto tv = parse_number(s, 255);
  if (!tv) c.fail(t, "ICMP type must be a number 0..255");
  sel.icmp_type = std::uint8_t(*tv);
}
}  // namespace

void parse_upperspec(Cursor& c, Selector& sel) {
  const Token& t = c.next();
  if (t.quoted) c.fail(t, "expected an upper-layer protocol");
  if (t.text == "any") {
    sel.ulproto = ipproto::kAny;
    return;
  }
  std::optional<std::uint8_t> proto;
  for (const auto& u : kUpper)
    if (u.name == t.text) proto = u.proto;
  if (!proto) {
    auto v = parse_number(t.text, 255);
    if (!v) c.fail(t, "unknown upper-layer protocol (any, icmp, icmp6, tcp, udp, ... or a number)");
    proto = std::uint8_t(*v);
  }
  sel.ulproto = *proto;
  if (is_icmp(*proto)) parse_icmp_type_code(c, sel);
}

std::string format_upperspec(const Selector& sel) {
  if (sel.ulproto == ipproto::kAny) return "any";
  std::string s;
  switch (sel.ulproto) {
    case ipproto::kIcmp: s = "icmp"; break;
    case ipproto::kIcmpv6: s = "icmp6"; break;
    case ipproto::kTcp: s = "tcp"; break;
    case ipproto::kUdp: s = "udp"; break;
    default: s = std::to_string(sel.ulproto); break;
  }
  if (sel.icmp_type) {
    s += ' ';
    s += std::to_string(*sel.icmp_type);
    if (sel.icmp_code) {
      s += ',';
      s += std::to_string(*sel.icmp_code);
    }
  }
  return s;
}

std::string format_address_range(const IpPrefix& p, std::uint16_t port) {
  return p.to_string() + "[" + (port ? std::to_string(port) : std::string("any")) + "]";
}

IpsecProto parse_protocol(Cursor& c) {
  const Token& t = c.next();
  if (t.text == "esp") return IpsecProto::kEsp;
  if (t.text == "ah") return IpsecProto::kAh;
  if (t.text == "ipcomp") return IpsecProto::kIpComp;
  if (t.text == "esp-old" || t.text == "ah-old")
    c.fail(t, "RFC 1827/1826 transforms are not supported (use esp or ah)");
  if (t.text == "tcp") c.fail(t, "TCP-MD5 associations are not supported");
  c.fail(t, "expected a protocol: esp, ah or ipcomp");
}

std::string_view protocol_name(IpsecProto p) {
  switch (p) {
    case IpsecProto::kEsp: return "esp";
    case IpsecProto::kAh: return "ah";
    case IpsecProto::kIpComp: return "ipcomp";
  }
  return "?";
}

}  // namespace aipsec::setkey::detail
