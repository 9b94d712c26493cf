// The one-pass tunnel paths of ESP with an AEAD (xform_output and xform_input
// for an SA with SaRuntime::esp_aead_tunnel / esp_aead_tunnel_in) against the
// general path, which the other transform tests check against OpenSSL: the
// same datagrams through two SAs of one configuration, one of them with the
// one-pass paths switched off, give the same bytes, the same drop reasons and
// the same SA counters. Random shapes: both families inside and outside,
// every AEAD, ESN, padding modes, dfbit and ecn settings, link-layer padding,
// IPv4 options and IPv6 extension headers (which leave the one-pass path),
// then tampered, replayed, truncated and ECN-marked packets inbound. The
// ESP itself is opened by the OpenSSL oracle too.
#include <gtest/gtest.h>

#include <random>

#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;

Bytes to_bytes(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }

// The AEAD cases of the shared list (GMAC excluded: it is not a cipher).
std::vector<xtest::EspCase> aead_cases() {
  std::vector<xtest::EspCase> out;
  for (const auto& k : xtest::esp_cases())
    if (k.oenc == oracle::Enc::kGcm || k.oenc == oracle::Enc::kChaCha) out.push_back(k);
  return out;
}

// A pair of SAs of one configuration: `fast` as built, `general` with the
// one-pass paths off, both sending with the same IPv4 identification. Beside
// them, for the entry point that takes a datagram not parsed yet: `unparsed`
// as built, and `checked`, the general path fed only what parse_ip (checksum
// verified) accepts, whose state `unparsed` must keep step with.
struct SaPair {
  Sa fast, general, unparsed, checked;
  explicit SaPair(const SaConfig& c) : fast(c), general(c), unparsed(c), checked(c) {
    general.runtime().esp_aead_tunnel = false;
    general.runtime().esp_aead_tunnel_in = false;
    checked.runtime().esp_aead_tunnel_in = false;
    general.runtime().ip_id.store(fast.runtime().ip_id.load());
  }
};

void expect_same_counters(Sa& a, Sa& b, const std::string& what) {
  EXPECT_EQ(a.current().bytes.load(), b.current().bytes.load()) << what;
  EXPECT_EQ(a.current().packets.load(), b.current().packets.load()) << what;
  EXPECT_EQ(a.runtime().seq_out.load(), b.runtime().seq_out.load()) << what;
  EXPECT_EQ(a.state(), b.state()) << what;
}

// A random inner datagram: UDP in IPv4 (sometimes with a 4-byte option) or
// IPv6 (sometimes behind a destination-options header), random TOS/DF, and
// sometimes link-layer padding after it.
Bytes random_inner(std::mt19937& rng, int version, bool& odd_shape) {
  const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 1400)(rng);
  const auto tos = std::uint8_t(rng());
  const bool df = rng() & 1;
  odd_shape = rng() % 5 == 0;
  const Bytes payload = oracle::udp(oracle::pattern(n, std::uint8_t(rng())));
  Bytes d;
  if (version == 4) {
    const Bytes options = odd_shape ? Bytes{1, 1, 1, 0} : Bytes{};  // No Operation x3, End: IHL 6
    d = oracle::ipv4(oracle::v4addrs(1, 2), 17, payload, tos, df, 0x1234, options);
  } else {
    if (odd_shape) {
      Bytes ext = {17, 0, 1, 4, 0, 0, 0, 0};  // destination options: PadN
      d = oracle::ipv6(oracle::v6addrs(1, 2), 60, oracle::cat({ext, payload}), tos);
    } else {
      d = oracle::ipv6(oracle::v6addrs(1, 2), 17, payload, tos);
    }
  }
  if (rng() % 4 == 0) d.resize(d.size() + rng() % 16, 0xee);  // link-layer padding
  return d;
}

const Sysctl& sc_default() {
  static const Sysctl sc;
  return sc;
}

Sysctl random_sysctl(std::mt19937& rng) {
  Sysctl sc;
  sc.dfbit = int(rng() % 3);
  sc.inet.ecn = int(rng() & 1);
  sc.inet6.ecn = int(rng() & 1);
  return sc;
}

