// The software data plane with real SAs: two gateways with mirrored SADs and
// SPDs, the output of one fed to the input of the other; one case decrypted
// with OpenSSL directly as an independent oracle.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "aipsec/dataplane.hpp"
#include "aipsec/sa_runtime.hpp"

using namespace aipsec;

namespace {

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

// ---- packets, built here from the RFCs (not with the packet layer under test)

std::uint16_t rfc1071(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i] << 8 | p[i + 1]);
  if (n % 2) sum += std::uint32_t(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return std::uint16_t(~sum);
}

Bytes ipv4_udp(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport,
               std::size_t payload_len, std::uint8_t fill = 'x') {
  Bytes b(28 + payload_len, fill);
  b[0] = 0x45;
  b[1] = 0;
  store_be16(&b[2], std::uint16_t(b.size()));
  store_be16(&b[4], 0x1234);
  store_be16(&b[6], 0);
  b[8] = 64;
  b[9] = 17;
  store_be16(&b[10], 0);
  std::memcpy(&b[12], ip(src).b.data(), 4);
  std::memcpy(&b[16], ip(dst).b.data(), 4);
  store_be16(&b[10], rfc1071(b.data(), 20));
  store_be16(&b[20], sport);
  store_be16(&b[22], dport);
  store_be16(&b[24], std::uint16_t(8 + payload_len));
  store_be16(&b[26], 0);  // no UDP checksum (allowed over IPv4)
  return b;
}

Bytes ipv6_udp(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport, std::size_t n) {
  Bytes b(48 + n, 'y');
  b[0] = 0x60;
  b[1] = b[2] = b[3] = 0;
  store_be16(&b[4], std::uint16_t(8 + n));
  b[6] = 17;
  b[7] = 64;
  std::memcpy(&b[8], ip(src).b.data(), 16);
  std::memcpy(&b[24], ip(dst).b.data(), 16);
  store_be16(&b[40], sport);
  store_be16(&b[42], dport);
  store_be16(&b[44], std::uint16_t(8 + n));
  store_be16(&b[46], 0);
  std::uint32_t pseudo = 17 + 8 + std::uint32_t(n);
  for (int i = 8; i < 40; i += 2) pseudo += std::uint32_t(b[i] << 8 | b[i + 1]);
  std::uint16_t c = rfc1071(&b[40], 8 + n, pseudo);
  store_be16(&b[46], c ? c : 0xffff);
  return b;
}

Bytes contents(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }

// ---- SAs and policies

constexpr const char* kGwA = "192.0.2.1";
constexpr const char* kGwB = "192.0.2.2";
constexpr const char* kHostA = "10.1.0.5";
constexpr const char* kHostB = "10.2.0.7";

SaConfig esp_sa(const char* src, const char* dst, std::uint32_t spi, std::uint32_t reqid = 0) {
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = spi;
  c.src = ip(src);
  c.dst = ip(dst);
  c.reqid = reqid;
  c.enc = EncAlg::kAesGcm16;
  Bytes key(20);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = std::uint8_t(spi + i);
  c.enc_key = SecureBytes(key);
  c.replay_window = 32;
  return c;
}

SaConfig ah_sa(const char* src, const char* dst, std::uint32_t spi) {
  SaConfig c;
  c.proto = IpsecProto::kAh;
  c.spi = spi;
  c.src = ip(src);
  c.dst = ip(dst);
  c.auth = AuthAlg::kHmacSha256_128;
  c.auth_key = SecureBytes(Bytes(32, std::uint8_t(spi)));
  c.replay_window = 32;
  return c;
}

SaConfig ipcomp_sa(const char* src, const char* dst, std::uint32_t cpi) {
  SaConfig c;
  c.proto = IpsecProto::kIpComp;
  c.spi = cpi;
  c.src = ip(src);
  c.dst = ip(dst);
  c.comp = CompAlg::kDeflate;
  return c;
}

IpsecRequest req(IpsecProto proto, Mode mode, Level level, const char* src = nullptr,
                 const char* dst = nullptr, std::uint32_t reqid = 0) {
  IpsecRequest r;
  r.proto = proto;
  r.mode = mode;
  r.level = level;
  if (src) r.src = ip(src);
  if (dst) r.dst = ip(dst);
  r.reqid = reqid;
  return r;
}

Policy policy(Direction dir, const char* src, int slen, const char* dst, int dlen, PolicyAction action,
              std::vector<IpsecRequest> requests = {}) {
  Policy p;
  p.sel.src = IpPrefix{ip(src), std::uint8_t(slen)};
  p.sel.dst = IpPrefix{ip(dst), std::uint8_t(dlen)};
  p.dir = dir;
  p.action = action;
  p.requests = std::move(requests);
  return p;
}

// The same SA in the sender's and the receiver's SAD.
void install(DataPlane& sender, DataPlane& receiver, const SaConfig& c) {
  sender.sad().add(c);
  receiver.sad().add(c);
}

// The same requests as outbound policy at the sender and inbound at the receiver.
void install_policy(DataPlane& sender, DataPlane& receiver, const char* src, int slen, const char* dst,
                    int dlen, const std::vector<IpsecRequest>& requests) {
  sender.spd().add(policy(Direction::kOut, src, slen, dst, dlen, PolicyAction::kIpsec, requests));
  receiver.spd().add(policy(Direction::kIn, src, slen, dst, dlen, PolicyAction::kIpsec, requests));
}

std::uint8_t ip_proto(const Packet& p) { return p.data()[9]; }  // IPv4 without options

// ---- outbound policy decisions

