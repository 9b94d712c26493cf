// Checksums against RFC 1071's worked example and against Scapy's checksums.
#include <gtest/gtest.h>

#include "aipsec/packet.hpp"
#include "packet_fixtures.hpp"

namespace aipsec {
namespace {

using test::hex_bytes;
using test::load_packet_json;

TEST(InetChecksum, Rfc1071Example) {
  // RFC 1071 section 3: the one's complement sum of these bytes is 0xddf2.
  const Bytes b = from_hex("0001f203f4f5f6f7");
  EXPECT_EQ(inet_checksum(b), std::uint16_t(~0xddf2));
}

TEST(InetChecksum, OddLengthPadsWithZero) {
  EXPECT_EQ(inet_checksum(from_hex("0001f203f4f5f6f7ab")), inet_checksum(from_hex("0001f203f4f5f6f7ab00")));
}

TEST(InetChecksum, InitialValueIsAddedToTheSum) {
  const Bytes b = from_hex("0001f203f4f5f6f7");
  EXPECT_EQ(inet_checksum(ByteView(b).subspan(4), 0x01 + 0xf203), inet_checksum(b));
}

TEST(InetChecksum, EmptyIsAllOnes) { EXPECT_EQ(inet_checksum({}), 0xffff); }

// Offset of the transport checksum field for the fixtures that have one.
std::size_t l4_checksum_field(int ulproto) {
  return ulproto == ipproto::kTcp ? 16 : ulproto == ipproto::kUdp ? 6 : 2;
}

TEST(Ipv4Checksum, MatchesScapy) {
  int checked = 0;
  for (const auto& c : load_packet_json("ip_packets.json")) {
    if (c["expect"]["version"] != 4) continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    Bytes p = hex_bytes(c["hex"]);
    p[10] = 0x5a;  // garbage that the update must overwrite
    p[11] = 0xa5;
    ipv4_update_checksum(p.data());
    EXPECT_EQ(load_be16(p.data() + 10), c["expect"]["ip_checksum"].get<int>());
    EXPECT_EQ(parse_ip(p).error, Reason::kNone);
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(L4Checksum, MatchesScapy) {
  int checked = 0;
  for (const auto& c : load_packet_json("ip_packets.json")) {
    const auto& e = c["expect"];
    if (!e.contains("l4_checksum")) continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    Bytes p = hex_bytes(c["hex"]);
    const std::size_t field = e["l4_off"].get<std::size_t>() + l4_checksum_field(e["ulproto"]);
    p[field] ^= 0xff;
    const bool refused = e["is_fragment"].get<bool>() || e.value("routing_pending", false);
    ASSERT_EQ(l4_update_checksum(p), !refused);
    if (refused) continue;
    EXPECT_EQ(load_be16(p.data() + field), e["l4_checksum"].get<int>());
    EXPECT_EQ(to_hex(p), c["hex"].get<std::string>());
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(L4Checksum, AddressRewriteMatchesScapy) {
  for (const auto& c : load_packet_json("nat_pairs.json")) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Bytes p = hex_bytes(c["before"]);
    const Bytes after = hex_bytes(c["after"]);
    ASSERT_EQ(p.size(), after.size());
    const bool v4 = (p[0] >> 4) == 4;
    const std::size_t addr_off = v4 ? 12 : 8, addr_len = v4 ? 8 : 32;
    std::copy_n(after.begin() + addr_off, addr_len, p.begin() + addr_off);
    if (v4) ipv4_update_checksum(p.data());
    ASSERT_TRUE(l4_update_checksum(p));
    EXPECT_EQ(to_hex(p), to_hex(after));
  }
}

TEST(L4Checksum, RefusesWhatItCannotChecksum) {
  Bytes esp = test::case_bytes("ip_packets.json", "v4_esp");
  ASSERT_EQ(parse_ip(esp).info->ulproto, ipproto::kEsp);
  EXPECT_FALSE(l4_update_checksum(esp));
  Bytes junk = from_hex("00112233");
  EXPECT_FALSE(l4_update_checksum(junk));
}

}  // namespace
}  // namespace aipsec
