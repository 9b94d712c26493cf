// ESP rules beyond the wire format: the RFC 3602 sample packet, padding modes
// and their check, dummy packets, sequence number overflow, lifetimes, the RFC
// 3686 CTR vector through an SA.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;

Bytes to_bytes(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }

nlohmann::json vectors() {
  std::ifstream f(std::string(AIPSEC_TEST_DATA) + "/vectors/rfc/esp_vectors.json");
  return nlohmann::json::parse(f);
}

Bytes hex(const std::string& s) { return aipsec::from_hex(s); }

Reason receive(Sa& sa, Packet& p, const Sysctl& sc = {}) {
  const auto pr = parse_ip(p.bytes());
  if (!pr.info) return pr.error;
  InputStep step;
  return xform_input(sa, p, *pr.info, sc, step);
}

TEST(EspRfc3602, Case5DecryptsToThePlaintextPacket) {
  const auto v = vectors()["rfc3602_aes_cbc_esp"][0];
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = v["spi_int"].get<std::uint32_t>();
  c.mode = Mode::kTransport;
  c.enc = EncAlg::kAesCbc;  // encryption without integrity: configured explicitly
  const Bytes key = hex(v["key"]);
  c.enc_key = SecureBytes(ByteView(key.data(), key.size()));
  c.replay_window = 32;
  Sa sa(c);
  const Bytes wire = hex(v["ciphertext_packet"]["full"]);
  Packet p(ByteView(wire.data(), wire.size()));
  ASSERT_EQ(receive(sa, p), Reason::kNone);
  EXPECT_EQ(to_bytes(p), hex(v["plaintext_packet"]["full"]));
  // The same packet again is a replay.
  Packet again(ByteView(wire.data(), wire.size()));
  EXPECT_EQ(receive(sa, again), Reason::kReplay);
}

TEST(EspRfc3686, CtrVectorThroughAnSa) {
  // Test Vector #1: the ESP IV is the 8-byte IV of the vector; one block payload.
  const auto v = vectors()["rfc3686_aes_ctr"][0];
  const Bytes key = oracle::cat({hex(v["key"]), hex(v["nonce"])});
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = 0x300;
  c.mode = Mode::kTransport;
  c.enc = EncAlg::kAesCtr;
  c.enc_key = SecureBytes(ByteView(key.data(), key.size()));
  Sa sa(c);
  // ESP: payload = the 16 plaintext bytes minus the 2-byte trailer, so the
  // ciphertext of the trailer position is the vector's too.
  const Bytes pt = hex(v["plaintext"]);
  const Bytes ct = hex(v["ciphertext"]);
  Bytes trailer_pt = pt;
  // Make the plaintext a valid ESP body: last two bytes pad length 0 and next header.
  trailer_pt[14] = 0;
  trailer_pt[15] = 17;
  Bytes body(16);
  for (int i = 0; i < 16; ++i) body[i] = std::uint8_t(ct[i] ^ pt[i] ^ trailer_pt[i]);  // keystream ^ our plaintext
  const Bytes esp = oracle::cat({oracle::be32(0x300), oracle::be32(1), hex(v["iv"]), body});
  const Bytes wire = oracle::ipv4(oracle::v4addrs(1, 2), 50, esp);
  Packet p(ByteView(wire.data(), wire.size()));
  ASSERT_EQ(receive(sa, p), Reason::kNone);
  EXPECT_EQ(oracle::slice(to_bytes(p), 20, 14), oracle::slice(pt, 0, 14));
}

SaConfig cbc_sha1(PadMode pad = PadMode::kSequential) {
  auto c = xtest::esp_config(xtest::esp_cases()[8], Mode::kTransport, 4);
  c.pad = pad;
  return c;
}

TEST(EspPadding, ZeroAndRandomModes) {
  for (PadMode m : {PadMode::kZero, PadMode::kRandom}) {
    Sa sa(cbc_sha1(m));
    const auto o = xtest::esp_oracle(xtest::esp_cases()[8]);
    int nonzero = 0;
    for (int i = 0; i < 8; ++i) {
      const Bytes orig = oracle::udp_packet(4, 3, 1);  // 11-byte payload: 3 bytes of padding
      Packet p(ByteView(orig.data(), orig.size()));
      ASSERT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kNone);
      const auto op = oracle::esp_open(o, oracle::slice(to_bytes(p), 20, p.size() - 20));
      ASSERT_TRUE(op);
      ASSERT_EQ(op->padding.size(), 3u);
      for (auto b : op->padding) nonzero += b != 0;
    }
    if (m == PadMode::kZero) EXPECT_EQ(nonzero, 0);
    else EXPECT_GT(nonzero, 0);
  }
}

