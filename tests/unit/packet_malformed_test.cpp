// Malformed IP packets: each gives its drop reason and nothing is read out of
// bounds (run under -DAIPSEC_SANITIZE=ON to have ASan check the latter).
#include <gtest/gtest.h>

#include "aipsec/packet.hpp"
#include "packet_fixtures.hpp"

namespace aipsec {
namespace {

using test::case_bytes;
using test::hex_bytes;
using test::load_packet_json;

Reason parse_error(ByteView v, bool verify = true) { return parse_ip(v, verify).error; }

// Copies the bytes to a heap block of exactly their size, so that ASan sees
// any read past the end.
Reason parse_exact(ByteView v, bool verify = true) {
  const std::vector<std::uint8_t> copy(v.begin(), v.end());
  return parse_error(copy, verify);
}

TEST(ParseIpMalformed, EveryTruncationIsTruncated) {
  int checked = 0;
  for (const auto& c : load_packet_json("ip_packets.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const Bytes p = hex_bytes(c["hex"]);
    const std::size_t total = c["expect"]["total_len"];
    for (std::size_t n = 0; n < total; ++n) {
      ASSERT_EQ(parse_exact(ByteView(p).first(n)), Reason::kTruncated) << "length " << n;
      ++checked;
    }
    for (std::size_t n = total; n <= p.size(); ++n) EXPECT_EQ(parse_exact(ByteView(p).first(n)), Reason::kNone);
  }
  EXPECT_GT(checked, 2000);
}

TEST(ParseIpMalformed, BadVersion) {
  Bytes p = case_bytes("ip_packets.json", "v4_tcp");
  for (int v : {0, 1, 5, 7, 15}) {
    p[0] = std::uint8_t(v << 4 | 5);
    EXPECT_EQ(parse_error(p), Reason::kBadIpVersion) << v;
  }
}

TEST(ParseIpMalformed, IhlBelowFiveIsMalformed) {
  Bytes p = case_bytes("ip_packets.json", "v4_tcp");
  for (int ihl = 0; ihl < 5; ++ihl) {
    p[0] = std::uint8_t(0x40 | ihl);
    EXPECT_EQ(parse_error(p, false), Reason::kMalformedIp) << ihl;
  }
}

TEST(ParseIpMalformed, IhlBeyondPacketIsTruncated) {
  Bytes p = case_bytes("ip_packets.json", "v4_df_tos");  // 40 bytes
  p[0] = 0x4f;                                           // 60-byte header
  EXPECT_EQ(parse_exact(p, false), Reason::kTruncated);
}

TEST(ParseIpMalformed, TotalLengthBelowHeaderIsMalformed) {
  Bytes p = case_bytes("ip_packets.json", "v4_options_rr_udp");  // IHL 9
  for (std::uint16_t len : {0, 19, 20, 35}) {
    store_be16(p.data() + 2, len);
    EXPECT_EQ(parse_error(p, false), Reason::kMalformedIp) << len;
  }
}

TEST(ParseIpMalformed, TotalLengthBeyondPacketIsTruncated) {
  Bytes p = case_bytes("ip_packets.json", "v4_udp");
  store_be16(p.data() + 2, std::uint16_t(p.size() + 1));
  EXPECT_EQ(parse_exact(p, false), Reason::kTruncated);
  store_be16(p.data() + 2, 0xffff);
  EXPECT_EQ(parse_exact(p, false), Reason::kTruncated);
}

TEST(ParseIpMalformed, BadChecksumOnlyWhenVerifying) {
  Bytes p = case_bytes("ip_packets.json", "v4_options_rr_udp");
  p[11] ^= 1;
  EXPECT_EQ(parse_error(p, true), Reason::kBadIpChecksum);
  EXPECT_EQ(parse_error(p, false), Reason::kNone);
}

TEST(ParseIpMalformed, BadOptionLengths) {
  // Options (bytes 20..35): Router Alert (94 04 00 00), NOP, Record Route (07 0b 04 + 8).
  const Bytes good = case_bytes("ip_packets.json", "v4_options_rr_udp");
  ASSERT_EQ(good[20], 0x94);
  for (std::uint8_t len : {0, 1, 17, 255}) {
    Bytes p = good;
    p[21] = len;
    EXPECT_EQ(parse_error(p, false), Reason::kMalformedIp) << int(len);
  }
  Bytes last = good;  // shorten Record Route by one: a type in the last byte has no length byte
  last[26] = 0x0a;
  last[35] = 0x44;
  EXPECT_EQ(parse_error(last, false), Reason::kMalformedIp);
}

// IPv6 header followed by n destination options headers (8 bytes each) and an
// 8-byte UDP header.
Bytes ipv6_dstopt_chain(std::size_t n, std::uint8_t first_nh = ipproto::kDstOpts) {
  Bytes p(kIpv6HeaderLen + 8 * n + 8, 0);
  p[0] = 0x60;
  store_be16(p.data() + 4, std::uint16_t(8 * n + 8));
  p[6] = n ? first_nh : ipproto::kUdp;
  p[7] = 64;
  for (std::size_t i = 0; i < n; ++i) p[kIpv6HeaderLen + 8 * i] = i + 1 < n ? ipproto::kDstOpts : ipproto::kUdp;
  return p;
}

TEST(ParseIpMalformed, ExtensionHeaderBound) {
  EXPECT_EQ(parse_exact(ipv6_dstopt_chain(kMaxIpv6ExtHeaders)), Reason::kNone);
  EXPECT_EQ(parse_exact(ipv6_dstopt_chain(kMaxIpv6ExtHeaders + 1)), Reason::kExtHdrLimit);
  EXPECT_EQ(parse_exact(ipv6_dstopt_chain(1000)), Reason::kExtHdrLimit);
}

TEST(ParseIpMalformed, HopByHopOnlyFirst) {
  Bytes p = ipv6_dstopt_chain(3);
  p[kIpv6HeaderLen] = ipproto::kHopOpts;  // second header claims to be hop-by-hop
  EXPECT_EQ(parse_exact(p), Reason::kExtHdrLimit);
  EXPECT_EQ(parse_exact(ipv6_dstopt_chain(3, ipproto::kHopOpts)), Reason::kNone);
}

TEST(ParseIpMalformed, ExtensionHeaderLengthBeyondPayload) {
  Bytes p = case_bytes("ip_packets.json", "v6_dstopt_final_udp");
  p[41] = 255;
  EXPECT_EQ(parse_exact(p), Reason::kTruncated);
  Bytes q = case_bytes("ip_packets.json", "v6_dstopt_no_next");
  store_be16(q.data() + 4, 4);  // payload length cuts the 8-byte header
  EXPECT_EQ(parse_exact(q), Reason::kTruncated);
}

TEST(ParseIpMalformed, PayloadLengthBeyondPacketIsTruncated) {
  Bytes p = case_bytes("ip_packets.json", "v6_udp");
  store_be16(p.data() + 4, std::uint16_t(p.size() - kIpv6HeaderLen + 1));
  EXPECT_EQ(parse_exact(p), Reason::kTruncated);
}

TEST(ParseIpMalformed, JumbogramIsUnsupported) {
  Bytes p = case_bytes("ip_packets.json", "v6_hbh_udp");
  store_be16(p.data() + 4, 0);
  EXPECT_EQ(parse_exact(p), Reason::kUnsupported);
}

TEST(ParseIpMalformed, OversizedIpv6IsTooBig) {
  Bytes p(kIpv6HeaderLen, 0);
  p[0] = 0x60;
  p[6] = ipproto::kNoNext;
  store_be16(p.data() + 4, 0xffff);
  EXPECT_EQ(parse_exact(p), Reason::kTooBig);
}

// Every single-byte change of every fixture: either an error, or offsets that
// stay inside the datagram.
TEST(ParseIpMalformed, SingleByteMutationsStayInBounds) {
  std::size_t parsed = 0, rejected = 0;
  for (const auto& c : load_packet_json("ip_packets.json")) {
    const Bytes orig = hex_bytes(c["hex"]);
    Bytes p = orig;
    for (std::size_t i = 0; i < p.size(); ++i) {
      for (int v = 0; v < 256; v += 3) {
        p[i] = std::uint8_t(v);
        const ParseResult r = parse_ip(p, (v & 1) != 0);
        if (!r.info) {
          ASSERT_NE(r.error, Reason::kNone);
          ++rejected;
          continue;
        }
        ++parsed;
        const IpInfo& info = *r.info;
        ASSERT_LE(info.total_len, p.size());
        ASSERT_LE(info.l4_off, info.total_len);
        ASSERT_LE(info.transport_insert_off, info.l4_off);
        ASSERT_LT(info.next_header_field_off, info.transport_insert_off);
        ASSERT_EQ(p[info.next_header_field_off], info.next_header_at_insert);
      }
      p[i] = orig[i];
    }
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(rejected, 0u);
}

}  // namespace
}  // namespace aipsec
