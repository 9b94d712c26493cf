// AH against an independent oracle: the ICV recomputed here over the datagram
// with the mutable fields zeroed as RFC 4302 3.3.3.1 / Appendix A says, with
// OpenSSL HMAC, a local AES-XCBC (RFC 3566) and AES-GCM for GMAC (RFC 4543).
#include <gtest/gtest.h>

#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;

struct AhCase {
  std::string name;
  AuthAlg auth;
  std::size_t key_len;
  std::size_t icv;
  oracle::Auth oauth;  // kNone = GMAC
};

std::vector<AhCase> ah_cases() {
  return {{"sha1", AuthAlg::kHmacSha1_96, 20, 12, oracle::Auth::kSha1},
          {"sha256", AuthAlg::kHmacSha256_128, 32, 16, oracle::Auth::kSha256},
          {"sha384", AuthAlg::kHmacSha384_192, 48, 24, oracle::Auth::kSha384},
          {"sha512", AuthAlg::kHmacSha512_256, 64, 32, oracle::Auth::kSha512},
          {"xcbc", AuthAlg::kAesXcbc96, 16, 12, oracle::Auth::kXcbc},
          {"gmac128", AuthAlg::kAesGmac, 20, 16, oracle::Auth::kNone},
          {"gmac256", AuthAlg::kAesGmac, 36, 16, oracle::Auth::kNone}};
}

SaConfig ah_config(const AhCase& k, Mode mode, int ov, bool esn = false) {
  SaConfig c;
  c.proto = IpsecProto::kAh;
  c.spi = 0x2002;
  c.mode = mode;
  xtest::set_endpoints(c, ov);
  c.auth = k.auth;
  const Bytes key = oracle::pattern(k.key_len, 0x40);
  c.auth_key = SecureBytes(ByteView(key.data(), key.size()));
  c.esn = esn;
  c.replay_window = 32;
  return c;
}

bool is_gmac(const AhCase& k) { return k.oauth == oracle::Auth::kNone; }
std::size_t ah_len(const AhCase& k, int v) {
  const std::size_t raw = 12 + (is_gmac(k) ? 8 : 0) + k.icv, a = v == 4 ? 4 : 8;
  return (raw + a - 1) / a * a;
}

// Zeroes what RFC 4302 calls mutable in a datagram without options or
// extension headers (ah_cleartos=1, ah_offsetmask=0: the defaults).
Bytes massage(Bytes d) {
  if ((d[0] >> 4) == 4) {
    d[1] = 0;
    d[6] = d[7] = 0;
    d[8] = 0;
    d[10] = d[11] = 0;
  } else {
    d[0] &= 0xf0;
    d[1] = d[2] = d[3] = 0;
    d[7] = 0;
  }
  return d;
}

// The oracle ICV of a datagram whose AH header is at off (ICV field zeroed in d).
Bytes oracle_icv(const AhCase& k, const Bytes& massaged, std::size_t off, std::uint32_t seq_hi, bool esn) {
  const Bytes key = oracle::pattern(k.key_len, 0x40);
  const Bytes data = esn ? oracle::cat({massaged, oracle::be32(seq_hi)}) : massaged;
  if (!is_gmac(k)) return oracle::auth_mac(k.oauth, key, data);
  const Bytes nonce = oracle::cat({oracle::slice(key, key.size() - 4, 4), oracle::slice(massaged, off + 12, 8)});
  return oracle::aead_seal(false, oracle::slice(key, 0, key.size() - 4), nonce, data, {}, 16);
}

struct Layout {
  Mode mode;
  int inner, outer;
  const char* name;
};
constexpr Layout kLayouts[] = {
    {Mode::kTransport, 4, 4, "transport4"}, {Mode::kTransport, 6, 6, "transport6"},
    {Mode::kTunnel, 4, 4, "tunnel4in4"},    {Mode::kTunnel, 6, 6, "tunnel6in6"},
    {Mode::kTunnel, 4, 6, "tunnel4in6"},    {Mode::kTunnel, 6, 4, "tunnel6in4"},
};

Bytes to_bytes(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }

class AhOracle : public ::testing::TestWithParam<AhCase> {};

TEST_P(AhOracle, OutputVerifiesWithOracle) {
  const auto& k = GetParam();
  for (const Layout& l : kLayouts) {
    SCOPED_TRACE(l.name);
    Sa sa(ah_config(k, l.mode, l.outer));
    const Bytes orig = oracle::udp_packet(l.inner, 77, 5, 0xb9);  // DSCP 46, ECN ECT(1)
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(sa, l.mode, p, Sysctl{}), Reason::kNone);
    Bytes out = to_bytes(p);
    const int v = l.mode == Mode::kTunnel ? l.outer : l.inner;
    const std::size_t off = v == 4 ? 20 : 40, len = ah_len(k, v);
    EXPECT_EQ(out[v == 4 ? 9 : 6], 51);
    const std::size_t plen = l.mode == Mode::kTunnel ? orig.size() : orig.size() - off;
    ASSERT_EQ(out.size(), off + len + plen);
    EXPECT_EQ(out[off], l.mode == Mode::kTunnel ? (l.inner == 4 ? 4 : 41) : 17);
    EXPECT_EQ((out[off + 1] + 2) * 4u, len);
    EXPECT_EQ(oracle::get32(&out[off + 4]), 0x2002u);
    EXPECT_EQ(oracle::get32(&out[off + 8]), 1u);
    EXPECT_EQ(oracle::slice(out, off + len, plen), oracle::slice(orig, orig.size() - plen, plen));
    const std::size_t icv_at = off + 12 + (is_gmac(k) ? 8 : 0);
    const Bytes icv = oracle::slice(out, icv_at, k.icv);
    std::fill(out.begin() + long(icv_at), out.begin() + long(off + len), 0);
    EXPECT_EQ(icv, oracle_icv(k, massage(out), off, 0, false));
  }
}