Bytes sealed_with_padding(const oracle::EspSa& o, const Bytes& payload, const Bytes& padding, std::uint8_t nh,
                          std::uint32_t seq) {
  // Built without esp_seal's own padding: payload || padding || len || nh, 16-aligned by the caller.
  Bytes pt = oracle::cat({payload, padding, Bytes{std::uint8_t(padding.size()), nh}});
  const Bytes iv(16, 0x5a);
  const Bytes ct = oracle::cipher(oracle::aes("cbc", 16), o.ekey, iv, pt, true);
  const Bytes esp = oracle::cat({oracle::be32(o.spi), oracle::be32(seq), iv, ct});
  return oracle::cat({esp, oracle::auth_mac(o.auth, o.akey, esp)});
}

TEST(EspPadding, SequentialPaddingIsChecked) {
  const auto o = xtest::esp_oracle(xtest::esp_cases()[8]);
  const Bytes l4 = oracle::udp(oracle::pattern(2, 0));  // 10 bytes: 4 bytes of padding to 16
  Sa sa(cbc_sha1());
  const Bytes good = oracle::ipv4(oracle::v4addrs(1, 2), 50, sealed_with_padding(o, l4, {1, 2, 3, 4}, 17, 1));
  Packet p(ByteView(good.data(), good.size()));
  EXPECT_EQ(receive(sa, p), Reason::kNone);
  const Bytes bad = oracle::ipv4(oracle::v4addrs(1, 2), 50, sealed_with_padding(o, l4, {1, 2, 9, 4}, 17, 2));
  Packet q(ByteView(bad.data(), bad.size()));
  EXPECT_EQ(receive(sa, q), Reason::kBadPadding);
  // Pad length larger than the payload.
  const Bytes huge = oracle::ipv4(oracle::v4addrs(1, 2), 50,
                                  sealed_with_padding(o, Bytes{}, Bytes(14, 0), 17, 3));
  Bytes h = huge;
  Packet r(ByteView(h.data(), h.size()));
  Sa zero_pad(cbc_sha1(PadMode::kZero));
  EXPECT_EQ(receive(zero_pad, r), Reason::kNone);  // 14 zero bytes is valid zero padding, empty payload
  // Pad length 200: beyond the body.
  Bytes ov;
  {
    Bytes pt = {0, 0, 200, 17};
    pt.insert(pt.begin(), 12, 0);
    const Bytes iv(16, 1);
    const Bytes ct = oracle::cipher(oracle::aes("cbc", 16), o.ekey, iv, pt, true);
    const Bytes esp = oracle::cat({oracle::be32(o.spi), oracle::be32(5), iv, ct});
    ov = oracle::ipv4(oracle::v4addrs(1, 2), 50, oracle::cat({esp, oracle::auth_mac(o.auth, o.akey, esp)}));
  }
  Packet s(ByteView(ov.data(), ov.size()));
  EXPECT_EQ(receive(zero_pad, s), Reason::kBadPadding);
}

TEST(EspDummy, NextHeader59IsVerifiedThenDropped) {
  const auto o = xtest::esp_oracle(xtest::esp_cases()[2]);  // GCM-16
  Sa sa(xtest::esp_config(xtest::esp_cases()[2], Mode::kTunnel, 4));
  const Bytes esp = oracle::esp_seal(o, 1, Bytes(8, 3), oracle::pattern(20, 1), 59);
  const Bytes wire = oracle::ipv4({{192, 0, 2, 1}, {192, 0, 2, 2}}, 50, esp);
  Packet p(ByteView(wire.data(), wire.size()));
  EXPECT_EQ(receive(sa, p), Reason::kDummyPacket);
  EXPECT_EQ(sa.runtime().replay.top(), 1u);  // it was authentic
  Bytes forged = oracle::ipv4({{192, 0, 2, 1}, {192, 0, 2, 2}}, 50,
                              oracle::esp_seal(o, 2, Bytes(8, 3), oracle::pattern(20, 1), 59));
  forged[30] ^= 1;  // in the IV, so in the nonce
  Packet q(ByteView(forged.data(), forged.size()));
  EXPECT_EQ(receive(sa, q), Reason::kIcvFail);
}