TEST(PolicyDataPlane, NoPolicyFollowsDefPolicyPerFamily) {
  DataPlane dp;
  Bytes v4 = ipv4_udp(kHostA, kHostB, 1, 2, 10);
  Packet p(v4);
  EXPECT_EQ(dp.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(contents(p), v4);
  ASSERT_TRUE(dp.sysctl().set("net.inet.ipsec.def_policy", 0));
  Packet q(v4);
  Result r = dp.output(q);
  EXPECT_EQ(r.verdict, Verdict::kDrop);
  EXPECT_EQ(r.reason, Reason::kDefaultPolicyDiscard);
  EXPECT_EQ(dp.drops().get(Reason::kDefaultPolicyDiscard), 1u);
  Packet v6(ipv6_udp("2001:db8::1", "2001:db8::2", 1, 2, 10));
  EXPECT_EQ(dp.output(v6).verdict, Verdict::kForward) << "net.inet6.ipsec6.def_policy is still 1";
  ASSERT_TRUE(dp.sysctl().set("net.inet6.ipsec6.def_policy", 0));
  EXPECT_EQ(dp.output(v6).reason, Reason::kDefaultPolicyDiscard);
  // Inbound too: a plain packet without a policy.
  Packet in(v4);
  EXPECT_EQ(dp.input(in).reason, Reason::kDefaultPolicyDiscard);
  EXPECT_EQ(dp.drops().get(Reason::kDefaultPolicyDiscard), 3u);
  EXPECT_EQ(dp.stats().out_packets, 4u);
  EXPECT_EQ(dp.stats().out_bypass, 2u);
}

TEST(PolicyDataPlane, DiscardAndNonePolicies) {
  DataPlane dp;
  dp.sysctl().set("net.inet.ipsec.def_policy", 0);
  dp.spd().add(policy(Direction::kOut, kHostA, 32, kHostB, 32, PolicyAction::kDiscard));
  dp.spd().add(policy(Direction::kOut, kHostA, 32, "10.3.0.0", 16, PolicyAction::kNone));
  dp.spd().add(policy(Direction::kIn, kHostB, 32, kHostA, 32, PolicyAction::kDiscard));
  dp.spd().add(policy(Direction::kIn, "10.3.0.0", 16, kHostA, 32, PolicyAction::kBypass));
  Packet p(ipv4_udp(kHostA, kHostB, 1, 2, 10));
  EXPECT_EQ(dp.output(p).reason, Reason::kPolicyDiscard);
  Bytes none = ipv4_udp(kHostA, "10.3.9.9", 1, 2, 10);
  Packet q(none);
  EXPECT_EQ(dp.output(q).verdict, Verdict::kForward);
  EXPECT_EQ(contents(q), none);
  Packet r(ipv4_udp(kHostB, kHostA, 1, 2, 10));
  EXPECT_EQ(dp.input(r).reason, Reason::kPolicyDiscard);
  Packet s(ipv4_udp("10.3.1.1", kHostA, 1, 2, 10));
  EXPECT_EQ(dp.input(s).verdict, Verdict::kForward);
  EXPECT_EQ(dp.drops().get(Reason::kPolicyDiscard), 2u);
}

TEST(PolicyDataPlane, UseSkipsRequireDropsAndAcquiresOnce) {
  DataPlane dp;
  std::vector<AcquireRequest> acquires;
  dp.set_acquire_handler([&](const AcquireRequest& a) { acquires.push_back(a); });
  dp.spd().add(policy(Direction::kOut, kGwA, 32, kGwB, 32, PolicyAction::kIpsec,
                      {req(IpsecProto::kEsp, Mode::kTransport, Level::kUse)}));
  Bytes plain = ipv4_udp(kGwA, kGwB, 1, 2, 10);
  Packet p(plain);
  EXPECT_EQ(dp.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(contents(p), plain) << "use without an SA sends the packet as it is";
  EXPECT_TRUE(acquires.empty());

  auto id = dp.spd().update(policy(Direction::kOut, kGwA, 32, kGwB, 32, PolicyAction::kIpsec,
                                   {req(IpsecProto::kEsp, Mode::kTransport, Level::kUse),
                                    req(IpsecProto::kAh, Mode::kTunnel, Level::kRequire, "192.0.2.10", "192.0.2.20")}));
  Packet q(plain);
  Result r = dp.output(q);
  EXPECT_EQ(r.reason, Reason::kNoSa);
  EXPECT_EQ(dp.drops().get(Reason::kNoSa), 1u);
  ASSERT_EQ(acquires.size(), 1u);
  EXPECT_EQ(acquires[0].policy_id, id);
  EXPECT_EQ(acquires[0].request.proto, IpsecProto::kAh);
  EXPECT_EQ(acquires[0].request.mode, Mode::kTunnel);
  EXPECT_EQ(acquires[0].src, ip("192.0.2.10"));
  EXPECT_EQ(acquires[0].dst, ip("192.0.2.20"));
  EXPECT_EQ(acquires[0].flow.src, ip(kGwA));
  EXPECT_EQ(acquires[0].flow.ulproto, 17);
}

// KAME: an ipsec policy without requests (sp->req == NULL) drops the packet
// and asks the key daemon to complete the policy (key_spdacquire).
TEST(PolicyDataPlane, IncompletePolicyDropsAndAsksForThePolicy) {
  DataPlane dp;
  std::vector<AcquireRequest> acquires;
  dp.set_acquire_handler([&](const AcquireRequest& a) { acquires.push_back(a); });
  const auto id = dp.spd().add(policy(Direction::kOut, kGwA, 32, kGwB, 32, PolicyAction::kIpsec, {}));
  Packet p(ipv4_udp(kGwA, kGwB, 1, 2, 10));
  const Result r = dp.output(p);
  EXPECT_EQ(r.verdict, Verdict::kDrop);
  EXPECT_EQ(r.reason, Reason::kPolicyIncomplete);
  EXPECT_EQ(dp.drops().get(Reason::kPolicyIncomplete), 1u);
  ASSERT_EQ(acquires.size(), 1u);
  EXPECT_TRUE(acquires[0].policy_incomplete);
  EXPECT_EQ(acquires[0].policy_id, id);
  EXPECT_EQ(acquires[0].flow.dst, ip(kGwB));
}

TEST(PolicyDataPlane, DefaultLevelsFollowTheDeflevSysctls) {
  struct Case {
    IpsecProto proto;
    Mode mode;
    const char* sysctl;
  };
  const Case cases[] = {
      {IpsecProto::kEsp, Mode::kTransport, "net.inet.ipsec.esp_trans_deflev"},
      {IpsecProto::kEsp, Mode::kTunnel, "net.inet.ipsec.esp_net_deflev"},
      {IpsecProto::kAh, Mode::kTransport, "net.inet.ipsec.ah_trans_deflev"},
      {IpsecProto::kAh, Mode::kTunnel, "net.inet.ipsec.ah_net_deflev"},
  };
  for (const auto& c : cases) {
    DataPlane dp;
    int acquired = 0;
    dp.set_acquire_handler([&](const AcquireRequest&) { ++acquired; });
    const char* s = c.mode == Mode::kTunnel ? kGwA : nullptr;
    const char* d = c.mode == Mode::kTunnel ? kGwB : nullptr;
    dp.spd().add(policy(Direction::kOut, kHostA, 32, kHostB, 32, PolicyAction::kIpsec,
                        {req(c.proto, c.mode, Level::kDefault, s, d)}));
    Packet p(ipv4_udp(kHostA, kHostB, 1, 2, 10));
    EXPECT_EQ(dp.output(p).verdict, Verdict::kForward) << c.sysctl << "=1 (use)";
    // The IPv6 variable does not affect an IPv4 packet.
    std::string v6 = std::string("net.inet6.ipsec6.") + (std::strrchr(c.sysctl, '.') + 1);
    ASSERT_TRUE(dp.sysctl().set(v6, 2));
    Packet q(ipv4_udp(kHostA, kHostB, 1, 2, 10));
    EXPECT_EQ(dp.output(q).verdict, Verdict::kForward) << v6;
    ASSERT_TRUE(dp.sysctl().set(c.sysctl, 2));
    Packet r(ipv4_udp(kHostA, kHostB, 1, 2, 10));
    EXPECT_EQ(dp.output(r).reason, Reason::kNoSa) << c.sysctl << "=2 (require)";
    EXPECT_EQ(acquired, 1) << c.sysctl;
  }
}

TEST(PolicyDataPlane, DisabledProtocols) {
  DataPlane a, b;
  install(a, b, esp_sa(kGwA, kGwB, 0x301));
  install_policy(a, b, kGwA, 32, kGwB, 32,
                 {req(IpsecProto::kIpComp, Mode::kTransport, Level::kRequire),
                  req(IpsecProto::kEsp, Mode::kTransport, Level::kRequire)});
  // ipcomp_enable is 0 by default: the IPComp request is skipped (compression is optional).
  Packet p(ipv4_udp(kGwA, kGwB, 1, 2, 500));
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(ip_proto(p), ipproto::kEsp);
  Packet copy(contents(p));
  b.sysctl().set("net.inet.esp.esp_enable", 0);
  EXPECT_EQ(b.input(copy).reason, Reason::kProtoDisabled);
  b.sysctl().set("net.inet.esp.esp_enable", 1);
  EXPECT_EQ(b.input(p).verdict, Verdict::kForward);
  a.sysctl().set("net.inet.esp.esp_enable", 0);
  Packet q(ipv4_udp(kGwA, kGwB, 1, 2, 500));
  EXPECT_EQ(a.output(q).reason, Reason::kProtoDisabled);
  EXPECT_EQ(a.drops().get(Reason::kProtoDisabled), 1u);
  EXPECT_EQ(b.drops().get(Reason::kProtoDisabled), 1u);
}

// ---- protected traffic through two gateways

TEST(PolicyDataPlane, EspTunnelDecryptsWithOpenSsl) {
  DataPlane a;
  SaConfig sa = esp_sa(kGwA, kGwB, 0x1001);
  a.sad().add(sa);
  a.spd().add(policy(Direction::kOut, "10.1.0.0", 16, "10.2.0.0", 16, PolicyAction::kIpsec,
                     {req(IpsecProto::kEsp, Mode::kTunnel, Level::kRequire, kGwA, kGwB)}));
  Bytes inner = ipv4_udp(kHostA, kHostB, 1234, 5678, 37);
  Packet p(inner);
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  Bytes w = contents(p);
  ASSERT_GE(w.size(), 20u + 8 + 8 + 16);
  EXPECT_EQ(w[9], ipproto::kEsp);
  EXPECT_EQ(0, std::memcmp(&w[12], ip(kGwA).b.data(), 4));
  EXPECT_EQ(0, std::memcmp(&w[16], ip(kGwB).b.data(), 4));
  const std::uint8_t* esp = &w[20];
  EXPECT_EQ(load_be32(esp), 0x1001u);
  EXPECT_EQ(load_be32(esp + 4), 1u);
  // RFC 4106: nonce = salt || IV, AAD = SPI || sequence number.
  std::uint8_t nonce[12];
  std::memcpy(nonce, sa.enc_key.data() + 16, 4);
  std::memcpy(nonce + 4, esp + 8, 8);
  const std::size_t ct_len = w.size() - 20 - 16 - 16;
  const std::uint8_t* ct = esp + 16;
  Bytes tag(ct + ct_len, ct + ct_len + 16);
  Bytes pt(ct_len);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  ASSERT_EQ(EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, nullptr, nullptr), 1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr), 1);
  ASSERT_EQ(EVP_DecryptInit_ex(ctx, nullptr, nullptr, sa.enc_key.data(), nonce), 1);
  ASSERT_EQ(EVP_DecryptUpdate(ctx, nullptr, &len, esp, 8), 1);
  ASSERT_EQ(EVP_DecryptUpdate(ctx, pt.data(), &len, ct, int(ct_len)), 1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data()), 1);
  EXPECT_EQ(EVP_DecryptFinal_ex(ctx, pt.data() + len, &len), 1) << "ICV must verify";
  EVP_CIPHER_CTX_free(ctx);
  ASSERT_GE(pt.size(), inner.size() + 2);
  EXPECT_EQ(pt.back(), 4) << "next header: IPv4 (tunnel mode)";
  EXPECT_EQ(Bytes(pt.begin(), pt.begin() + std::ptrdiff_t(inner.size())), inner);
  EXPECT_EQ(a.stats().out_protected, 1u);
}

