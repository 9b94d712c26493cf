// Tunnel framing: outer header fields (DF per dfbit, DSCP, ECN per RFC 6040,
// TTL, ID), decapsulation checks (inner protocol, selectors, ECN combination).
#include <gtest/gtest.h>

#include <set>

#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;

Bytes to_bytes(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }
const xtest::EspCase& gcm() {
  static const auto k = xtest::esp_cases()[2];
  return k;
}

Bytes encap(int inner, int outer, std::uint8_t tos, bool df, const Sysctl& sc) {
  Sa sa(xtest::esp_config(gcm(), Mode::kTunnel, outer));
  Bytes orig = inner == 4 ? oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp({1, 2}), tos, df)
                          : oracle::ipv6(oracle::v6addrs(1, 2), 17, oracle::udp({1, 2}), tos);
  Packet p(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTunnel, p, sc), Reason::kNone);
  return to_bytes(p);
}

std::uint8_t outer_tos(const Bytes& out) {
  return (out[0] >> 4) == 4 ? out[1] : std::uint8_t((out[0] & 0x0f) << 4 | out[1] >> 4);
}

TEST(TunnelOutput, DfBitSysctl) {
  Sysctl sc;
  for (int dfbit : {0, 1, 2}) {
    sc.dfbit = dfbit;
    for (bool inner_df : {false, true}) {
      const Bytes out = encap(4, 4, 0, inner_df, sc);
      const bool df = (out[6] & 0x40) != 0;
      EXPECT_EQ(df, dfbit == 1 || (dfbit == 2 && inner_df)) << "dfbit " << dfbit << " inner " << inner_df;
    }
    // Inner IPv6 has no DF: copy means clear.
    EXPECT_EQ((encap(6, 4, 0, false, sc)[6] & 0x40) != 0, dfbit == 1);
  }
}

TEST(TunnelOutput, DscpCopiedEcnPerMode) {
  for (int outer : {4, 6}) {
    for (int inner : {4, 6}) {
      Sysctl sc;
      // Compatibility mode (ecn = 0): DSCP copied, ECN cleared.
      EXPECT_EQ(outer_tos(encap(inner, outer, 0xbb, false, sc)), 0xb8);
      // Normal mode: the ECN field is copied too (RFC 6040 4.1), CE included.
      (outer == 4 ? sc.inet : sc.inet6).ecn = 1;
      EXPECT_EQ(outer_tos(encap(inner, outer, 0xbb, false, sc)), 0xbb);
      EXPECT_EQ(outer_tos(encap(inner, outer, 0x02, false, sc)), 0x02);
    }
  }
}

TEST(TunnelOutput, TtlHopLimitAndIds) {
  Sa sa(xtest::esp_config(gcm(), Mode::kTunnel, 4));
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 5; ++i) {
    Bytes orig = oracle::udp_packet(4, 10, 1);
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(sa, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
    EXPECT_EQ(p.data()[8], 64);
    ids.insert(load_be16(p.data() + 4));
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(encap(4, 6, 0, false, Sysctl{})[7], 64);
}

// RFC 6040 Figure 4, decapsulation; values are the 2-bit ECN codepoints.
struct EcnRow {
  std::uint8_t inner, outer, result;  // result 0xff = drop
};
constexpr std::uint8_t kNot = 0, kE1 = 1, kE0 = 2, kCe = 3, kDrop = 0xff;
constexpr EcnRow kEcnTable[] = {
    {kNot, kNot, kNot}, {kNot, kE0, kNot}, {kNot, kE1, kNot}, {kNot, kCe, kDrop},
    {kE0, kNot, kE0},   {kE0, kE0, kE0},   {kE0, kE1, kE1},   {kE0, kCe, kCe},
    {kE1, kNot, kE1},   {kE1, kE0, kE1},   {kE1, kE1, kE1},   {kE1, kCe, kCe},
    {kCe, kNot, kCe},   {kCe, kE0, kCe},   {kCe, kE1, kCe},   {kCe, kCe, kCe},
};

// An oracle-sealed tunnel packet with the given inner and outer ECN.
Bytes tunnel_packet(int inner, int outer, std::uint8_t inner_tos, std::uint8_t outer_tos_v, std::uint32_t seq,
                    const Bytes& inner_pkt_override = {}) {
  const Bytes in = !inner_pkt_override.empty() ? inner_pkt_override
                   : inner == 4 ? oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp({1}), inner_tos)
                                : oracle::ipv6(oracle::v6addrs(1, 2), 17, oracle::udp({1}), inner_tos);
  const Bytes esp = oracle::esp_seal(xtest::esp_oracle(gcm()), seq, oracle::be64(seq), in,
                                     (in[0] >> 4) == 4 ? 4 : 41);
  SaConfig c;
  xtest::set_endpoints(c, outer);
  oracle::Addrs a{Bytes(c.src.b.begin(), c.src.b.begin() + long(c.src.size())),
                  Bytes(c.dst.b.begin(), c.dst.b.begin() + long(c.dst.size()))};
  return outer == 4 ? oracle::ipv4(a, 50, esp, outer_tos_v) : oracle::ipv6(a, 50, esp, outer_tos_v);
}