TEST(EspFastPath, FlagsFollowTheShapeTheyCover) {
  const auto k = aead_cases().front();
  EXPECT_TRUE(Sa(xtest::esp_config(k, Mode::kTunnel, 4)).runtime().esp_aead_tunnel);
  EXPECT_TRUE(Sa(xtest::esp_config(k, Mode::kTunnel, 6)).runtime().esp_aead_tunnel_in);
  // Inbound needs the SA fixed to tunnel mode (an "any" SA may carry transport).
  EXPECT_FALSE(Sa(xtest::esp_config(k, Mode::kAny, 4)).runtime().esp_aead_tunnel_in);
  SaConfig sel = xtest::esp_config(k, Mode::kTunnel, 4);
  sel.sel_proto = 17;
  EXPECT_FALSE(Sa(sel).runtime().esp_aead_tunnel_in);
  SaConfig natt = xtest::esp_config(k, Mode::kTunnel, 4);
  natt.natt_sport = natt.natt_dport = 4500;
  EXPECT_FALSE(Sa(natt).runtime().esp_aead_tunnel);
  for (const auto& c : xtest::esp_cases()) {
    if (c.oenc == oracle::Enc::kGcm || c.oenc == oracle::Enc::kChaCha) continue;
    EXPECT_FALSE(Sa(xtest::esp_config(c, Mode::kTunnel, 4)).runtime().esp_aead_tunnel) << c.name;
  }
}

// Outbound: byte-identical packets and counters; the oracle opens each packet.
TEST(EspFastPath, OutputMatchesGeneralPath) {
  std::mt19937 rng(20261128);
  int fast_shaped = 0;
  for (const auto& k : aead_cases()) {
    for (int ov : {4, 6}) {
      for (bool esn : {false, true}) {
        SaConfig c = xtest::esp_config(k, Mode::kTunnel, ov, esn);
        c.pad = rng() & 1 ? PadMode::kSequential : PadMode::kZero;
        SaPair sa(c);
        for (int i = 0; i < 40; ++i) {
          const int iv = rng() & 1 ? 4 : 6;
          bool odd = false;
          const Bytes in = random_inner(rng, iv, odd);
          fast_shaped += !odd;
          const Sysctl sc = random_sysctl(rng);
          Packet a(ByteView(in.data(), in.size())), b(ByteView(in.data(), in.size()));
          const std::string what = k.name + " outer " + std::to_string(ov) + " inner " + std::to_string(iv) +
                                   " esn " + std::to_string(esn) + " #" + std::to_string(i);
          ASSERT_EQ(xform_output(sa.fast, Mode::kTunnel, a, sc), Reason::kNone) << what;
          ASSERT_EQ(xform_output(sa.general, Mode::kTunnel, b, sc), Reason::kNone) << what;
          ASSERT_EQ(to_bytes(a), to_bytes(b)) << what;
          expect_same_counters(sa.fast, sa.general, what);
          // Independent check of the ESP: OpenSSL opens it to the inner datagram.
          const Bytes out = to_bytes(a);
          const std::size_t outer = ov == 4 ? 20 : 40;
          const auto opened = oracle::esp_open(xtest::esp_oracle(k, esn), oracle::slice(out, outer, out.size() - outer),
                                               std::uint32_t(sa.fast.runtime().seq_out.load() >> 32));
          ASSERT_TRUE(opened) << what;
          const std::size_t total = iv == 4 ? oracle::get16(in, 2) : 40 + oracle::get16(in, 4);
          EXPECT_EQ(opened->payload, oracle::slice(in, 0, total)) << what;
        }
      }
    }
  }
  EXPECT_GT(fast_shaped, 300);  // most packets took the one-pass path
}

// Outbound without room or beyond the length field: the same answer.
TEST(EspFastPath, OutputLimitsMatchGeneralPath) {
  const auto k = aead_cases().front();
  for (int ov : {4, 6}) {
    SaPair sa(xtest::esp_config(k, Mode::kTunnel, ov));
    const Sysctl sc;
    // A 65,500-byte datagram does not fit an outer IPv4 / IPv6 length field with ESP around it.
    const Bytes big = oracle::udp_packet(4, 65500 - 28, 7);
    Packet a(ByteView(big.data(), big.size())), b(ByteView(big.data(), big.size()));
    EXPECT_EQ(xform_output(sa.fast, Mode::kTunnel, a, sc), xform_output(sa.general, Mode::kTunnel, b, sc));
    EXPECT_EQ(to_bytes(a), to_bytes(b));
    // No headroom for the headers.
    const Bytes small = oracle::udp_packet(4, 100, 8);
    Packet c(ByteView(small.data(), small.size()), 8), d(ByteView(small.data(), small.size()), 8);
    const Reason rc = xform_output(sa.fast, Mode::kTunnel, c, sc);
    EXPECT_EQ(rc, xform_output(sa.general, Mode::kTunnel, d, sc));
    EXPECT_EQ(to_bytes(c), to_bytes(d));
    expect_same_counters(sa.fast, sa.general, "limits");
  }
}

// What the inbound side is fed: a protected packet, sometimes altered.
enum class Damage {
  kNone,
  kTamper,
  kTruncate,
  kReplay,
  kWrongSpi,
  kOuterCe,
  kBadInnerChecksum,
  kLinkPad,
  kBadOuterChecksum,  // IPv4 outside: what parse_ip rejects before any SA is involved
  kOuterFragment,     // IPv4 MF set (checksum fixed), IPv6 unchanged
  kCount
};