TEST(PolicyDataPlane, EspTransportLoopback) {
  DataPlane a, b;
  install(a, b, esp_sa(kGwA, kGwB, 0x2001));
  install_policy(a, b, kGwA, 32, kGwB, 32, {req(IpsecProto::kEsp, Mode::kTransport, Level::kRequire)});
  Bytes plain = ipv4_udp(kGwA, kGwB, 7, 9, 100);
  Packet p(plain);
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(ip_proto(p), ipproto::kEsp);
  Result r = b.input(p);
  ASSERT_EQ(r.verdict, Verdict::kForward) << reason_name(r.reason);
  EXPECT_EQ(contents(p), plain);
  ASSERT_EQ(b.last_history().size(), 1u);
  EXPECT_EQ(b.last_history()[0].step.proto, IpsecProto::kEsp);
  EXPECT_EQ(b.last_history()[0].step.mode, Mode::kTransport);
  EXPECT_EQ(b.stats().in_opened, 1u);
  // The same packet again is a replay.
  Packet again(plain);
  ASSERT_EQ(a.output(again).verdict, Verdict::kForward);
  Bytes sent = contents(again);
  Packet first(sent), second(sent);
  EXPECT_EQ(b.input(first).verdict, Verdict::kForward);
  EXPECT_EQ(b.input(second).reason, Reason::kReplay);
}

