// Capture files: round trips through PcapWriter/PcapReader, Scapy-written
// captures, link-type handling and errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "aipsec/pcap_io.hpp"
#include "packet_fixtures.hpp"

namespace aipsec {
namespace {

using test::hex_bytes;
using test::load_packet_json;
using test::packet_data_path;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("aipsec_pcap_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::vector<PcapRecord> read_all(const std::string& path, LinkType* link = nullptr) {
  PcapReader r(path);
  if (link) *link = r.link_type();
  std::vector<PcapRecord> out;
  PcapRecord rec;
  while (r.next(rec)) out.push_back(rec);
  return out;
}

TEST(Pcap, WriteThenReadEachLinkType) {
  const Bytes v4 = test::case_bytes("ip_packets.json", "v4_tcp");
  const Bytes eth = test::case_bytes("eth_frames.json", "eth_vlan_ipv6");
  for (LinkType lt : {LinkType::kRaw, LinkType::kEthernet, LinkType::kIpv4, LinkType::kNull, LinkType::kLoop}) {
    SCOPED_TRACE(link_type_name(lt));
    const Bytes frame = lt == LinkType::kEthernet ? eth : v4;
    const std::string path = temp_path("rt.pcap");
    {
      PcapWriter w(path, lt);
      w.write(frame, 1700000000, 123456);
      w.write(ByteView(frame).first(10), 1700000001, 999999);
    }
    LinkType got = LinkType::kNull;
    const auto recs = read_all(path, &got);
    std::filesystem::remove(path);
    EXPECT_EQ(got, lt);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].data, frame);
    EXPECT_EQ(recs[0].ts_sec, 1700000000);
    EXPECT_EQ(recs[0].ts_usec, 123456u);
    EXPECT_EQ(recs[0].orig_len, frame.size());
    EXPECT_EQ(recs[1].data, Bytes(frame.begin(), frame.begin() + 10));
    EXPECT_EQ(recs[1].ts_usec, 999999u);
  }
}

TEST(Pcap, ReadsScapyCaptures) {
  const auto expect = load_packet_json("pcap_frames.json");
  for (const auto& [name, linktype] : {std::pair{"scapy_eth", LinkType::kEthernet}, {"scapy_raw", LinkType::kRaw}}) {
    SCOPED_TRACE(name);
    LinkType got = LinkType::kNull;
    const auto recs = read_all(packet_data_path(std::string(name) + ".pcap"), &got);
    EXPECT_EQ(got, linktype);
    const auto& frames = expect[name]["frames"];
    ASSERT_EQ(recs.size(), frames.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      EXPECT_EQ(to_hex(recs[i].data), frames[i]["hex"].get<std::string>());
      EXPECT_EQ(recs[i].ts_sec, frames[i]["ts_sec"].get<std::int64_t>());
      EXPECT_EQ(recs[i].ts_usec, frames[i]["ts_usec"].get<std::uint32_t>());
      EXPECT_TRUE(ip_offset(got, recs[i].data).has_value());
    }
  }
}

TEST(Pcap, MissingFileIsAClearError) {
  try {
    PcapReader r("/nonexistent/dir/x.pcap");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/x.pcap"), std::string::npos);
  }
  EXPECT_THROW(PcapWriter("/nonexistent/dir/y.pcap", LinkType::kRaw), Error);
}

TEST(Pcap, NotACaptureIsAClearError) {
  EXPECT_THROW(PcapReader(packet_data_path("ip_packets.json")), Error);
}

TEST(Pcap, UnsupportedLinkTypeIsAClearError) {
  const std::string path = temp_path("user0.pcap");
  { PcapWriter w(path, static_cast<LinkType>(147)); }  // DLT_USER0
  try {
    PcapReader r(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported link type 147"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(IpOffset, PerLinkType) {
  const Bytes v4 = test::case_bytes("ip_packets.json", "v4_udp");
  const Bytes v6 = test::case_bytes("ip_packets.json", "v6_udp");
  EXPECT_EQ(ip_offset(LinkType::kRaw, v4), 0u);
  EXPECT_EQ(ip_offset(LinkType::kRaw, v6), 0u);
  EXPECT_EQ(ip_offset(LinkType::kIpv4, v4), 0u);
  EXPECT_FALSE(ip_offset(LinkType::kIpv4, v6));
  EXPECT_EQ(ip_offset(LinkType::kIpv6, v6), 0u);
  EXPECT_FALSE(ip_offset(LinkType::kRaw, Bytes{}));

  Bytes null_le{2, 0, 0, 0};  // AF_INET in little-endian host order
  null_le.insert(null_le.end(), v4.begin(), v4.end());
  EXPECT_EQ(ip_offset(LinkType::kNull, null_le), 4u);
  EXPECT_FALSE(ip_offset(LinkType::kLoop, null_le));  // DLT_LOOP is network order
  Bytes loop_be{0, 0, 0, 30};  // AF_INET6 (OpenBSD) in network order
  loop_be.insert(loop_be.end(), v6.begin(), v6.end());
  EXPECT_EQ(ip_offset(LinkType::kLoop, loop_be), 4u);

  Bytes sll(14, 0);
  sll.push_back(0x86);
  sll.push_back(0xdd);
  sll.insert(sll.end(), v6.begin(), v6.end());
  EXPECT_EQ(ip_offset(LinkType::kLinuxSll, sll), 16u);
  EXPECT_FALSE(ip_offset(LinkType::kEthernet, test::case_bytes("eth_frames.json", "eth_arp")));
}

}  // namespace
}  // namespace aipsec
