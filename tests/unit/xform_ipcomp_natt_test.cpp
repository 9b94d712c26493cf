// IPComp (RFC 3173/2394) against zlib called directly, NAT-T (RFC 3948) framing.
#include <gtest/gtest.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "aipsec/packet.hpp"
#include "aipsec/sa_runtime.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {

using namespace aipsec;
using oracle::Bytes;

Bytes to_bytes(const Packet& p) { return Bytes(p.bytes().begin(), p.bytes().end()); }

Bytes raw_inflate(const Bytes& in) {
  z_stream z{};
  inflateInit2(&z, -15);
  Bytes out(70000);
  z.next_in = const_cast<Bytes::value_type*>(in.data());
  z.avail_in = uInt(in.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  const int r = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  if (r != Z_STREAM_END) throw std::runtime_error("zlib inflate failed");
  return out;
}

Bytes raw_deflate(const Bytes& in) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  Bytes out(in.size() + 1024);
  z.next_in = const_cast<Bytes::value_type*>(in.data());
  z.avail_in = uInt(in.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

SaConfig ipcomp(Mode mode, bool raw_cpi = false) {
  SaConfig c;
  c.proto = IpsecProto::kIpComp;
  c.spi = 0x4242;
  c.mode = mode;
  xtest::set_endpoints(c, 4);
  c.comp = CompAlg::kDeflate;
  c.ipcomp_raw_cpi = raw_cpi;
  return c;
}

Bytes compressible(std::size_t n) { return Bytes(n, 'a'); }

TEST(IpComp, CompressesAndZlibInflates) {
  for (int v : {4, 6}) {
    for (bool raw : {false, true}) {
      Sa sa(ipcomp(Mode::kTransport, raw));
      const std::size_t hl = v == 4 ? 20 : 40;
      const Bytes l4 = oracle::udp(compressible(1000));
      const Bytes orig = v == 4 ? oracle::ipv4(oracle::v4addrs(1, 2), 17, l4) : oracle::ipv6(oracle::v6addrs(1, 2), 17, l4);
      Packet p(ByteView(orig.data(), orig.size()));
      ASSERT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kNone);
      const Bytes out = to_bytes(p);
      EXPECT_EQ(out[v == 4 ? 9 : 6], 108);
      EXPECT_LT(out.size(), orig.size());
      EXPECT_EQ(out[hl], 17);      // next header
      EXPECT_EQ(out[hl + 1], 0);   // flags
      EXPECT_EQ(oracle::get16(out, hl + 2), raw ? 0x4242 : 2);
      EXPECT_EQ(raw_inflate(oracle::slice(out, hl + 4, out.size() - hl - 4)), l4);
      if (v == 4) {
        EXPECT_EQ(oracle::checksum(out.data(), 20), 0);
      }
    }
  }
}

TEST(IpComp, SmallOrIncompressiblePayloadsAreSentAsTheyAre) {
  Sa sa(ipcomp(Mode::kTransport));
  const Bytes small = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(compressible(81)));  // 89 bytes
  Packet p(ByteView(small.data(), small.size()));
  ASSERT_EQ(xform_output(sa, Mode::kTransport, p, Sysctl{}), Reason::kNone);
  EXPECT_EQ(to_bytes(p), small);
  Bytes noise(500);
  RAND_bytes(noise.data(), int(noise.size()));
  const Bytes rnd = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(noise));
  Packet q(ByteView(rnd.data(), rnd.size()));
  ASSERT_EQ(xform_output(sa, Mode::kTransport, q, Sysctl{}), Reason::kNone);
  EXPECT_EQ(to_bytes(q), rnd);
}

TEST(IpComp, InflatesZlibDeflatedInBothModes) {
  const Bytes l4 = oracle::udp(compressible(3000));
  const Bytes inner = oracle::ipv4(oracle::v4addrs(1, 2), 17, l4);
  {
    Sa sa(ipcomp(Mode::kTransport));
    const Bytes wire = oracle::ipv4(oracle::v4addrs(1, 2), 108, oracle::cat({Bytes{17, 0, 0, 2}, raw_deflate(l4)}));
    Packet p(ByteView(wire.data(), wire.size()));
    InputStep step;
    ASSERT_EQ(xform_input(sa, p, *parse_ip(p.bytes()).info, Sysctl{}, step), Reason::kNone);
    EXPECT_EQ(to_bytes(p), inner);
  }
  {
    Sa sa(ipcomp(Mode::kTunnel));
    const Bytes wire = oracle::ipv4({{192, 0, 2, 1}, {192, 0, 2, 2}}, 108,
                                    oracle::cat({Bytes{4, 0, 0, 2}, raw_deflate(inner)}));
    Packet p(ByteView(wire.data(), wire.size()));
    InputStep step;
    ASSERT_EQ(xform_input(sa, p, *parse_ip(p.bytes()).info, Sysctl{}, step), Reason::kNone);
    EXPECT_EQ(to_bytes(p), inner);
    EXPECT_EQ(step.mode, Mode::kTunnel);
  }
}