TEST(PolicyDataPlane, BundleIpcompEspAhInPolicyOrder) {
  DataPlane a, b;
  for (DataPlane* dp : {&a, &b}) dp->sysctl().set("net.inet.ipcomp.ipcomp_enable", 1);
  install(a, b, ipcomp_sa(kGwA, kGwB, 0x4001));
  install(a, b, esp_sa(kGwA, kGwB, 0x4002));
  install(a, b, ah_sa(kGwA, kGwB, 0x4003));
  install_policy(a, b, kGwA, 32, kGwB, 32,
                 {req(IpsecProto::kIpComp, Mode::kTransport, Level::kUse),
                  req(IpsecProto::kEsp, Mode::kTransport, Level::kRequire),
                  req(IpsecProto::kAh, Mode::kTransport, Level::kRequire)});
  Bytes plain = ipv4_udp(kGwA, kGwB, 7, 9, 1000, 'z');  // compressible
  Packet p(plain);
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  // Outermost is AH (applied last), whose next header is ESP.
  ASSERT_EQ(ip_proto(p), ipproto::kAh);
  EXPECT_EQ(p.data()[20], ipproto::kEsp);
  EXPECT_EQ(load_be32(p.data() + 24), 0x4003u);
  EXPECT_EQ(load_be32(p.data() + 20 + 28), 0x4002u) << "ESP after the 28-byte AH (RFC 4868: 16-byte ICV)";
  EXPECT_LT(p.size(), plain.size()) << "the payload was compressed";
  Result r = b.input(p);
  ASSERT_EQ(r.verdict, Verdict::kForward) << reason_name(r.reason) << " after " << b.last_history().size() << " steps";
  EXPECT_EQ(contents(p), plain);
  const auto& h = b.last_history();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].step.proto, IpsecProto::kAh);
  EXPECT_EQ(h[1].step.proto, IpsecProto::kEsp);
  EXPECT_EQ(h[2].step.proto, IpsecProto::kIpComp);
}

