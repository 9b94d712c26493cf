// Tunnel framing helpers: outer headers and length fields, compared with Scapy.
#include <gtest/gtest.h>

#include "aipsec/packet.hpp"
#include "packet_fixtures.hpp"

namespace aipsec {
namespace {

using test::hex_bytes;
using test::load_packet_json;

IpAddr addr(const nlohmann::json& j) { return *IpAddr::parse(j.get<std::string>()); }

TEST(BuildIpv4Header, MatchesScapy) {
  const auto j = load_packet_json("tunnel_headers.json");
  for (const auto& c : j["ipv4"]) {
    SCOPED_TRACE(c["hex"].get<std::string>());
    Ipv4HeaderFields f;
    f.src = addr(c["src"]);
    f.dst = addr(c["dst"]);
    f.proto = c["proto"];
    f.tos = c["tos"];
    f.ttl = c["ttl"];
    f.id = c["id"];
    f.df = c["df"];
    f.total_len = c["total_len"];
    Bytes out(kIpv4HeaderLen, 0xee);  // stale bytes must all be overwritten
    build_ipv4_header(out.data(), f);
    EXPECT_EQ(to_hex(out), c["hex"].get<std::string>());
  }
}

TEST(BuildIpv6Header, MatchesScapy) {
  const auto j = load_packet_json("tunnel_headers.json");
  for (const auto& c : j["ipv6"]) {
    SCOPED_TRACE(c["hex"].get<std::string>());
    Ipv6HeaderFields f;
    f.src = addr(c["src"]);
    f.dst = addr(c["dst"]);
    f.next_header = c["next_header"];
    f.traffic_class = c["traffic_class"];
    f.flow_label = c["flow_label"];
    f.hop_limit = c["hop_limit"];
    f.payload_len = c["payload_len"];
    Bytes out(kIpv6HeaderLen, 0xee);
    build_ipv6_header(out.data(), f);
    EXPECT_EQ(to_hex(out), c["hex"].get<std::string>());
  }
}

TEST(IpSetLength, GrownPacketMatchesScapy) {
  const auto j = load_packet_json("tunnel_headers.json");
  for (const auto& c : j["resize"]) {
    Bytes p = hex_bytes(c["before"]);
    const Bytes after = hex_bytes(c["after"]);
    p.resize(after.size(), 0);  // Scapy's payload is zeros too
    ASSERT_TRUE(ip_set_length_from_size(p));
    EXPECT_EQ(to_hex(p), to_hex(after));
  }
}

TEST(IpSetLength, ExplicitSettersMatchScapy) {
  const auto j = load_packet_json("tunnel_headers.json");
  const auto& rs = j["resize"];
  Bytes v4 = hex_bytes(rs[0]["before"]);
  const Bytes v4_after = hex_bytes(rs[0]["after"]);
  ipv4_set_total_length(v4.data(), std::uint16_t(v4_after.size()));
  EXPECT_EQ(to_hex(ByteView(v4).first(20)), to_hex(ByteView(v4_after).first(20)));
  Bytes v6 = hex_bytes(rs[2]["before"]);
  const Bytes v6_after = hex_bytes(rs[2]["after"]);
  ipv6_set_payload_length(v6.data(), std::uint16_t(v6_after.size() - kIpv6HeaderLen));
  EXPECT_EQ(to_hex(ByteView(v6).first(40)), to_hex(ByteView(v6_after).first(40)));
}

TEST(IpSetLength, RejectsWhatItCannotSet) {
  Bytes empty;
  EXPECT_FALSE(ip_set_length_from_size(empty));
  Bytes not_ip(40, 0x50);
  EXPECT_FALSE(ip_set_length_from_size(not_ip));
  Bytes short_v6(39, 0x60);
  EXPECT_FALSE(ip_set_length_from_size(short_v6));
  Bytes huge(0x10000, 0);
  huge[0] = 0x45;
  EXPECT_FALSE(ip_set_length_from_size(huge));
}

TEST(BuiltHeaders, ParseBack) {
  Bytes pkt(kIpv6HeaderLen + 8, 0);
  Ipv6HeaderFields f;
  f.src = *IpAddr::parse("2001:db8::1");
  f.dst = *IpAddr::parse("2001:db8::2");
  f.next_header = ipproto::kUdp;
  f.payload_len = 8;
  build_ipv6_header(pkt.data(), f);
  const auto r = parse_ip(pkt);
  ASSERT_TRUE(r.info);
  EXPECT_EQ(r.info->ulproto, ipproto::kUdp);
  EXPECT_EQ(r.info->total_len, 48);
}

}  // namespace
}  // namespace aipsec