Reason decap(Sa& sa, Bytes wire, const Sysctl& sc, Bytes* out = nullptr) {
  Packet p(ByteView(wire.data(), wire.size()));
  InputStep step;
  const Reason r = xform_input(sa, p, *parse_ip(p.bytes()).info, sc, step);
  if (out) *out = to_bytes(p);
  return r;
}

TEST(TunnelInput, Rfc6040DecapsulationTable) {
  for (int outer : {4, 6}) {
    for (int inner : {4, 6}) {
      Sysctl sc;
      (outer == 4 ? sc.inet : sc.inet6).ecn = 1;
      Sa sa(xtest::esp_config(gcm(), Mode::kTunnel, outer));
      std::uint32_t seq = 0;
      for (const EcnRow& row : kEcnTable) {
        SCOPED_TRACE(testing::Message() << "outer v" << outer << " inner v" << inner << " inner ecn " << int(row.inner)
                                        << " outer ecn " << int(row.outer));
        Bytes out;
        const Reason r = decap(sa, tunnel_packet(inner, outer, std::uint8_t(0x20 | row.inner), row.outer, ++seq), sc, &out);
        if (row.result == kDrop) {
          EXPECT_EQ(r, Reason::kEcnCeNotEct);
          continue;
        }
        ASSERT_EQ(r, Reason::kNone);
        EXPECT_EQ(outer_tos(out), 0x20 | row.result);
        if (inner == 4) {
          EXPECT_EQ(oracle::checksum(out.data(), 20), 0);
        }
      }
      // ecn = 0: the inner header is left alone, even under CE.
      Sysctl off;
      Bytes out;
      ASSERT_EQ(decap(sa, tunnel_packet(inner, outer, 0x20, kCe, ++seq), off, &out), Reason::kNone);
      EXPECT_EQ(outer_tos(out), 0x20);
    }
  }
}

TEST(TunnelInput, InnerMustBeIp) {
  Sa sa(xtest::esp_config(gcm(), Mode::kTunnel, 4));
  const Bytes esp = oracle::esp_seal(xtest::esp_oracle(gcm()), 1, oracle::be64(1), oracle::udp({1, 2, 3}), 17);
  EXPECT_EQ(decap(sa, oracle::ipv4({{192, 0, 2, 1}, {192, 0, 2, 2}}, 50, esp), Sysctl{}), Reason::kBadNextHeader);
}

TEST(TunnelInput, InnerPacketCheckedAgainstSelectors) {
  auto c = xtest::esp_config(gcm(), Mode::kTunnel, 4);
  c.sel_src = IpPrefix{xtest::addr("10.0.0.0"), 24};
  c.sel_dst = IpPrefix{xtest::addr("10.0.0.2"), 32};
  c.sel_proto = 17;
  Sa sa(c);
  EXPECT_EQ(decap(sa, tunnel_packet(4, 4, 0, 0, 1), Sysctl{}), Reason::kNone);
  const Bytes stray = oracle::ipv4(oracle::v4addrs(1, 9), 17, oracle::udp({1}));
  EXPECT_EQ(decap(sa, tunnel_packet(4, 4, 0, 0, 2, stray), Sysctl{}), Reason::kSelectorMismatch);
  const Bytes tcp = oracle::ipv4(oracle::v4addrs(1, 2), 6, Bytes(20, 0));
  EXPECT_EQ(decap(sa, tunnel_packet(4, 4, 0, 0, 3, tcp), Sysctl{}), Reason::kSelectorMismatch);
  const Bytes v6 = oracle::ipv6(oracle::v6addrs(1, 2), 17, oracle::udp({1}));
  EXPECT_EQ(decap(sa, tunnel_packet(6, 4, 0, 0, 4, v6), Sysctl{}), Reason::kSelectorMismatch);
}

TEST(TunnelInput, TfcPaddingAfterTheInnerPacketIsRemoved) {
  Sa sa(xtest::esp_config(gcm(), Mode::kTunnel, 4));
  const Bytes inner = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp({1, 2}));
  const Bytes esp = oracle::esp_seal(xtest::esp_oracle(gcm()), 1, oracle::be64(1),
                                     oracle::cat({inner, Bytes(37, 0)}), 4);
  Bytes out;
  ASSERT_EQ(decap(sa, oracle::ipv4({{192, 0, 2, 1}, {192, 0, 2, 2}}, 50, esp), Sysctl{}, &out), Reason::kNone);
  EXPECT_EQ(out, inner);
}

TEST(TunnelInput, AnyModeSaDecapsulatesIpInIp) {
  Sa sa(xtest::esp_config(gcm(), Mode::kAny, 4));
  Bytes out;
  InputStep step;
  Bytes wire = tunnel_packet(6, 4, 0, 0, 1);
  Packet p(ByteView(wire.data(), wire.size()));
  ASSERT_EQ(xform_input(sa, p, *parse_ip(p.bytes()).info, Sysctl{}, step), Reason::kNone);
  EXPECT_EQ(step.mode, Mode::kTunnel);
  EXPECT_EQ(p.data()[0] >> 4, 6);
}

}  // namespace