// ipsec(4) BUGS: "esp/tunnel/A-B/use ah/transport/A-B/require" used to reject
// tunnelled packets, the AH being on the outer packet. Checked both ways.
TEST(PolicyDataPlane, KameBugEspTunnelInsideAhTransport) {
  for (bool reverse : {false, true}) {
    DataPlane gw1, gw2;
    const char* g1 = reverse ? kGwB : kGwA;
    const char* g2 = reverse ? kGwA : kGwB;
    const char* net1 = reverse ? "10.2.0.0" : "10.1.0.0";
    const char* net2 = reverse ? "10.1.0.0" : "10.2.0.0";
    install(gw1, gw2, esp_sa(g1, g2, 0x5001));
    install(gw1, gw2, ah_sa(g1, g2, 0x5002));
    const std::vector<IpsecRequest> kame = {req(IpsecProto::kEsp, Mode::kTunnel, Level::kUse, g1, g2),
                                            req(IpsecProto::kAh, Mode::kTransport, Level::kRequire, g1, g2)};
    install_policy(gw1, gw2, net1, 16, net2, 16, kame);
    Bytes inner = reverse ? ipv4_udp(kHostB, kHostA, 11, 22, 64) : ipv4_udp(kHostA, kHostB, 11, 22, 64);
    Packet p(inner);
    ASSERT_EQ(gw1.output(p).verdict, Verdict::kForward);
    ASSERT_EQ(ip_proto(p), ipproto::kAh);
    EXPECT_EQ(p.data()[20], ipproto::kEsp) << "AH transport over the ESP tunnel packet";
    Result r = gw2.input(p);
    ASSERT_EQ(r.verdict, Verdict::kForward) << reason_name(r.reason) << (reverse ? " (reverse)" : "");
    EXPECT_EQ(contents(p), inner);
    const auto& h = gw2.last_history();
    ASSERT_EQ(h.size(), 2u);
    EXPECT_EQ(h[0].step.proto, IpsecProto::kAh);
    EXPECT_EQ(h[0].step.mode, Mode::kTransport);
    EXPECT_EQ(h[1].step.proto, IpsecProto::kEsp);
    EXPECT_EQ(h[1].step.mode, Mode::kTunnel);
    EXPECT_EQ(h[1].step.src, ip(g1));

    // Without the AH the same tunnel is refused: AH is required.
    DataPlane only_esp;
    only_esp.sad().add(esp_sa(g1, g2, 0x5003));
    gw2.sad().add(esp_sa(g1, g2, 0x5003));
    only_esp.spd().add(policy(Direction::kOut, net1, 16, net2, 16, PolicyAction::kIpsec, {kame[0]}));
    Packet q(inner);
    ASSERT_EQ(only_esp.output(q).verdict, Verdict::kForward);
    EXPECT_EQ(gw2.input(q).reason, Reason::kInboundPolicy);
  }
}

TEST(PolicyDataPlane, UnprotectedArrivalIsDroppedWhenRequired) {
  DataPlane b;
  b.spd().add(policy(Direction::kIn, "10.1.0.0", 16, "10.2.0.0", 16, PolicyAction::kIpsec,
                     {req(IpsecProto::kEsp, Mode::kTunnel, Level::kRequire, kGwA, kGwB)}));
  Packet p(ipv4_udp(kHostA, kHostB, 1, 2, 10));
  EXPECT_EQ(b.input(p).reason, Reason::kInboundPolicy);
  EXPECT_EQ(b.drops().get(Reason::kInboundPolicy), 1u);
  // At level use the plain packet passes.
  b.spd().update(policy(Direction::kIn, "10.1.0.0", 16, "10.2.0.0", 16, PolicyAction::kIpsec,
                        {req(IpsecProto::kEsp, Mode::kTunnel, Level::kUse, kGwA, kGwB)}));
  Packet q(ipv4_udp(kHostA, kHostB, 1, 2, 10));
  EXPECT_EQ(b.input(q).verdict, Verdict::kForward);
}

TEST(PolicyDataPlane, WrongTunnelEndpointsAreRefused) {
  DataPlane a, b;
  install(a, b, esp_sa("192.0.2.99", kGwB, 0x6001));  // a tunnel from another gateway
  a.spd().add(policy(Direction::kOut, "10.1.0.0", 16, "10.2.0.0", 16, PolicyAction::kIpsec,
                     {req(IpsecProto::kEsp, Mode::kTunnel, Level::kRequire, "192.0.2.99", kGwB)}));
  b.spd().add(policy(Direction::kIn, "10.1.0.0", 16, "10.2.0.0", 16, PolicyAction::kIpsec,
                     {req(IpsecProto::kEsp, Mode::kTunnel, Level::kRequire, kGwA, kGwB)}));
  Packet p(ipv4_udp(kHostA, kHostB, 1, 2, 10));
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(b.input(p).reason, Reason::kInboundPolicy);
}

TEST(PolicyDataPlane, ProtectedPacketWithoutPolicyIsAccepted) {
  DataPlane a, b;
  install(a, b, esp_sa(kGwA, kGwB, 0x6101));
  a.spd().add(policy(Direction::kOut, kGwA, 32, kGwB, 32, PolicyAction::kIpsec,
                     {req(IpsecProto::kEsp, Mode::kTransport, Level::kRequire)}));
  b.sysctl().set("net.inet.ipsec.def_policy", 0);
  Packet p(ipv4_udp(kGwA, kGwB, 1, 2, 10));
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(b.input(p).verdict, Verdict::kForward);
  EXPECT_EQ(b.stats().in_opened, 1u);
}

TEST(PolicyDataPlane, UnknownSpiAndLarvalSa) {
  DataPlane a, b;
  install(a, b, esp_sa(kGwA, kGwB, 0x7001));
  a.spd().add(policy(Direction::kOut, kGwA, 32, kGwB, 32, PolicyAction::kIpsec,
                     {req(IpsecProto::kEsp, Mode::kTransport, Level::kRequire)}));
  Packet p(ipv4_udp(kGwA, kGwB, 1, 2, 10));
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  Bytes sent = contents(p);
  b.sad().get({ip(kGwB), IpsecProto::kEsp, 0x7001})->set_state(SaState::kLarval);
  Packet q(sent);
  EXPECT_EQ(b.input(q).reason, Reason::kSaNotMature);
  b.sad().remove({ip(kGwB), IpsecProto::kEsp, 0x7001});
  Packet r(sent);
  EXPECT_EQ(b.input(r).reason, Reason::kUnknownSpi);
  Bytes truncated(sent.begin(), sent.begin() + 22);  // ESP header cut inside the SPI
  store_be16(&truncated[2], 22);
  store_be16(&truncated[10], 0);
  store_be16(&truncated[10], rfc1071(truncated.data(), 20));
  Packet t(truncated);
  EXPECT_EQ(b.input(t).verdict, Verdict::kDrop);
  EXPECT_EQ(b.drops().get(Reason::kUnknownSpi) + b.drops().get(Reason::kSaNotMature), 2u);
}

