// Hash placement of the card's flow table and inbound SA lookup: CRC-32C
// against RFC 3720 B.4 and the standard check value, key byte strings against
// the layout written out in docs/hw/datapath.md, buckets as crc mod buckets.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "aipsec/card_hash.hpp"
#include "aipsec/common.hpp"

namespace aipsec::card {
namespace {

std::uint32_t crc_of(const std::vector<std::uint8_t>& v) { return crc32c(v); }

TEST(CardHash, Crc32cMatchesRfc3720Vectors) {
  EXPECT_EQ(crc_of(std::vector<std::uint8_t>(32, 0x00)), 0x8a9136aau);
  EXPECT_EQ(crc_of(std::vector<std::uint8_t>(32, 0xff)), 0x62a8ab43u);
  std::vector<std::uint8_t> up(32), down(32);
  std::iota(up.begin(), up.end(), std::uint8_t{0});
  for (unsigned i = 0; i < 32; ++i) down[i] = static_cast<std::uint8_t>(31 - i);
  EXPECT_EQ(crc_of(up), 0x46dd794eu);
  EXPECT_EQ(crc_of(down), 0x113fdb5cu);
  // An iSCSI SCSI Read (10) command PDU (RFC 3720 B.4).
  const std::vector<std::uint8_t> pdu = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
      0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(crc_of(pdu), 0xd9963a56u);
}

TEST(CardHash, Crc32cCheckValueAndEmpty) {
  const std::vector<std::uint8_t> digits = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(crc_of(digits), 0xe3069283u);  // the catalogued CRC-32C check value
  EXPECT_EQ(crc_of({}), 0x00000000u);
}

TEST(CardHash, FlowKeyBytesFollowTheDocumentedLayout) {
  // IPv4 10.0.0.1:1234 -> 192.168.1.2:80, TCP.
  const auto k = flow_key_bytes(false, 6, 1234, 80, {0x0a000001, 0, 0, 0}, {0xc0a80102, 0, 0, 0});
  const std::array<std::uint8_t, 38> want = {
      0, 6, 0x04, 0xd2, 0x00, 0x50,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 168, 1, 2};
  EXPECT_EQ(k, want);
  // IPv6 2001:db8::1 -> 2001:db8::2 (word 3 holds the first four bytes on the wire).
  const auto k6 = flow_key_bytes(true, 17, 0xabcd, 0x1194, {1, 0, 0, 0x20010db8}, {2, 0, 0, 0x20010db8});
  EXPECT_EQ(k6[0], 1);
  EXPECT_EQ(k6[1], 17);
  EXPECT_EQ(k6[2], 0xab);
  EXPECT_EQ(k6[5], 0x94);
  EXPECT_EQ(k6[6], 0x20);
  EXPECT_EQ(k6[7], 0x01);
  EXPECT_EQ(k6[8], 0x0d);
  EXPECT_EQ(k6[9], 0xb8);
  EXPECT_EQ(k6[21], 1);
  EXPECT_EQ(k6[22], 0x20);
  EXPECT_EQ(k6[37], 2);
}

TEST(CardHash, SaKeyBytesFollowTheDocumentedLayout) {
  const auto k = sa_key_bytes(0x11223344, 50, false, {0xc0000201, 0, 0, 0});
  const std::array<std::uint8_t, 22> want = {0x11, 0x22, 0x33, 0x44, 50, 0,
                                             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1};
  EXPECT_EQ(k, want);
}

TEST(CardHash, BucketsAreCrcModBuckets) {
  const Address128 src = {0x0a000001, 0, 0, 0}, dst = {0xc0a80102, 0, 0, 0};
  const auto k = flow_key_bytes(false, 6, 1234, 80, src, dst);
  const std::uint32_t crc = crc32c(k);
  for (std::uint32_t entries : {4u, 256u, 4096u, 12u}) {
    EXPECT_EQ(flow_bucket(false, 6, 1234, 80, src, dst, entries), crc % (entries / kWays));
  }
  FlowEntry e;
  e.protocol = 6;
  e.src_port = 1234;
  e.dst_port = 80;
  e.src_addr = src;
  e.dst_addr = dst;
  EXPECT_EQ(flow_bucket(e, 256), crc % 64);

  SaContext sa;
  sa.spi = 0x11223344;
  sa.tunnel_dst = {0xc0000201, 0, 0, 0};
  EXPECT_EQ(sa_bucket(sa, 64), crc32c(sa_key_bytes(0x11223344, 50, false, sa.tunnel_dst)) % 16);
  sa.protocol = SaContext::Protocol::kAh;
  sa.outer_ipv6 = 1;
  EXPECT_EQ(sa_bucket(sa, 64), crc32c(sa_key_bytes(0x11223344, 51, true, sa.tunnel_dst)) % 16);
}

TEST(CardHash, TableSizesThatAreNotWholeBucketsAreRejected) {
  const Address128 a{};
  EXPECT_THROW(flow_bucket(false, 6, 1, 2, a, a, 0), Error);
  EXPECT_THROW(flow_bucket(false, 6, 1, 2, a, a, 6), Error);
  EXPECT_THROW(sa_bucket(1, 50, false, a, 3), Error);
}

}  // namespace
}  // namespace aipsec::card
