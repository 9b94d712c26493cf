// parse_ip and parse_ethernet against packets built and dissected by Scapy.
#include <gtest/gtest.h>

#include "aipsec/packet.hpp"
#include "packet_fixtures.hpp"

namespace aipsec {
namespace {

using nlohmann::json;
using test::hex_bytes;
using test::load_packet_json;

struct Fixture {
  std::string name;
  json j;
};

std::vector<Fixture> fixtures(const std::string& file) {
  std::vector<Fixture> out;
  for (const auto& c : load_packet_json(file)) out.push_back({c["name"].get<std::string>(), c});
  return out;
}

std::string fixture_name(const testing::TestParamInfo<Fixture>& p) { return p.param.name; }
void PrintTo(const Fixture& f, std::ostream* os) { *os << f.name; }

template <typename T>
void expect_optional(const json& e, const char* key, const std::optional<T>& got) {
  if (e.contains(key)) {
    ASSERT_TRUE(got.has_value()) << key;
    EXPECT_EQ(*got, e[key].get<int>()) << key;
  } else {
    EXPECT_FALSE(got.has_value()) << key;
  }
}

class ParseIpScapy : public testing::TestWithParam<Fixture> {};

TEST_P(ParseIpScapy, FieldsMatchScapy) {
  const Bytes pkt = hex_bytes(GetParam().j["hex"]);
  const json& e = GetParam().j["expect"];
  const ParseResult r = parse_ip(pkt);
  ASSERT_TRUE(r.info.has_value()) << reason_name(r.error);
  EXPECT_EQ(r.error, Reason::kNone);
  const IpInfo& i = *r.info;
  EXPECT_EQ(i.version, e["version"].get<int>());
  EXPECT_EQ(i.src.to_string(), IpAddr::parse(e["src"].get<std::string>())->to_string());
  EXPECT_EQ(i.dst.to_string(), IpAddr::parse(e["dst"].get<std::string>())->to_string());
  EXPECT_EQ(i.total_len, e["total_len"].get<int>());
  EXPECT_EQ(i.ttl, e["ttl"].get<int>());
  EXPECT_EQ(i.tos, e["tos"].get<int>());
  EXPECT_EQ(i.df, e["df"].get<bool>());
  EXPECT_EQ(i.is_fragment, e["is_fragment"].get<bool>());
  EXPECT_EQ(i.ip_hdr_len, e["ip_hdr_len"].get<std::size_t>());
  EXPECT_EQ(i.ulproto, e["ulproto"].get<int>());
  EXPECT_EQ(i.l4_off, e["l4_off"].get<std::size_t>());
  EXPECT_EQ(i.transport_insert_off, e["transport_insert_off"].get<std::size_t>());
  EXPECT_EQ(i.next_header_field_off, e["next_header_field_off"].get<std::size_t>());
  EXPECT_EQ(i.next_header_at_insert, e["next_header_at_insert"].get<int>());
  expect_optional(e, "sport", i.sport);
  expect_optional(e, "dport", i.dport);
  expect_optional(e, "icmp_type", i.icmp_type);
  expect_optional(e, "icmp_code", i.icmp_code);
}

INSTANTIATE_TEST_SUITE_P(Packets, ParseIpScapy, testing::ValuesIn(fixtures("ip_packets.json")), fixture_name);

class ParseEthernetScapy : public testing::TestWithParam<Fixture> {};

TEST_P(ParseEthernetScapy, FieldsMatchScapy) {
  const Bytes frame = hex_bytes(GetParam().j["hex"]);
  const json& e = GetParam().j["expect"];
  const auto eth = parse_ethernet(frame);
  ASSERT_EQ(eth.has_value(), e["ip"].get<bool>());
  if (!eth) return;
  EXPECT_EQ(eth->l3_off, e["l3_off"].get<std::size_t>());
  EXPECT_EQ(eth->ethertype, e["ethertype"].get<int>());
  EXPECT_EQ(eth->ethertype_off, e["ethertype_off"].get<std::size_t>());
  EXPECT_TRUE(parse_ip(ByteView(frame).subspan(eth->l3_off)).info.has_value());
}

INSTANTIATE_TEST_SUITE_P(Frames, ParseEthernetScapy, testing::ValuesIn(fixtures("eth_frames.json")), fixture_name);

TEST(ParseEthernet, ShortFramesAreNotIp) {
  const Bytes frame = test::case_bytes("eth_frames.json", "eth_qinq_ipv4");
  for (std::size_t n = 0; n < 22; ++n) EXPECT_FALSE(parse_ethernet(ByteView(frame).first(n)).has_value()) << n;
}

}  // namespace
}  // namespace aipsec