// Inbound tunnel-mode ESP with an AEAD opens without a parse of the outer
// header first (DataPlane::input's one-pass entry). Two receivers, one with
// that entry switched off on its SA, get the same packets, good and damaged
// (tampered, replayed, bad outer checksum, fragment, unknown SPI, larval SA,
// ESP disabled, truncated): the same verdicts, reasons, bytes and counters.
TEST(PolicyDataPlane, EspTunnelInboundOnePassMatchesGeneralPath) {
  for (int ov : {4, 6}) {
    const char* ga = ov == 4 ? kGwA : "2001:db8::a";
    const char* gb = ov == 4 ? kGwB : "2001:db8::b";
    DataPlane a, fast, general;
    SaConfig c = esp_sa(ga, gb, 0x5151);
    c.mode = Mode::kTunnel;  // an SA fixed to tunnel mode, as the one-pass entry needs
    a.sad().add(c);
    fast.sad().add(c);
    general.sad().add(c);
    SaRef gsa = general.sad().get({ip(gb), IpsecProto::kEsp, 0x5151});
    ASSERT_TRUE(fast.sad().get({ip(gb), IpsecProto::kEsp, 0x5151})->runtime().esp_aead_tunnel_in);
    gsa->runtime().esp_aead_tunnel_in = false;
    const auto reqs = std::vector<IpsecRequest>{req(IpsecProto::kEsp, Mode::kTunnel, Level::kRequire, ga, gb)};
    a.spd().add(policy(Direction::kOut, "10.1.0.0", 16, "10.2.0.0", 16, PolicyAction::kIpsec, reqs));
    for (DataPlane* d : {&fast, &general})
      d->spd().add(policy(Direction::kIn, "10.1.0.0", 16, "10.2.0.0", 16, PolicyAction::kIpsec, reqs));
    std::vector<Bytes> sent;
    for (int i = 0; i < 40; ++i) {
      Packet p(ipv4_udp(kHostA, kHostB, std::uint16_t(1000 + i), 53, std::size_t(i * 37 % 300)));
      ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
      Bytes w = contents(p);
      sent.push_back(w);
      const std::size_t outer = ov == 4 ? 20 : 40;
      auto fix4 = [&](Bytes& b) {
        store_be16(&b[10], 0);
        store_be16(&b[10], rfc1071(b.data(), 20));
      };
      switch (i % 10) {
        case 1: w[outer + 20] ^= 1; break;                   // ciphertext tampered
        case 2: w = sent[std::size_t(i / 2)]; break;         // replayed (or the same one)
        case 3:  // outer checksum wrong
          if (ov == 4) w[10] ^= 0x01;
          break;
        case 4:  // a fragment
          if (ov == 4) {
            w[6] |= 0x20;
            fix4(w);
          }
          break;
        case 5: w[outer + 3] ^= 0x10; break;                 // unknown SPI
        case 6:  // truncated inside the ESP header
          w.resize(outer + 12);
          if (ov == 4) {
            store_be16(&w[2], std::uint16_t(w.size()));
            fix4(w);
          } else {
            store_be16(&w[4], std::uint16_t(w.size() - 40));
          }
          break;
        default: break;
      }
      const bool larval = i == 27, disabled = i == 37;
      for (DataPlane* d : {&fast, &general}) {
        if (larval) d->sad().get({ip(gb), IpsecProto::kEsp, 0x5151})->set_state(SaState::kLarval);
        if (disabled) d->sysctl().esp_enable = 0;
      }
      Packet f(w), g(w);
      const Result rf = fast.input(f), rg = general.input(g);
      const std::string what = "outer " + std::to_string(ov) + " #" + std::to_string(i);
      EXPECT_EQ(rf.verdict, rg.verdict) << what;
      EXPECT_EQ(rf.reason, rg.reason) << what;
      EXPECT_EQ(contents(f), contents(g)) << what;
      if (i % 10 == 0 && !larval && !disabled) {
        EXPECT_EQ(rf.verdict, Verdict::kForward) << what;
      }
      for (DataPlane* d : {&fast, &general}) {
        if (larval) d->sad().get({ip(gb), IpsecProto::kEsp, 0x5151})->set_state(SaState::kMature);
        if (disabled) d->sysctl().esp_enable = 1;
      }
    }
    EXPECT_EQ(fast.stats().in_opened, general.stats().in_opened);
    EXPECT_GT(fast.stats().in_opened, 15u);
    for (std::size_t r = 0; r < kReasonCount; ++r)
      EXPECT_EQ(fast.drops().get(Reason(r)), general.drops().get(Reason(r))) << reason_name(Reason(r));
  }
}