Bytes damage(const Bytes& pkt, Damage d, std::mt19937& rng, int ov) {
  Bytes b = pkt;
  const std::size_t outer = ov == 4 ? 20 : 40;
  auto fix_outer = [&] {
    if (ov == 4) {
      oracle::put16(b, 2, std::uint16_t(b.size()));
      oracle::put16(b, 10, 0);
      oracle::put16(b, 10, oracle::checksum(b.data(), 20));
    } else {
      oracle::put16(b, 4, std::uint16_t(b.size() - 40));
    }
  };
  switch (d) {
    case Damage::kTamper: b[outer + 16 + rng() % (b.size() - outer - 16)] ^= std::uint8_t(1 + rng() % 255); break;
    case Damage::kTruncate:
      b.resize(outer + rng() % (b.size() - outer));
      fix_outer();
      break;
    case Damage::kWrongSpi: b[outer + 3] ^= 0x40; break;
    case Damage::kOuterCe:  // a router marked congestion on the outer header
      if (ov == 4) b[1] |= 3;
      else b[1] |= 0x30;
      fix_outer();
      break;
    case Damage::kLinkPad: b.resize(b.size() + 1 + rng() % 20, 0); break;
    case Damage::kBadOuterChecksum:
      if (ov == 4) b[10] ^= 0x10;
      break;
    case Damage::kOuterFragment:
      if (ov == 4) {
        b[6] |= 0x20;
        fix_outer();
      }
      break;
    default: break;
  }
  return b;
}

// Inbound: the same reasons, bytes, modes and counters for good and damaged
// packets, the inner datagram restored as it was sent.
TEST(EspFastPath, InputMatchesGeneralPath) {
  std::mt19937 rng(4106);
  int opened = 0;
  for (const auto& k : aead_cases()) {
    for (int ov : {4, 6}) {
      for (bool esn : {false, true}) {
        SaConfig c = xtest::esp_config(k, Mode::kTunnel, ov, esn, rng() & 1 ? 64 : 0);
        Sa sender(c);
        SaPair in(c);
        std::vector<Bytes> sent;
        for (int i = 0; i < 40; ++i) {
          const int iv = rng() & 1 ? 4 : 6;
          bool odd = false;
          Bytes inner = random_inner(rng, iv, odd);
          const auto d = static_cast<Damage>(rng() % unsigned(Damage::kCount));
          if (d == Damage::kBadInnerChecksum && iv == 4) inner[11] ^= 1;
          Sysctl sc = random_sysctl(rng);
          Packet p(ByteView(inner.data(), inner.size()));
          ASSERT_EQ(xform_output(sender, Mode::kTunnel, p, sc), Reason::kNone);
          Bytes wire = to_bytes(p);
          if (d == Damage::kReplay && !sent.empty()) wire = sent[rng() % sent.size()];
          sent.push_back(to_bytes(p));
          wire = damage(wire, d, rng, ov);
          const std::string what = k.name + " outer " + std::to_string(ov) + " esn " + std::to_string(esn) +
                                   " damage " + std::to_string(int(d)) + " #" + std::to_string(i);
          Packet a(ByteView(wire.data(), wire.size())), b(ByteView(wire.data(), wire.size())),
              u(ByteView(wire.data(), wire.size()));
          const ParseResult pa = parse_ip(a.bytes(), false), pb = parse_ip(b.bytes(), false);
          ASSERT_TRUE(pa.info && pb.info) << what;
          InputStep sa_step, sb_step, su_step;
          const Reason ra = xform_input(in.fast, a, *pa.info, sc, sa_step);
          const Reason rb = xform_input(in.general, b, *pb.info, sc, sb_step);
          ASSERT_EQ(ra, rb) << what;
          EXPECT_EQ(to_bytes(a), to_bytes(b)) << what;
          EXPECT_EQ(sa_step.mode, sb_step.mode) << what;
          expect_same_counters(in.fast, in.general, what);
          EXPECT_EQ(in.fast.runtime().replay.top(), in.general.runtime().replay.top()) << what;
          // The unparsed entry: parse_ip's verdict (header checksum verified),
          // then the general path's, and the outer addresses in the step.
          const Reason ru = xform_input(in.unparsed, u, sc, su_step);
          const ParseResult checked = parse_ip(ByteView(wire.data(), wire.size()));
          if (!checked.info) {
            EXPECT_EQ(ru, checked.error) << what;
            EXPECT_EQ(to_bytes(u), wire) << what;
          } else {
            Packet g(ByteView(wire.data(), wire.size()));
            InputStep sg_step;
            const Reason rg = xform_input(in.checked, g, *checked.info, sc, sg_step);
            ASSERT_EQ(ru, rg) << what;
            EXPECT_EQ(to_bytes(u), to_bytes(g)) << what;
            EXPECT_EQ(su_step.mode, sg_step.mode) << what;
            EXPECT_EQ(su_step.proto, IpsecProto::kEsp) << what;
            EXPECT_EQ(su_step.spi, c.spi) << what;
            EXPECT_EQ(su_step.src, checked.info->src) << what;
            EXPECT_EQ(su_step.dst, checked.info->dst) << what;
          }
          if (d == Damage::kBadOuterChecksum && ov == 4) {
            EXPECT_EQ(ru, Reason::kBadIpChecksum) << what;
          }
          expect_same_counters(in.unparsed, in.checked, what);
          EXPECT_EQ(in.unparsed.runtime().replay.top(), in.checked.runtime().replay.top()) << what;
          if (ra == Reason::kNone && (d == Damage::kNone || d == Damage::kLinkPad)) {
            const std::size_t total = iv == 4 ? oracle::get16(inner, 2) : 40 + oracle::get16(inner, 4);
            EXPECT_EQ(to_bytes(a), oracle::slice(inner, 0, total)) << what;
            ++opened;
          }
        }
      }
    }
  }
  EXPECT_GT(opened, 50);
}