TEST_P(AhOracle, InputVerifiesOracleBuilt) {
  const auto& k = GetParam();
  for (const Layout& l : kLayouts) {
    SCOPED_TRACE(l.name);
    Sa sa(ah_config(k, l.mode, l.outer));
    const Bytes orig = oracle::udp_packet(l.inner, 33, 8);
    const int v = l.mode == Mode::kTunnel ? l.outer : l.inner;
    const std::size_t off = v == 4 ? 20 : 40, len = ah_len(k, v);
    Bytes ah(len, 0);
    ah[0] = std::uint8_t(l.mode == Mode::kTunnel ? (l.inner == 4 ? 4 : 41) : 17);
    ah[1] = std::uint8_t(len / 4 - 2);
    oracle::put32(&ah[4], 0x2002);
    oracle::put32(&ah[8], 7);
    if (is_gmac(k)) oracle::put32(&ah[16], 0xabcdef);  // any unique IV
    const Bytes payload = l.mode == Mode::kTunnel ? orig : oracle::slice(orig, off, orig.size() - off);
    SaConfig c;
    xtest::set_endpoints(c, l.outer);
    oracle::Addrs a = l.mode == Mode::kTunnel
                          ? oracle::Addrs{Bytes(c.src.b.begin(), c.src.b.begin() + long(c.src.size())),
                                          Bytes(c.dst.b.begin(), c.dst.b.begin() + long(c.dst.size()))}
                          : (v == 4 ? oracle::v4addrs(1, 2) : oracle::v6addrs(1, 2));
    Bytes wire = v == 4 ? oracle::ipv4(a, 51, oracle::cat({ah, payload}), 0x10)
                        : oracle::ipv6(a, 51, oracle::cat({ah, payload}), 0x10);
    const Bytes icv = oracle_icv(k, massage(wire), off, 0, false);
    std::copy(icv.begin(), icv.end(), wire.begin() + long(off + 12 + (is_gmac(k) ? 8 : 0)));
    wire[v == 4 ? 8 : 7] = 17;  // a router changed the TTL / hop limit: still valid
    if (v == 4) {
      wire[10] = wire[11] = 0;
      oracle::put16(wire, 10, oracle::checksum(wire.data(), 20));
    }
    Packet p(ByteView(wire.data(), wire.size()));
    InputStep step;
    ASSERT_EQ(xform_input(sa, p, *parse_ip(p.bytes()).info, Sysctl{}, step), Reason::kNone);
    Bytes want = orig;
    if (l.mode == Mode::kTransport) {  // the transport header as received (TOS 0x10, TTL 17) stays
      want = v == 4 ? oracle::ipv4(a, 17, payload, 0x10) : oracle::ipv6(a, 17, payload, 0x10);
      want[v == 4 ? 8 : 7] = 17;
      if (v == 4) {
        want[10] = want[11] = 0;
        oracle::put16(want, 10, oracle::checksum(want.data(), 20));
      }
    }
    EXPECT_EQ(to_bytes(p), want);
    EXPECT_EQ(step.proto, IpsecProto::kAh);
  }
}

TEST_P(AhOracle, EsnHighHalfFollowsThePacket) {
  const auto& k = GetParam();
  Sa sa(ah_config(k, Mode::kTransport, 4, true));
  sa.runtime().seq_out = 0xffffffffu;
  const Bytes orig = oracle::udp_packet(4, 20, 1);
  Packet p(ByteView(orig.data(), orig.size()));
  ASSERT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kNone);
  Bytes out = to_bytes(p);
  EXPECT_EQ(oracle::get32(&out[28]), 0u);  // seq_lo of 2^32
  const std::size_t icv_at = 32 + (is_gmac(k) ? 8 : 0);
  const Bytes icv = oracle::slice(out, icv_at, k.icv);
  std::fill(out.begin() + long(icv_at), out.begin() + long(20 + ah_len(k, 4)), 0);
  EXPECT_EQ(icv, oracle_icv(k, massage(out), 20, 1, true));
  EXPECT_NE(icv, oracle_icv(k, massage(out), 20, 0, true));
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, AhOracle, ::testing::ValuesIn(ah_cases()),
                         [](const auto& tp) { return tp.param.name; });

// ---- mutable fields: which changes in transit the ICV tolerates

SaConfig sha256_transport() { return ah_config(ah_cases()[1], Mode::kTransport, 4); }