TEST(IpComp, CorruptDataIsDecompressFail) {
  Sa sa(ipcomp(Mode::kTransport));
  Bytes junk = raw_deflate(oracle::udp(compressible(500)));
  junk.resize(junk.size() / 2);
  for (const Bytes& body : {junk, Bytes{0xff, 0xff, 0xff, 0xff, 0xff}, Bytes{}}) {
    const Bytes wire = oracle::ipv4(oracle::v4addrs(1, 2), 108, oracle::cat({Bytes{17, 0, 0, 2}, body}));
    Packet p(ByteView(wire.data(), wire.size()));
    InputStep step;
    EXPECT_EQ(xform_input(sa, p, *parse_ip(p.bytes()).info, Sysctl{}, step), Reason::kDecompressFail);
  }
  const Bytes stub = oracle::ipv4(oracle::v4addrs(1, 2), 108, Bytes{17, 0});
  Packet p(ByteView(stub.data(), stub.size()));
  InputStep step;
  EXPECT_EQ(xform_input(sa, p, *parse_ip(p.bytes()).info, Sysctl{}, step), Reason::kTruncated);
}

// ---- NAT-T

SaConfig natt_sa(int v, Mode mode) {
  auto c = xtest::esp_config(xtest::esp_cases()[2], mode, v);
  c.natt_sport = 4500;
  c.natt_dport = 4501;
  return c;
}

TEST(Natt, OutputWrapsEspInUdp) {
  for (int v : {4, 6}) {
    Sa sa(natt_sa(v, Mode::kTunnel));
    const Bytes orig = oracle::udp_packet(4, 30, 1);
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(sa, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
    const Bytes out = to_bytes(p);
    const std::size_t hl = v == 4 ? 20 : 40;
    EXPECT_EQ(out[v == 4 ? 9 : 6], 17);
    EXPECT_EQ(oracle::get16(out, hl), 4500);
    EXPECT_EQ(oracle::get16(out, hl + 2), 4501);
    EXPECT_EQ(oracle::get16(out, hl + 4), out.size() - hl);
    if (v == 4) {
      EXPECT_EQ(oracle::get16(out, hl + 6), 0);
      EXPECT_EQ(oracle::get16(out, 2), out.size());
    } else {
      // Pseudo-header checksum over the whole datagram verifies to zero.
      Bytes ph = oracle::cat({oracle::slice(out, 8, 32), oracle::be32(std::uint32_t(out.size() - 40)), Bytes{0, 0, 0, 17}});
      std::uint32_t sum = 0;
      for (std::size_t i = 0; i < ph.size(); i += 2) sum += std::uint32_t(ph[i] << 8 | ph[i + 1]);
      EXPECT_EQ(oracle::checksum(out.data() + 40, out.size() - 40, sum), 0);
    }
    const auto op = oracle::esp_open(xtest::esp_oracle(xtest::esp_cases()[2]), oracle::slice(out, hl + 8, out.size() - hl - 8));
    ASSERT_TRUE(op);
    EXPECT_EQ(op->payload, orig);
  }
}

TEST(Natt, DecapsulateThenInput) {
  for (int v : {4, 6}) {
    Sa tx(natt_sa(v, Mode::kTunnel)), rx(natt_sa(v, Mode::kTunnel));
    const Bytes orig = oracle::udp_packet(6, 40, 2);
    Packet p(ByteView(orig.data(), orig.size()));
    ASSERT_EQ(xform_output(tx, Mode::kTunnel, p, Sysctl{}), Reason::kNone);
    ASSERT_EQ(natt_decapsulate(p, *parse_ip(p.bytes()).info), Reason::kNone);
    const auto info = parse_ip(p.bytes());
    ASSERT_TRUE(info.info);
    EXPECT_EQ(info.info->ulproto, 50);
    InputStep step;
    ASSERT_EQ(xform_input(rx, p, *info.info, Sysctl{}, step), Reason::kNone);
    EXPECT_EQ(to_bytes(p), orig);
  }
}

TEST(Natt, KeepaliveMarkerAndShortPackets) {
  auto run = [](const Bytes& udp_payload) {
    const Bytes wire = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(udp_payload, 4500, 4500));
    Packet p(ByteView(wire.data(), wire.size()));
    return natt_decapsulate(p, *parse_ip(p.bytes()).info);
  };
  EXPECT_EQ(run({0xff}), Reason::kNattKeepalive);
  EXPECT_EQ(run({0, 0, 0, 0, 1, 2, 3, 4, 5, 6}), Reason::kIkeMarker);
  EXPECT_EQ(run({1, 2, 3}), Reason::kTruncated);
  Bytes bad = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(Bytes(20, 1), 4500, 4500));
  oracle::put16(bad, 24, 300);  // UDP length beyond the datagram
  Packet p(ByteView(bad.data(), bad.size()));
  EXPECT_EQ(natt_decapsulate(p, *parse_ip(p.bytes()).info), Reason::kTruncated);
}