TEST(PolicyDataPlane, NattDemultiplexing) {
  DataPlane a, b;
  SaConfig sa = esp_sa(kGwA, kGwB, 0x8001);
  sa.natt_sport = 4500;
  sa.natt_dport = 4500;
  install(a, b, sa);
  install_policy(a, b, "10.1.0.0", 16, "10.2.0.0", 16,
                 {req(IpsecProto::kEsp, Mode::kTunnel, Level::kRequire, kGwA, kGwB)});
  Bytes inner = ipv4_udp(kHostA, kHostB, 5, 6, 40);
  Packet p(inner);
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  ASSERT_EQ(ip_proto(p), ipproto::kUdp);
  EXPECT_EQ(load_be16(p.data() + 22), 4500);
  Result r = b.input(p);
  ASSERT_EQ(r.verdict, Verdict::kForward) << reason_name(r.reason);
  EXPECT_EQ(contents(p), inner);

  Packet keepalive(ipv4_udp(kGwA, kGwB, 4500, 4500, 1, 0xff));
  Result k = b.input(keepalive);
  EXPECT_EQ(k.verdict, Verdict::kConsumed);
  EXPECT_EQ(b.drops().get(Reason::kNattKeepalive), 1u);

  Bytes ike = ipv4_udp(kGwA, kGwB, 4500, 4500, 40, 0x11);
  std::memset(&ike[28], 0, 4);  // non-ESP marker
  Packet ikep(ike);
  Result i = b.input(ikep);
  EXPECT_EQ(i.verdict, Verdict::kForward);
  EXPECT_EQ(i.reason, Reason::kIkeMarker);
  EXPECT_EQ(contents(ikep), ike) << "IKE goes up untouched";
}

TEST(PolicyDataPlane, TapsSeePlaintextAndMayDrop) {
  DataPlane a, b;
  install(a, b, esp_sa(kGwA, kGwB, 0x9001));
  install_policy(a, b, kGwA, 32, kGwB, 32, {req(IpsecProto::kEsp, Mode::kTransport, Level::kRequire)});
  std::vector<std::pair<Direction, std::uint8_t>> seen;
  bool allow = true;
  auto tap = [&](const Packet& p, Direction d) {
    seen.emplace_back(d, p.data()[9]);
    return allow;
  };
  a.set_tap(tap);
  b.set_tap(tap);
  Packet p(ipv4_udp(kGwA, kGwB, 1, 2, 10));
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  ASSERT_EQ(b.input(p).verdict, Verdict::kForward);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(Direction::kOut, std::uint8_t(17))) << "before protection";
  EXPECT_EQ(seen[1], std::make_pair(Direction::kIn, std::uint8_t(17))) << "after decapsulation";
  allow = false;
  Packet q(ipv4_udp(kGwA, kGwB, 1, 2, 10));
  EXPECT_EQ(a.output(q).reason, Reason::kFilter);
  allow = true;
  Packet r(ipv4_udp(kGwA, kGwB, 1, 2, 10));
  ASSERT_EQ(a.output(r).verdict, Verdict::kForward);
  allow = false;
  EXPECT_EQ(b.input(r).reason, Reason::kFilter);
  EXPECT_EQ(a.drops().get(Reason::kFilter), 1u);
  EXPECT_EQ(b.drops().get(Reason::kFilter), 1u);
}

TEST(PolicyDataPlane, UniqueSelectsTheSaByReqid) {
  DataPlane a, b;
  install(a, b, esp_sa(kGwA, kGwB, 0xa001, 7));
  install(a, b, esp_sa(kGwA, kGwB, 0xa002, 8));  // newer, but not reqid 7
  install_policy(a, b, kGwA, 32, kGwB, 32,
                 {req(IpsecProto::kEsp, Mode::kTransport, Level::kUnique, nullptr, nullptr, 7)});
  Packet p(ipv4_udp(kGwA, kGwB, 1, 2, 10));
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(load_be32(p.data() + 20), 0xa001u);
  EXPECT_EQ(b.input(p).verdict, Verdict::kForward);
}

TEST(PolicyDataPlane, MalformedInputIsCountedNotCrashed) {
  DataPlane dp;
  for (Bytes junk : {Bytes{}, Bytes{0x45}, Bytes(19, 0x45), Bytes(60, 0x00), Bytes(40, 0x60)}) {
    Packet p(junk);
    EXPECT_EQ(dp.output(p).verdict, Verdict::kDrop);
    Packet q(junk);
    EXPECT_EQ(dp.input(q).verdict, Verdict::kDrop);
  }
  std::uint64_t counted = 0;
  for (std::size_t i = 0; i < kReasonCount; ++i) counted += dp.drops().get(Reason(i));
  EXPECT_EQ(counted, 10u) << "every drop counted under some reason";
}

TEST(PolicyDataPlane, Ipv6InIpv4TunnelAndIpv6Deflev) {
  DataPlane a, b;
  install(a, b, esp_sa(kGwA, kGwB, 0xb001));
  install_policy(a, b, "2001:db8:1::", 48, "2001:db8:2::", 48,
                 {req(IpsecProto::kEsp, Mode::kTunnel, Level::kDefault, kGwA, kGwB)});
  Bytes inner = ipv6_udp("2001:db8:1::5", "2001:db8:2::7", 100, 200, 33);
  Packet p(inner);
  ASSERT_EQ(a.output(p).verdict, Verdict::kForward);
  EXPECT_EQ(p.data()[0] >> 4, 4) << "IPv4 outer header";
  EXPECT_EQ(ip_proto(p), ipproto::kEsp);
  Result r = b.input(p);
  ASSERT_EQ(r.verdict, Verdict::kForward) << reason_name(r.reason);
  EXPECT_EQ(contents(p), inner);
  // The default level of the inner (IPv6) packet's family decides: with
  // net.inet6.ipsec6.esp_net_deflev=2 a cleartext IPv6 packet is refused.
  Packet plain(inner);
  EXPECT_EQ(b.input(plain).verdict, Verdict::kForward);
  ASSERT_TRUE(b.sysctl().set("net.inet.ipsec.esp_net_deflev", 2));
  Packet plain2(inner);
  EXPECT_EQ(b.input(plain2).verdict, Verdict::kForward) << "the IPv4 variable does not apply";
  ASSERT_TRUE(b.sysctl().set("net.inet6.ipsec6.esp_net_deflev", 2));
  Packet plain3(inner);
  EXPECT_EQ(b.input(plain3).reason, Reason::kInboundPolicy);
}