Reason send_then_receive(Sa& tx, Sa& rx, Bytes orig, const Sysctl& sc, const std::function<void(Bytes&)>& transit) {
  Packet p(ByteView(orig.data(), orig.size()));
  if (Reason r = xform_output(tx, Mode::kTransport, p, sc); r != Reason::kNone) return r;
  Bytes wire = to_bytes(p);
  transit(wire);
  Packet q(ByteView(wire.data(), wire.size()));
  const auto pr = parse_ip(q.bytes(), false);
  if (!pr.info) return pr.error;
  InputStep step;
  return xform_input(rx, q, *pr.info, sc, step);
}

void fix_v4_checksum(Bytes& w) {
  const std::size_t hl = std::size_t(w[0] & 15) * 4;
  w[10] = w[11] = 0;
  oracle::put16(w, 10, oracle::checksum(w.data(), hl));
}

TEST(AhMutable, Ipv4OptionsImmutableKeptMutableZeroed) {
  // Router Alert (148, immutable), Record Route (7, mutable), NOP: 12 bytes.
  const Bytes opts = {148, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0, 1};
  const Bytes orig = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(oracle::pattern(40, 1)), 0, false, 9, opts);
  Sa tx(sha256_transport()), rx(sha256_transport());
  EXPECT_EQ(send_then_receive(tx, rx, orig, Sysctl{}, [](Bytes& w) {
              w[8] = 1;                     // TTL
              w[26] = 192; w[27] = 0;       // Record Route data
              w[6] = 0x40;                  // DF set in transit (flags masked by ah_offsetmask 0)
              w[1] = 0x20;                  // TOS (ah_cleartos 1)
              fix_v4_checksum(w);
            }),
            Reason::kNone);
  EXPECT_EQ(send_then_receive(tx, rx, orig, Sysctl{}, [](Bytes& w) {
              w[22] = 1;  // Router Alert value
              fix_v4_checksum(w);
            }),
            Reason::kIcvFail);
}

TEST(AhMutable, TosProtectedWhenCleartosIsOff) {
  Sysctl sc;
  sc.ah_cleartos = 0;
  Sa tx(sha256_transport()), rx(sha256_transport());
  const Bytes orig = oracle::udp_packet(4, 10, 3, 0x28);
  EXPECT_EQ(send_then_receive(tx, rx, orig, sc, [](Bytes& w) { w[8] = 3; fix_v4_checksum(w); }), Reason::kNone);
  EXPECT_EQ(send_then_receive(tx, rx, orig, sc, [](Bytes& w) { w[1] = 0; fix_v4_checksum(w); }), Reason::kIcvFail);
}

TEST(AhMutable, OffsetMaskKeepsFlagsInTheIcv) {
  Sysctl sc;
  sc.ah_offsetmask = 0xffff;
  Sa tx(sha256_transport()), rx(sha256_transport());
  const Bytes orig = oracle::udp_packet(4, 10, 3);
  EXPECT_EQ(send_then_receive(tx, rx, orig, sc, [](Bytes& w) { w[6] = 0x40; fix_v4_checksum(w); }),
            Reason::kIcvFail);
}

TEST(AhMutable, Ipv6OptionWithChangeBitIsZeroed) {
  // Hop-by-hop: option 0x23 (may change en route), Router Alert 0x05 (fixed), PadN.
  const Bytes hbh = {17, 1, 0x23, 2, 0xaa, 0xbb, 0x05, 2, 0, 0, 1, 4, 0, 0, 0, 0};
  const Bytes orig = oracle::ipv6(oracle::v6addrs(1, 2), 0, oracle::cat({hbh, oracle::udp(oracle::pattern(30, 2))}), 0x44);
  SaConfig c = ah_config(ah_cases()[1], Mode::kTransport, 6);
  Sa tx(c), rx(c);
  Packet p(ByteView(orig.data(), orig.size()));
  ASSERT_EQ(xform_output(tx, Mode::kTransport, p, Sysctl{}), Reason::kNone);
  EXPECT_EQ(p.data()[40], 51);  // AH follows the hop-by-hop header
  EXPECT_EQ(send_then_receive(tx, rx, orig, Sysctl{}, [](Bytes& w) {
              w[44] = 0x11;  // data of option 0x23
              w[7] = 1;      // hop limit
              w[1] ^= 0x0f;  // flow label
            }),
            Reason::kNone);
  EXPECT_EQ(send_then_receive(tx, rx, orig, Sysctl{}, [](Bytes& w) { w[48] = 1; }), Reason::kIcvFail);
}

TEST(AhMutable, Ipv6LengthIsAMultipleOf8) {
  Sa sa(ah_config(ah_cases()[1], Mode::kTransport, 6));  // 12 + 16 = 28 -> 32
  const Bytes orig = oracle::udp_packet(6, 10, 3);
  Packet p(ByteView(orig.data(), orig.size()));
  ASSERT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kNone);
  EXPECT_EQ((p.data()[41] + 2) * 4, 32);
  EXPECT_EQ(p.size(), orig.size() + 32);
}

}  // namespace