// The padding check of the one-pass path (a 64-bit compare for up to 8 bytes,
// byte by byte beyond) against RFC 4303 2.4 as written here: sequential
// padding must read 1, 2, 3, ...; zero padding zeros; random anything. Each
// packet is sealed by OpenSSL with the padding chosen by the test, then one
// byte of it changed at a time; every entry (unparsed, parsed, general path)
// must give the same verdict.
TEST(EspFastPath, PaddingCheckedAsTheRfcSays) {
  const auto k = aead_cases().front();
  int checked = 0;
  for (PadMode mode : {PadMode::kSequential, PadMode::kZero, PadMode::kRandom}) {
    for (std::size_t pad : {0u, 1u, 2u, 3u, 5u, 6u, 7u, 8u, 9u, 10u, 13u, 17u, 30u}) {
      for (int bad = -1; bad < int(pad); ++bad) {
        SaConfig c = xtest::esp_config(k, Mode::kTunnel, 4, false, 0);
        c.pad = mode;
        SaPair in(c);
        const oracle::EspSa o = xtest::esp_oracle(k);
        // Inner length so that inner + padding + 2 is a multiple of 4 (GCM's ESP alignment).
        const std::size_t m = 8 + (4 - (28 + 8 + pad + 2) % 4) % 4;
        const Bytes inner = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(oracle::pattern(m, 3)));
        Bytes padding(pad);
        for (std::size_t i = 0; i < pad; ++i)
          padding[i] = mode == PadMode::kSequential ? std::uint8_t(i + 1) : mode == PadMode::kZero ? 0 : std::uint8_t(0xa5 ^ i);
        if (bad >= 0) padding[std::size_t(bad)] ^= 0x40;
        const Bytes pt = oracle::cat({inner, padding, Bytes{std::uint8_t(pad), 4}});
        const Bytes iv = oracle::pattern(8, 9);
        const Bytes esp = oracle::cat({oracle::be32(o.spi), oracle::be32(1), iv,
                                       oracle::aead_seal(false, oracle::key_part(o), oracle::cat({oracle::salt(o), iv}),
                                                         oracle::esp_aad(o, 1), pt, o.aead_icv)});
        const Bytes wire = oracle::ipv4({{192, 0, 2, 1}, {192, 0, 2, 2}}, 50, esp);
        const Reason want = bad >= 0 && mode != PadMode::kRandom ? Reason::kBadPadding : Reason::kNone;
        const std::string what = "mode " + std::to_string(int(mode)) + " pad " + std::to_string(pad) + " bad byte " +
                                 std::to_string(bad);
        Packet a(ByteView(wire.data(), wire.size())), b(ByteView(wire.data(), wire.size())),
            u(ByteView(wire.data(), wire.size()));
        const ParseResult pa = parse_ip(a.bytes()), pb = parse_ip(b.bytes());
        ASSERT_TRUE(pa.info && pb.info) << what;
        InputStep sa_step, sb_step, su_step;
        EXPECT_EQ(xform_input(in.unparsed, u, sc_default(), su_step), want) << what;
        EXPECT_EQ(xform_input(in.fast, a, *pa.info, sc_default(), sa_step), want) << what;
        EXPECT_EQ(xform_input(in.general, b, *pb.info, sc_default(), sb_step), want) << what;
        if (want == Reason::kNone) {
          EXPECT_EQ(to_bytes(u), inner) << what;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300);
}

}  // namespace
