// Fuzz target: inbound processing (DataPlane::input) of a gateway with ESP
// (GCM tunnel, CBC+HMAC transport, ESN), AH, an IPComp+ESP bundle and NAT-T SAs.
//
// The first input byte picks the mode:
//   even: the rest is a packet as received from the wire;
//   odd:  the rest seeds a plaintext packet that the peer gateway protects
//         (DataPlane::output) with the SA chosen by its port, then a few bytes
//         of the protected packet are flipped as the input's tail says, and the
//         result is opened. An unmodified packet must come out byte-identical to
//         the plaintext (the round trip is the oracle); a modified one may be
//         dropped but must never crash or come out different and accepted.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "aipsec/dataplane.hpp"

namespace aipsec {
namespace {

// Says which invariant broke (and the data plane's reason) before trapping.
void require(bool ok, const char* what = "", Reason r = Reason::kNone) {
  if (ok) return;
  std::fprintf(stderr, "policy_input_fuzz: %s (reason %s)\n", what, std::string(reason_name(r)).c_str());
  __builtin_trap();
}

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

IpPrefix prefix(const char* s, std::uint8_t len) { return {ip(s), len}; }

SaConfig sa(IpsecProto proto, std::uint32_t spi, Mode mode, const char* src, const char* dst) {
  SaConfig c;
  c.proto = proto;
  c.spi = spi;
  c.mode = mode;
  c.src = ip(src);
  c.dst = ip(dst);
  c.replay_window = 64;
  return c;
}

SecureBytes key(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = std::uint8_t(seed + i);
  return SecureBytes(k);
}

// Policies by destination port of the inner UDP flow, 10.1/16 -> 10.2/16.
Policy policy(Direction dir, std::uint16_t dport, std::vector<IpsecRequest> reqs) {
  Policy p;
  p.sel.src = dir == Direction::kOut ? prefix("10.1.0.0", 16) : prefix("10.1.0.0", 16);
  p.sel.dst = prefix("10.2.0.0", 16);
  p.sel.ulproto = 17;
  p.sel.dport = dport;
  p.dir = dir;
  p.action = PolicyAction::kIpsec;
  p.requests = std::move(reqs);
  return p;
}

IpsecRequest req(IpsecProto proto, Mode mode) {
  IpsecRequest r;
  r.proto = proto;
  r.mode = mode;
  r.level = Level::kRequire;
  if (mode == Mode::kTunnel) {
    r.src = ip("192.0.2.1");
    r.dst = ip("192.0.2.2");
  }
  return r;
}

void configure(DataPlane& dp, Direction dir) {
  dp.sysctl().ipcomp_enable = 1;
  const char *a = "192.0.2.1", *b = "192.0.2.2";
  auto gcm = sa(IpsecProto::kEsp, 0x101, Mode::kTunnel, a, b);
  gcm.enc = EncAlg::kAesGcm16;
  gcm.enc_key = key(20, 1);
  gcm.reqid = 1;
  dp.sad().add(gcm);
  auto esn = sa(IpsecProto::kEsp, 0x102, Mode::kTunnel, a, b);
  esn.enc = EncAlg::kChaCha20Poly1305;
  esn.enc_key = key(36, 2);
  esn.esn = true;
  esn.reqid = 2;
  dp.sad().add(esn);
  auto cbc = sa(IpsecProto::kEsp, 0x103, Mode::kTunnel, a, b);
  cbc.enc = EncAlg::kAesCbc;
  cbc.enc_key = key(16, 3);
  cbc.auth = AuthAlg::kHmacSha256_128;
  cbc.auth_key = key(32, 4);
  cbc.reqid = 3;
  dp.sad().add(cbc);
  auto ah = sa(IpsecProto::kAh, 0x104, Mode::kTunnel, a, b);
  ah.auth = AuthAlg::kHmacSha1_96;
  ah.auth_key = key(20, 5);
  dp.sad().add(ah);
  auto comp = sa(IpsecProto::kIpComp, 0x105, Mode::kTunnel, a, b);
  comp.comp = CompAlg::kDeflate;
  comp.replay_window = 0;
  dp.sad().add(comp);
  auto natt = sa(IpsecProto::kEsp, 0x106, Mode::kTunnel, a, b);
  natt.enc = EncAlg::kAesGcm16;
  natt.enc_key = key(20, 6);
  natt.natt_sport = 4500;
  natt.natt_dport = 4500;
  natt.reqid = 6;
  dp.sad().add(natt);

  auto esp_with = [](std::uint32_t reqid) {
    IpsecRequest r = req(IpsecProto::kEsp, Mode::kTunnel);
    r.reqid = reqid;
    r.level = reqid ? Level::kUnique : Level::kRequire;
    return r;
  };
  // Every ESP request names its SA's reqid (unique:N), so the choice among the
  // several ESP SAs between the same gateways is deterministic.
  dp.spd().add(policy(dir, 1001, {esp_with(1)}));
  dp.spd().add(policy(dir, 1002, {esp_with(2)}));
  dp.spd().add(policy(dir, 1003, {esp_with(3)}));
  dp.spd().add(policy(dir, 1004, {esp_with(1), req(IpsecProto::kAh, Mode::kTunnel)}));
  dp.spd().add(policy(dir, 1005, {req(IpsecProto::kIpComp, Mode::kTunnel), esp_with(1)}));
  dp.spd().add(policy(dir, 1006, {esp_with(6)}));
}

// The two gateways, built once (SA setup is not what is being fuzzed). The
// receiving gateway's replay windows are reset per input by reinstalling it.
struct Gateways {
  DataPlane sender;
  std::unique_ptr<DataPlane> receiver;
  Gateways() {
    configure(sender, Direction::kOut);
    reset_receiver();
  }
  void reset_receiver() {
    receiver = std::make_unique<DataPlane>();
    configure(*receiver, Direction::kIn);
  }
};

// IPv4/UDP 10.1.0.1 -> 10.2.0.1, destination port from the seed, payload from it.
std::vector<std::uint8_t> plaintext(const std::uint8_t* d, std::size_t n) {
  static constexpr std::uint16_t kPorts[] = {1001, 1002, 1003, 1004, 1005, 1006};
  const std::uint16_t dport = n ? kPorts[d[0] % 6] : 1001;
  const std::size_t payload = n > 1 ? std::min<std::size_t>(n - 1, 4000) : 0;
  std::vector<std::uint8_t> v(28 + payload);
  v[0] = 0x45;
  store_be16(&v[2], std::uint16_t(v.size()));
  v[8] = 64;
  v[9] = 17;
  const std::uint8_t src[4] = {10, 1, 0, 1}, dst[4] = {10, 2, 0, 1};
  std::memcpy(&v[12], src, 4);
  std::memcpy(&v[16], dst, 4);
  ipv4_update_checksum(v.data());
  store_be16(&v[20], 40000);
  store_be16(&v[22], dport);
  store_be16(&v[24], std::uint16_t(8 + payload));
  if (payload) std::memcpy(&v[28], d + 1, payload);
  return v;
}

// A UDP packet 10.1/16 -> 10.2/16 to one of the ports the policies protect.
bool is_protected_flow(const Packet& p) {
  const ParseResult r = parse_ip(p.bytes());
  if (!r.info || r.info->ulproto != ipproto::kUdp || !r.info->dport) return false;
  const bool ports = *r.info->dport >= 1001 && *r.info->dport <= 1006;
  return ports && prefix("10.1.0.0", 16).contains(r.info->src) &&
         prefix("10.2.0.0", 16).contains(r.info->dst);
}

void round_trip(Gateways& g, const std::uint8_t* d, std::size_t n) {
  // Layout of d: [seed length L][L seed bytes][pairs (offset, xor) ...]
  const std::size_t seed_len = n ? std::min<std::size_t>(d[0], n - 1) : 0;
  const auto plain = plaintext(d + 1, seed_len);
  Packet p(plain);
  const Result out = g.sender.output(p);
  require(out.verdict == Verdict::kForward, "sender did not protect the packet", out.reason);
  bool modified = false;
  for (std::size_t i = 1 + seed_len; i + 1 < n; i += 2) {
    if (p.size() == 0 || d[i + 1] == 0) continue;
    p.data()[d[i] % p.size()] ^= d[i + 1];
    modified = true;
  }
  g.reset_receiver();
  const Result in = g.receiver->input(p);
  if (!modified) {
    require(in.verdict == Verdict::kForward, "receiver dropped an untouched packet", in.reason);
    require(p.size() == plain.size() && std::memcmp(p.data(), plain.data(), plain.size()) == 0,
            "opened packet differs from the plaintext");
  } else if (in.verdict == Verdict::kForward) {
    if (g.receiver->last_history().empty()) {
      // Nothing was opened: the tampering made it a packet that is not IPsec (e.g. a
      // flipped protocol byte), which def_policy lets through. It must not pass as
      // traffic the inbound policies require to be protected.
      require(!is_protected_flow(p), "tampered packet accepted as protected traffic without IPsec");
    } else {
      // Opened after tampering: only possible if the flips cancelled out or hit
      // bytes no ICV covers (outer header fields); the inner packet must be the original.
      require(p.size() == plain.size() && std::memcmp(p.data(), plain.data(), plain.size()) == 0,
              "tampered packet opened with different contents");
    }
  }
}

}  // namespace
}  // namespace aipsec

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static aipsec::Gateways* g = new aipsec::Gateways();
  if (size == 0) return 0;
  if (data[0] & 1) {
    aipsec::round_trip(*g, data + 1, size - 1);
  } else {
    aipsec::Packet p(aipsec::ByteView(data + 1, size - 1));
    (void)g->receiver->input(p);
  }
  return 0;
}
