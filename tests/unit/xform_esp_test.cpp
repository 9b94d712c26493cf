// ESP against an independent oracle: every algorithm combination, transport and
// tunnel mode (4in4, 6in6, 4in6, 6in4), packets protected by xform_output are
// opened with OpenSSL following the RFC layout, and packets sealed with OpenSSL
// are opened by xform_input.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;

struct Layout {
  Mode mode;
  int inner;  // IP version of the packet given to the transform
  int outer;  // IP version of the SA endpoints (tunnel mode)
  const char* name;
};
constexpr Layout kLayouts[] = {
    {Mode::kTransport, 4, 4, "transport4"}, {Mode::kTransport, 6, 6, "transport6"},
    {Mode::kTunnel, 4, 4, "tunnel4in4"},    {Mode::kTunnel, 6, 6, "tunnel6in6"},
    {Mode::kTunnel, 4, 6, "tunnel4in6"},    {Mode::kTunnel, 6, 4, "tunnel6in4"},
};
constexpr std::size_t kSizes[] = {0, 1, 13, 14, 15, 100, 1400};

Bytes to_bytes(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }

Bytes random_iv(std::size_t n) {
  Bytes b(n);
  if (n) RAND_bytes(b.data(), int(n));
  return b;
}

// Checks the outer/transport IP header of a protected packet and returns the ESP part.
Bytes esp_part(const Bytes& out, const Bytes& orig, const Layout& l) {
  const int v = l.mode == Mode::kTunnel ? l.outer : l.inner;
  const std::size_t hl = v == 4 ? 20 : 40;
  EXPECT_EQ(out[0] >> 4, v);
  if (v == 4) {
    EXPECT_EQ(out[9], 50);
    EXPECT_EQ(oracle::get16(out, 2), out.size());
    EXPECT_EQ(oracle::checksum(out.data(), 20), 0);
  } else {
    EXPECT_EQ(out[6], 50);
    EXPECT_EQ(oracle::get16(out, 4), out.size() - 40);
  }
  if (l.mode == Mode::kTransport) {
    // Everything but protocol, length and checksum is the original header.
    Bytes a = oracle::slice(out, 0, hl), b = oracle::slice(orig, 0, hl);
    for (std::size_t i : v == 4 ? std::vector<std::size_t>{2, 3, 9, 10, 11} : std::vector<std::size_t>{4, 5, 6})
      a[i] = b[i] = 0;
    EXPECT_EQ(a, b);
  } else {
    SaConfig c;
    xtest::set_endpoints(c, l.outer);
    const std::size_t ao = v == 4 ? 12 : 8, n = v == 4 ? 4 : 16;
    EXPECT_TRUE(std::equal(out.begin() + long(ao), out.begin() + long(ao + n), c.src.b.begin()));
    EXPECT_TRUE(std::equal(out.begin() + long(ao + n), out.begin() + long(ao + 2 * n), c.dst.b.begin()));
  }
  return oracle::slice(out, hl, out.size() - hl);
}

class EspOracle : public ::testing::TestWithParam<xtest::EspCase> {};

TEST_P(EspOracle, OutputOpensWithOpenSsl) {
  const auto& k = GetParam();
  for (const Layout& l : kLayouts) {
    Sa sa(xtest::esp_config(k, l.mode, l.outer));
    const auto o = xtest::esp_oracle(k);
    std::uint32_t seq = 0;
    for (std::size_t n : kSizes) {
      SCOPED_TRACE(std::string(l.name) + " payload " + std::to_string(n));
      const Bytes orig = oracle::udp_packet(l.inner, n, std::uint8_t(n));
      Packet p(ByteView(orig.data(), orig.size()));
      ASSERT_EQ(xform_output(sa, l.mode, p, Sysctl{}), Reason::kNone);
      const Bytes out = to_bytes(p);
      const auto opened = oracle::esp_open(o, esp_part(out, orig, l));
      ASSERT_TRUE(opened.has_value()) << "OpenSSL did not verify/decrypt";
      EXPECT_EQ(opened->spi, 0x1001u);
      EXPECT_EQ(opened->seq_lo, ++seq);
      for (std::size_t i = 0; i < opened->padding.size(); ++i) EXPECT_EQ(opened->padding[i], i + 1);
      const std::size_t align = k.oenc == oracle::Enc::kCbc ? 16 : 4;
      EXPECT_LT(opened->padding.size(), align);
      if (l.mode == Mode::kTunnel) {
        EXPECT_EQ(opened->nh, l.inner == 4 ? 4 : 41);
        EXPECT_EQ(opened->payload, orig);
      } else {
        const std::size_t hl = l.inner == 4 ? 20 : 40;
        EXPECT_EQ(opened->nh, 17);
        EXPECT_EQ(opened->payload, oracle::slice(orig, hl, orig.size() - hl));
      }
      // Counter-mode IVs are the 64-bit sequence number (RFC 4106 3.1 allows a counter).
      if (k.oenc != oracle::Enc::kCbc && k.oenc != oracle::Enc::kNull) {
        EXPECT_EQ(opened->iv, oracle::be64(seq));
      }
    }
    EXPECT_EQ(sa.current().packets.load(), std::size(kSizes));
  }
}

