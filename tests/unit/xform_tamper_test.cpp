// Robustness: every byte of a protected packet flipped in turn is rejected, a
// packet for another SPI is refused, and every truncation gives a reason
// (never a crash; the suite also runs under -DAIPSEC_SANITIZE=ON).
#include <gtest/gtest.h>

#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;

struct Kind {
  std::string name;
  SaConfig (*make)(Mode, int);
};

SaConfig esp_of(std::size_t i, Mode m, int v) { return xtest::esp_config(xtest::esp_cases()[i], m, v); }
SaConfig ah_of(AuthAlg a, std::size_t key, Mode m, int v) {
  SaConfig c;
  c.proto = IpsecProto::kAh;
  c.spi = 0x2002;
  c.mode = m;
  xtest::set_endpoints(c, v);
  c.auth = a;
  c.auth_key = SecureBytes(Bytes(key, 0x33));
  c.replay_window = 64;
  return c;
}

std::vector<Kind> kinds() {
  return {
      {"esp_gcm16", [](Mode m, int v) { return esp_of(2, m, v); }},
      {"esp_chacha", [](Mode m, int v) { return esp_of(4, m, v); }},
      {"esp_gmac", [](Mode m, int v) { return esp_of(5, m, v); }},
      {"esp_cbc_sha1", [](Mode m, int v) { return esp_of(8, m, v); }},
      {"esp_ctr_xcbc", [](Mode m, int v) { return esp_of(15, m, v); }},
      {"esp_null_sha256", [](Mode m, int v) { return esp_of(17, m, v); }},
      {"ah_sha1", [](Mode m, int v) { return ah_of(AuthAlg::kHmacSha1_96, 20, m, v); }},
      {"ah_gmac", [](Mode m, int v) { return ah_of(AuthAlg::kAesGmac, 20, m, v); }},
  };
}

Reason receive(Sa& sa, const Bytes& wire) {
  Packet p(ByteView(wire.data(), wire.size()));
  const auto pr = parse_ip(p.bytes());
  if (!pr.info) return pr.error;
  InputStep step;
  return xform_input(sa, p, *pr.info, Sysctl{}, step);
}

// Bytes that the transform does not protect (and that a router may change).
bool unprotected(const SaConfig& c, int v, std::size_t i) {
  if (c.proto == IpsecProto::kEsp) return i < (v == 4 ? 20u : 40u);  // the IP header
  if (v == 4) return i == 1 || i == 6 || i == 7 || i == 8;           // TOS, flags/offset, TTL
  return i < 4 || i == 7;                                             // class, flow label, hop limit
}

class Tamper : public ::testing::TestWithParam<Kind> {};

TEST_P(Tamper, EveryFlippedByteIsRejected) {
  for (Mode m : {Mode::kTransport, Mode::kTunnel}) {
    for (int v : {4, 6}) {
      SCOPED_TRACE(testing::Message() << (m == Mode::kTunnel ? "tunnel" : "transport") << " v" << v);
      const SaConfig c = GetParam().make(m, v);
      Sa tx(c), rx(c);
      const Bytes orig = oracle::udp_packet(v, 41, 4);
      Packet p(ByteView(orig.data(), orig.size()));
      ASSERT_EQ(xform_output(tx, m, p, Sysctl{}), Reason::kNone);
      const Bytes good(p.bytes().begin(), p.bytes().end());
      for (std::size_t i = 0; i < good.size(); ++i) {
        if (unprotected(c, v, i)) continue;
        Bytes bad = good;
        bad[i] ^= 0xa5;
        const Reason r = receive(rx, bad);
        EXPECT_NE(r, Reason::kNone) << "byte " << i << " flipped was accepted";
      }
      EXPECT_EQ(receive(rx, good), Reason::kNone);  // nothing above moved the window
      EXPECT_EQ(receive(rx, good), Reason::kReplay);
    }
  }
}

TEST_P(Tamper, EveryTruncationGivesAReason) {
  for (int v : {4, 6}) {
    const SaConfig c = GetParam().make(Mode::kTunnel, v);
    Sa tx(c), rx(c);
    const Bytes orig = oracle::udp_packet(4, 23, 4);
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(tx, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
    const Bytes good(p.bytes().begin(), p.bytes().end());
    const std::size_t hl = v == 4 ? 20 : 40;
    for (std::size_t n = 0; n < good.size(); ++n) {
      Bytes cut(good.begin(), good.begin() + long(n));
      EXPECT_NE(receive(rx, cut), Reason::kNone) << "raw cut at " << n;
      if (n < hl) continue;
      // Consistent lengths, so the transform itself sees the short payload.
      if (v == 4) {
        oracle::put16(cut, 2, std::uint16_t(n));
        cut[10] = cut[11] = 0;
        oracle::put16(cut, 10, oracle::checksum(cut.data(), 20));
      } else {
        oracle::put16(cut, 4, std::uint16_t(n - 40));
      }
      EXPECT_NE(receive(rx, cut), Reason::kNone) << "cut at " << n;
    }
  }
}

TEST_P(Tamper, PacketOfAnotherSpiIsRefused) {
  SaConfig c = GetParam().make(Mode::kTransport, 4);
  Sa tx(c);
  c.spi = 0x9999;
  Sa rx(c);
  const Bytes orig = oracle::udp_packet(4, 20, 4);
  Packet p(ByteView(orig.data(), orig.size()));
  ASSERT_EQ(xform_output(tx, Mode::kTransport, p, Sysctl{}), Reason::kNone);
  EXPECT_EQ(receive(rx, Bytes(p.bytes().begin(), p.bytes().end())), Reason::kUnknownSpi);
}

INSTANTIATE_TEST_SUITE_P(Kinds, Tamper, ::testing::ValuesIn(kinds()), [](const auto& tp) { return tp.param.name; });

TEST(TamperIpComp, RandomGarbageNeverCrashes) {
  SaConfig c;
  c.proto = IpsecProto::kIpComp;
  c.spi = 2;
  c.comp = CompAlg::kDeflate;
  Sa sa(c);
  std::uint32_t x = 12345;
  for (int i = 0; i < 500; ++i) {
    Bytes body(std::size_t(i % 97));
    for (auto& b : body) b = std::uint8_t((x = x * 1103515245u + 12345u) >> 16);
    const Bytes wire = oracle::ipv4(oracle::v4addrs(1, 2), 108, body);
    const Reason r = receive(sa, wire);
    EXPECT_TRUE(r == Reason::kNone || r == Reason::kDecompressFail || r == Reason::kTruncated ||
                r == Reason::kBadNextHeader || r == Reason::kMalformedIp)
        << reason_name(r);
  }
}

}  // namespace