// ---- SA configuration checks

SaConfig base_esp() { return xtest::esp_config(xtest::esp_cases()[2], Mode::kTransport, 4); }

TEST(SaConfigCheck, RejectsWhatTheRfcsDoNotAllow) {
  auto expect_error = [](SaConfig c, const char* why) { EXPECT_THROW(Sa{std::move(c)}, Error) << why; };
  { auto c = base_esp(); c.auth = AuthAlg::kHmacSha1_96; c.auth_key = SecureBytes(Bytes(20, 1)); expect_error(c, "AEAD + auth"); }
  { auto c = base_esp(); c.enc_key = SecureBytes(Bytes(16, 1)); expect_error(c, "GCM key without salt"); }
  { auto c = base_esp(); c.enc = EncAlg::kNull; c.enc_key = SecureBytes(); expect_error(c, "null without auth"); }
  { auto c = base_esp(); c.enc = EncAlg::kNone; expect_error(c, "ESP without enc"); }
  { auto c = base_esp(); c.spi = 0; expect_error(c, "SPI 0"); }
  { auto c = base_esp(); c.enc = EncAlg::kAesCbc; c.enc_key = SecureBytes(Bytes(20, 1)); expect_error(c, "CBC 20-byte key"); }
  {
    auto c = base_esp();
    c.enc = EncAlg::kAesCbc;
    c.enc_key = SecureBytes(Bytes(16, 1));
    c.auth = AuthAlg::kHmacSha256_128;
    c.auth_key = SecureBytes(Bytes(20, 1));
    expect_error(c, "SHA-256 with a 20-byte key");
  }
  { auto c = base_esp(); c.replay_window = ReplayWindow::kMaxSize + 1; expect_error(c, "window"); }
  { auto c = base_esp(); c.mode = Mode::kTunnel; c.dst = xtest::addr("2001:db8::1"); expect_error(c, "mixed families"); }
  {
    SaConfig c;
    c.proto = IpsecProto::kAh;
    c.spi = 0x100;
    c.enc = EncAlg::kAesCbc;
    c.enc_key = SecureBytes(Bytes(16, 1));
    c.auth = AuthAlg::kHmacSha1_96;
    c.auth_key = SecureBytes(Bytes(20, 1));
    expect_error(c, "AH with encryption");
  }
  { SaConfig c; c.proto = IpsecProto::kIpComp; c.spi = 0x10000; c.comp = CompAlg::kDeflate; expect_error(c, "CPI > 16 bits"); }
  {
    SaConfig c;
    c.proto = IpsecProto::kAh;
    c.spi = 0x100;
    c.auth = AuthAlg::kHmacSha1_96;
    c.auth_key = SecureBytes(Bytes(20, 1));
    c.natt_sport = c.natt_dport = 4500;
    expect_error(c, "NAT-T on AH");
  }
  try {
    auto c = base_esp();
    c.enc_key = SecureBytes(Bytes(16, 1));
    Sa sa(c);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("aes-gcm-16"), std::string::npos) << e.what();
  }
}

TEST(SaConfigCheck, AlgInfoMatchesTheRfcs) {
  EXPECT_EQ(alg_info(EncAlg::kAesGcm8).icv_len, 8u);
  EXPECT_EQ(alg_info(EncAlg::kAesCbc).iv_len, 16u);
  EXPECT_EQ(alg_info(EncAlg::kAesCbc).block, 16u);
  EXPECT_EQ(alg_info(EncAlg::kAesCtr).iv_len, 8u);
  EXPECT_EQ(alg_info(AuthAlg::kHmacSha384_192).icv_len, 24u);
  EXPECT_EQ(alg_info(AuthAlg::kAesXcbc96).icv_len, 12u);
  EXPECT_EQ(alg_info(AuthAlg::kHmacSha512_256).key_min, 64u);
}

TEST(OracleSelfCheck, XcbcMatchesRfc3566Vectors) {
  const Bytes key = aipsec::from_hex("000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(oracle::xcbc(key, {}), aipsec::from_hex("75f0251d528ac01c4573dfd5"));
  EXPECT_EQ(oracle::xcbc(key, {0, 1, 2}), aipsec::from_hex("5b376580ae2f19afe7219cee"));
  EXPECT_EQ(oracle::xcbc(key, key), aipsec::from_hex("d2a246fa349b68a79998a439"));  // message 00..0f
}

}  // namespace