TEST(EspSequence, OverflowWithoutEsnStopsTheSa) {
  Sa sa(xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4));
  sa.runtime().seq_out = 0xfffffffeu;
  const Bytes orig = oracle::udp_packet(4, 10, 1);
  Packet a(ByteView(orig.data(), orig.size()));
  ASSERT_EQ(xform_output(sa, Mode::kTransport, a, Sysctl{}), Reason::kNone);
  EXPECT_EQ(oracle::get32(a.data() + 24), 0xffffffffu);
  Packet b(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, b, Sysctl{}), Reason::kSeqOverflow);
  EXPECT_EQ(sa.state(), SaState::kDead);
}

TEST(EspSequence, CyclicSeqWrapsSkippingZeroWithFreshIvs) {
  auto c = xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4);
  c.cyclic_seq = true;
  Sa sa(c);
  sa.runtime().seq_out = 0xfffffffeu;
  const Bytes orig = oracle::udp_packet(4, 10, 1);
  std::vector<std::uint32_t> seqs;
  std::vector<Bytes> ivs;
  for (int i = 0; i < 3; ++i) {
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kNone);
    seqs.push_back(oracle::get32(p.data() + 24));
    ivs.push_back(Bytes(p.data() + 28, p.data() + 36));
  }
  EXPECT_EQ(seqs, (std::vector<std::uint32_t>{0xffffffffu, 1u, 2u}));
  EXPECT_NE(ivs[0], ivs[1]);
  EXPECT_NE(ivs[1], ivs[2]);
  EXPECT_EQ(sa.state(), SaState::kMature);
}

TEST(EspSequence, EsnOverflowAt2To64) {
  Sa sa(xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4, true));
  sa.runtime().seq_out = ~std::uint64_t(0) - 1;
  const Bytes orig = oracle::udp_packet(4, 10, 1);
  Packet a(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, a, Sysctl{}), Reason::kNone);
  Packet b(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, b, Sysctl{}), Reason::kSeqOverflow);
}

TEST(SaLifetime, SoftThenHardPacketLimits) {
  auto c = xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4);
  c.soft.packets = 2;
  c.hard.packets = 3;
  Sa sa(c);
  const Bytes orig = oracle::udp_packet(4, 10, 1);
  auto send = [&] {
    Packet p(ByteView(orig.data(), orig.size()));
    return xform_output(sa, Mode::kTransport, p, Sysctl{});
  };
  EXPECT_EQ(send(), Reason::kNone);
  EXPECT_EQ(sa.state(), SaState::kMature);
  EXPECT_NE(sa.current().first_use_time.load(), 0u);
  EXPECT_EQ(send(), Reason::kNone);
  EXPECT_EQ(sa.state(), SaState::kDying);
  EXPECT_EQ(send(), Reason::kNone);
  EXPECT_EQ(sa.state(), SaState::kDead);
  EXPECT_EQ(send(), Reason::kLifetimeExpired);
  EXPECT_EQ(sa.current().packets.load(), 3u);
}

TEST(SaLifetime, HardByteLimitCountsPayloadBytes) {
  auto c = xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4);
  c.hard.bytes = 100;
  Sa sa(c);
  const Bytes orig = oracle::udp_packet(4, 52, 1);  // 60 bytes after the IP header
  Packet a(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, a, Sysctl{}), Reason::kNone);
  EXPECT_EQ(sa.current().bytes.load(), 60u);
  Packet b(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, b, Sysctl{}), Reason::kNone);
  Packet d(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, d, Sysctl{}), Reason::kLifetimeExpired);
  EXPECT_EQ(sa.state(), SaState::kDead);
}

TEST(SaState, LarvalAndDeadSasDoNotProcess) {
  Sa sa(xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4));
  sa.set_state(SaState::kLarval);
  const Bytes orig = oracle::udp_packet(4, 10, 1);
  Packet p(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kSaNotMature);
  EXPECT_EQ(to_bytes(p), orig);
}