// ---- the inbound check on synthetic histories

HistoryStep step(IpsecProto proto, Mode mode, const char* src = kGwA, const char* dst = kGwB,
                 std::uint32_t reqid = 0) {
  HistoryStep h;
  h.step.proto = proto;
  h.step.mode = mode;
  h.step.src = ip(src);
  h.step.dst = ip(dst);
  h.reqid = reqid;
  return h;
}

TEST(PolicyDataPlane, HistoryCheckRules) {
  Sysctl sc;
  const auto esp_t = IpsecProto::kEsp;
  const auto ah_t = IpsecProto::kAh;
  // Policy order innermost first; history outermost first.
  std::vector<IpsecRequest> esp_then_ah = {req(esp_t, Mode::kTransport, Level::kRequire),
                                           req(ah_t, Mode::kTransport, Level::kRequire)};
  EXPECT_TRUE(history_satisfies(esp_then_ah, {step(ah_t, Mode::kTransport), step(esp_t, Mode::kTransport)}, sc, 4));
  EXPECT_FALSE(history_satisfies(esp_then_ah, {step(esp_t, Mode::kTransport), step(ah_t, Mode::kTransport)}, sc, 4))
      << "the order of the layers matters";
  EXPECT_FALSE(history_satisfies(esp_then_ah, {step(esp_t, Mode::kTransport)}, sc, 4));
  EXPECT_FALSE(history_satisfies(esp_then_ah, {}, sc, 4));
  EXPECT_FALSE(history_satisfies(esp_then_ah, {step(ah_t, Mode::kTunnel), step(esp_t, Mode::kTransport)}, sc, 4))
      << "mode must match";
  // Extra steps no request accounts for are accepted.
  EXPECT_TRUE(history_satisfies(esp_then_ah,
                                {step(esp_t, Mode::kTunnel), step(ah_t, Mode::kTransport), step(esp_t, Mode::kTransport)},
                                sc, 4));
  // An optional request must not take the step a required one needs.
  std::vector<IpsecRequest> two_esp = {req(esp_t, Mode::kTransport, Level::kRequire),
                                       req(esp_t, Mode::kTransport, Level::kUse)};
  EXPECT_TRUE(history_satisfies(two_esp, {step(esp_t, Mode::kTransport)}, sc, 4));
  // Default level resolves per family through the sysctls.
  std::vector<IpsecRequest> dflt = {req(esp_t, Mode::kTunnel, Level::kDefault, kGwA, kGwB)};
  EXPECT_TRUE(history_satisfies(dflt, {}, sc, 4));
  sc.inet.esp_net_deflev = 2;
  EXPECT_FALSE(history_satisfies(dflt, {}, sc, 4));
  EXPECT_TRUE(history_satisfies(dflt, {}, sc, 6));
  EXPECT_TRUE(history_satisfies(dflt, {step(esp_t, Mode::kTunnel)}, sc, 4));
  EXPECT_FALSE(history_satisfies(dflt, {step(esp_t, Mode::kTunnel, "192.0.2.77", kGwB)}, sc, 4));
  // unique:N wants the SA with that reqid.
  std::vector<IpsecRequest> uniq = {req(esp_t, Mode::kTransport, Level::kUnique, nullptr, nullptr, 42)};
  EXPECT_TRUE(history_satisfies(uniq, {step(esp_t, Mode::kTransport, kGwA, kGwB, 42)}, sc, 4));
  EXPECT_FALSE(history_satisfies(uniq, {step(esp_t, Mode::kTransport, kGwA, kGwB, 41)}, sc, 4));
  // IPComp may always be missing (small packets are sent uncompressed).
  std::vector<IpsecRequest> comp = {req(IpsecProto::kIpComp, Mode::kTransport, Level::kRequire),
                                    req(esp_t, Mode::kTransport, Level::kRequire)};
  EXPECT_TRUE(history_satisfies(comp, {step(esp_t, Mode::kTransport)}, sc, 4));
}

TEST(PolicyDataPlane, LevelResolution) {
  Sysctl sc;
  sc.inet.ah_net_deflev = 2;
  sc.inet6.esp_trans_deflev = 2;
  auto level = [&](IpsecProto p, Mode m, Level l, int v) { return resolve_level(req(p, m, l), sc, v); };
  EXPECT_EQ(level(IpsecProto::kAh, Mode::kTunnel, Level::kDefault, 4), Level::kRequire);
  EXPECT_EQ(level(IpsecProto::kAh, Mode::kTunnel, Level::kDefault, 6), Level::kUse);
  EXPECT_EQ(level(IpsecProto::kEsp, Mode::kTransport, Level::kDefault, 6), Level::kRequire);
  EXPECT_EQ(level(IpsecProto::kEsp, Mode::kTransport, Level::kDefault, 4), Level::kUse);
  EXPECT_EQ(level(IpsecProto::kIpComp, Mode::kTransport, Level::kDefault, 4), Level::kUse);
  EXPECT_EQ(level(IpsecProto::kEsp, Mode::kTransport, Level::kUnique, 4), Level::kUnique);
  EXPECT_EQ(level(IpsecProto::kEsp, Mode::kTransport, Level::kUse, 6), Level::kUse);
}

}  // namespace