TEST_P(EspOracle, InputOpensOpenSslSealed) {
  const auto& k = GetParam();
  for (const Layout& l : kLayouts) {
    Sa sa(xtest::esp_config(k, l.mode, l.outer));
    const auto o = xtest::esp_oracle(k);
    std::uint32_t seq = 0;
    for (std::size_t n : kSizes) {
      SCOPED_TRACE(std::string(l.name) + " payload " + std::to_string(n));
      const Bytes orig = oracle::udp_packet(l.inner, n, std::uint8_t(n + 1));
      Bytes wire;
      const Bytes iv = random_iv(oracle::iv_len(k.oenc));
      if (l.mode == Mode::kTunnel) {
        const Bytes esp = oracle::esp_seal(o, ++seq, iv, orig, l.inner == 4 ? 4 : 41);
        SaConfig c;
        xtest::set_endpoints(c, l.outer);
        oracle::Addrs a{Bytes(c.src.b.begin(), c.src.b.begin() + long(c.src.size())),
                        Bytes(c.dst.b.begin(), c.dst.b.begin() + long(c.dst.size()))};
        wire = l.outer == 4 ? oracle::ipv4(a, 50, esp) : oracle::ipv6(a, 50, esp);
      } else {
        const std::size_t hl = l.inner == 4 ? 20 : 40;
        const Bytes esp = oracle::esp_seal(o, ++seq, iv, oracle::slice(orig, hl, orig.size() - hl), 17);
        wire = l.inner == 4 ? oracle::ipv4(oracle::v4addrs(1, 2), 50, esp) : oracle::ipv6(oracle::v6addrs(1, 2), 50, esp);
      }
      Packet p(ByteView(wire.data(), wire.size()));
      const auto pr = parse_ip(p.bytes());
      ASSERT_TRUE(pr.info.has_value());
      InputStep step;
      ASSERT_EQ(xform_input(sa, p, *pr.info, Sysctl{}, step), Reason::kNone);
      EXPECT_EQ(to_bytes(p), orig);
      EXPECT_EQ(step.mode, l.mode);
      EXPECT_EQ(step.spi, 0x1001u);
      EXPECT_EQ(step.proto, IpsecProto::kEsp);
    }
  }
}

// ESN (RFC 4303 2.2.1 and Appendix A): across the 2^32 boundary the high half is
// in the AAD (combined modes) or after the trailer for the ICV, never on the wire.
TEST_P(EspOracle, EsnAcrossTheWrap) {
  const auto& k = GetParam();
  const bool has_icv = k.oauth != oracle::Auth::kNone || oracle::is_aead(k.oenc);
  Sa tx(xtest::esp_config(k, Mode::kTunnel, 4, true));
  tx.runtime().seq_out = 0xfffffffeu;
  const auto o = xtest::esp_oracle(k, true);
  for (std::uint64_t want : {0xffffffffull, 0x100000000ull, 0x100000001ull}) {
    const Bytes orig = oracle::udp_packet(4, 50, 3);
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(tx, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
    const Bytes esp = oracle::slice(to_bytes(p), 20, p.size() - 20);
    const auto opened = oracle::esp_open(o, esp, std::uint32_t(want >> 32));
    ASSERT_TRUE(opened.has_value()) << "seq " << want;
    EXPECT_EQ(opened->seq_lo, std::uint32_t(want));
    if (has_icv) {  // the high half is authenticated: a wrong guess must fail
      EXPECT_FALSE(oracle::esp_open(o, esp, std::uint32_t(want >> 32) + 1).has_value());
    }
  }
  // Receiver: positioned just below the wrap, it infers seq_hi = 1 for a small seq_lo.
  Sa rx(xtest::esp_config(k, Mode::kTunnel, 4, true));
  rx.runtime().replay.update(0xfffffff0u);
  const Bytes orig = oracle::udp_packet(4, 60, 9);
  const Bytes esp = oracle::esp_seal(o, 0x100000005ull, random_iv(oracle::iv_len(k.oenc)), orig, 4);
  const Bytes wire = oracle::ipv4({{192, 0, 2, 1}, {192, 0, 2, 2}}, 50, esp);
  Packet p(ByteView(wire.data(), wire.size()));
  InputStep step;
  ASSERT_EQ(xform_input(rx, p, *parse_ip(p.bytes()).info, Sysctl{}, step), Reason::kNone);
  EXPECT_EQ(to_bytes(p), orig);
  EXPECT_EQ(rx.runtime().replay.top(), 0x100000005ull);
}

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, EspOracle, ::testing::ValuesIn(xtest::esp_cases()),
                         [](const auto& tp) { return tp.param.name; });

}  // namespace