TEST(EspOutput, TransportModeRefusesFragments) {
  Sa sa(xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4));
  Bytes frag = oracle::udp_packet(4, 10, 1);
  frag[6] = 0x20;  // MF
  frag[10] = frag[11] = 0;
  oracle::put16(frag, 10, oracle::checksum(frag.data(), 20));
  Packet p(ByteView(frag.data(), frag.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kFragment);
}

TEST(EspOutput, TooBigForTheLengthField) {
  Sa sa(xtest::esp_config(xtest::esp_cases()[2], Mode::kTunnel, 4));
  const Bytes orig = oracle::udp_packet(4, 65535 - 28, 1);
  Packet p(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTunnel, p, Sysctl{}), Reason::kTooBig);
}

TEST(EspOutput, Ipv6TransportGoesAfterHopByHopAndComesBack) {
  const Bytes hbh = {17, 0, 0x05, 2, 0, 0, 1, 0};  // Router Alert, PadN
  const Bytes l4 = oracle::udp(oracle::pattern(33, 1));
  const Bytes orig = oracle::ipv6(oracle::v6addrs(1, 2), 0, oracle::cat({hbh, l4}));
  const auto k = xtest::esp_cases()[9];  // CBC-192 + SHA-256
  Sa tx(xtest::esp_config(k, Mode::kTransport, 6)), rx(xtest::esp_config(k, Mode::kTransport, 6));
  Packet p(ByteView(orig.data(), orig.size()));
  ASSERT_EQ(xform_output(tx, Mode::kTransport, p, Sysctl{}), Reason::kNone);
  const Bytes out = to_bytes(p);
  EXPECT_EQ(out[6], 0);   // the IPv6 header still points at hop-by-hop
  EXPECT_EQ(out[40], 50); // which now points at ESP
  EXPECT_EQ(oracle::get16(out, 4), out.size() - 40);
  const auto op = oracle::esp_open(xtest::esp_oracle(k), oracle::slice(out, 48, out.size() - 48));
  ASSERT_TRUE(op);
  EXPECT_EQ(op->nh, 17);
  EXPECT_EQ(op->payload, l4);
  EXPECT_EQ(receive(rx, p), Reason::kNone);
  EXPECT_EQ(to_bytes(p), orig);
}

TEST(AhOutput, RoutingHeaderWithSegmentsLeftIsUnsupported) {
  // Routing header type 2-like layout with Segments Left 1 before the payload.
  Bytes rh = {17, 2, 0, 1, 0, 0, 0, 0};
  rh.resize(24, 0);
  const Bytes orig = oracle::ipv6(oracle::v6addrs(1, 2), 43, oracle::cat({rh, oracle::udp({1, 2, 3})}));
  SaConfig c;
  c.proto = IpsecProto::kAh;
  c.spi = 0x2002;
  c.mode = Mode::kTransport;
  c.auth = AuthAlg::kHmacSha1_96;
  c.auth_key = SecureBytes(Bytes(20, 1));
  Sa sa(c);
  Packet p(ByteView(orig.data(), orig.size()));
  EXPECT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kUnsupported);
}

TEST(EspOutput, NoRoomInTheBuffer) {
  for (Mode m : {Mode::kTransport, Mode::kTunnel}) {
    Sa sa(xtest::esp_config(xtest::esp_cases()[2], m, 4));
    const Bytes orig = oracle::udp_packet(4, 10, 1);
    Packet p(orig.size(), 0);
    ASSERT_TRUE(p.assign(ByteView(orig.data(), orig.size()), 0));
    EXPECT_EQ(xform_output(sa, m, p, Sysctl{}), Reason::kNoRoom);
  }
}

TEST(EspOutput, CbcIvsAreDistinctAndNotTheSequence) {
  Sa sa(cbc_sha1());
  const Bytes orig = oracle::udp_packet(4, 10, 1);
  std::set<Bytes> ivs;
  for (int i = 0; i < 200; ++i) {
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kNone);
    ivs.insert(Bytes(p.data() + 28, p.data() + 44));
  }
  EXPECT_EQ(ivs.size(), 200u);
  Sa other(cbc_sha1());
  Packet p(ByteView(orig.data(), orig.size()));
  ASSERT_EQ(xform_output(other, Mode::kTransport, p, Sysctl{}), Reason::kNone);
  EXPECT_EQ(ivs.count(Bytes(p.data() + 28, p.data() + 44)), 0u);  // per-SA random IV key
}

}  // namespace
