// The enc(4) point: libpcap filter expressions drop what they match (counted
// as kFilter by the data plane), and the capture reads back with libpcap.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "aipsec/daemon_enc.hpp"
#include "aipsec/dataplane.hpp"
#include "aipsec/setkey.hpp"

namespace {

using aipsec::Bytes;
using aipsec::ByteView;

// An IPv4 datagram written field by field (checksum left 0: the parser is not
// asked to verify it here, libpcap does not care).
Bytes ipv4(std::uint8_t proto, const char* src, const char* dst, Bytes l4) {
  Bytes p(20);
  p[0] = 0x45;
  const std::size_t total = 20 + l4.size();
  p[2] = std::uint8_t(total >> 8);
  p[3] = std::uint8_t(total);
  p[8] = 64;
  p[9] = proto;
  auto put = [&](std::size_t at, const char* a) {
    unsigned x[4];
    std::sscanf(a, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
    for (int i = 0; i < 4; ++i) p[at + std::size_t(i)] = std::uint8_t(x[i]);
  };
  put(12, src);
  put(16, dst);
  std::uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += std::uint32_t(p[std::size_t(i)] << 8 | p[std::size_t(i) + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p[10] = std::uint8_t(~sum >> 8);
  p[11] = std::uint8_t(~sum);
  p.insert(p.end(), l4.begin(), l4.end());
  return p;
}

Bytes icmp_echo() { return ipv4(1, "10.1.0.1", "10.2.0.1", Bytes{8, 0, 0, 0, 0, 1, 0, 1, 'h', 'i'}); }
Bytes udp_53() { return ipv4(17, "10.1.0.1", "10.2.0.1", Bytes{0x30, 0x39, 0, 53, 0, 10, 0, 0, 'h', 'i'}); }

TEST(EncFilter, DropsWhatTheExpressionMatches) {
  aipsec::daemon::EncPoint enc("", "icmp or udp port 4000");
  EXPECT_FALSE(enc.pass(icmp_echo()));
  EXPECT_TRUE(enc.pass(udp_53()));
  EXPECT_EQ(enc.matched(), 1u);
  aipsec::daemon::EncPoint port53("", "udp dst port 53 and dst host 10.2.0.1");
  EXPECT_FALSE(port53.pass(udp_53()));
  EXPECT_TRUE(port53.pass(icmp_echo()));
}

TEST(EncFilter, BadExpressionIsAClearError) {
  try {
    aipsec::daemon::EncPoint enc("", "port nonsense-port");
    ADD_FAILURE() << "compiled";
  } catch (const aipsec::Error& e) {
    EXPECT_NE(std::string(e.what()).find("enc filter 'port nonsense-port'"), std::string::npos) << e.what();
  }
}

TEST(EncFilter, CaptureReadsBackWithLibpcap) {
  const std::string path = std::filesystem::temp_directory_path() / ("enc-" + std::to_string(::getpid()) + ".pcap");
  {
    aipsec::daemon::EncPoint enc(path, "");
    EXPECT_TRUE(enc.pass(icmp_echo()));
    EXPECT_TRUE(enc.pass(udp_53()));
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  ASSERT_NE(p, nullptr) << err;
  EXPECT_EQ(pcap_datalink(p), DLT_RAW);
  pcap_pkthdr* h;
  const u_char* data;
  ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
  EXPECT_EQ(Bytes(data, data + h->caplen), icmp_echo());
  ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
  EXPECT_EQ(Bytes(data, data + h->caplen), udp_53());
  EXPECT_EQ(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
  pcap_close(p);
  std::filesystem::remove(path);
}

// Through the data plane: the tap sees the packet before protection; a match
// is dropped and counted under kFilter; other traffic is protected.
TEST(EncFilter, DataPlaneCountsFilterDrops) {
  aipsec::DataPlane dp;
  aipsec::setkey::apply_all(dp, aipsec::setkey::parse(
      "add 192.0.2.1 198.51.100.1 esp 0x1001 -m tunnel -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
      "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-198.51.100.1/require;\n"));
  aipsec::daemon::EncPoint enc("", "icmp");
  dp.set_tap([&](const aipsec::Packet& p, aipsec::Direction) { return enc.pass(p.bytes()); });
  aipsec::Packet icmp{ByteView(icmp_echo())};
  aipsec::Result r = dp.output(icmp);
  EXPECT_EQ(r.verdict, aipsec::Verdict::kDrop);
  EXPECT_EQ(r.reason, aipsec::Reason::kFilter);
  EXPECT_EQ(dp.drops().get(aipsec::Reason::kFilter), 1u);
  aipsec::Packet udp{ByteView(udp_53())};
  r = dp.output(udp);
  EXPECT_EQ(r.verdict, aipsec::Verdict::kForward);
  EXPECT_EQ(udp.data()[9], 50) << "protected: outer protocol ESP";
  EXPECT_EQ(dp.stats().out_protected, 1u);
}

}  // namespace
