// The esp_sa export against its real consumer: SAs are installed over PF_KEY,
// dumped into a Wireshark esp_sa table, and tshark decrypts a capture the data
// plane protected with those SAs (the ICV checked by tshark, the inner UDP
// ports decoded). A table with a wrong key must not decrypt.
#include <gtest/gtest.h>
#include <linux/pfkeyv2.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "aipsec/dataplane.hpp"
#include "aipsec/pcap_io.hpp"
#include "aipsec/setkey.hpp"
#include "esp_sa_export.hpp"
#include "pfkey_client.hpp"
#include "setkey_messages.hpp"
#include "setkey_session.hpp"
#include "tools_pfkey_server.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::setkeytool;

// GCM-128 tunnel between the gateways for 10.1/16 -> 10.2/16, AES-CBC +
// HMAC-SHA-256 in transport mode between the gateways themselves, and
// AES-CBC + HMAC-SHA-1 in transport mode over IPv6.
constexpr const char* kConfig =
    "add 192.0.2.1 198.51.100.1 esp 0x1001 -m tunnel -E aes-gcm-16 0x101112131415161718191a1b1c1d1e1fcafebabe;\n"
    "add 192.0.2.1 198.51.100.1 esp 0x1007 -m transport -E aes-cbc 0x202122232425262728292a2b2c2d2e2f\n"
    "    -A hmac-sha2-256 0x606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f;\n"
    "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-198.51.100.1/require;\n"
    "spdadd 192.0.2.1 198.51.100.1 udp -P out ipsec esp/transport//require;\n"
    "add 2001:db8::1 2001:db8::2 esp 0x1009 -m transport -E aes-cbc 0x303132333435363738393a3b3c3d3e3f\n"
    "    -A hmac-sha1 0x404142434445464748494a4b4c4d4e4f50515253;\n"
    "spdadd 2001:db8::1 2001:db8::2 udp -P out ipsec esp/transport//require;\n";

Bytes udp_datagram(const char* src, const char* dst, std::uint16_t dport, std::size_t payload) {
  Bytes d(kIpv4HeaderLen + 8 + payload, 0x5a);
  Ipv4HeaderFields f;
  f.src = *IpAddr::parse(src);
  f.dst = *IpAddr::parse(dst);
  f.proto = 17;
  f.total_len = std::uint16_t(d.size());
  build_ipv4_header(d.data(), f);
  std::uint8_t* u = d.data() + kIpv4HeaderLen;
  store_be16(u, 40000);
  store_be16(u + 2, dport);
  store_be16(u + 4, std::uint16_t(8 + payload));
  store_be16(u + 6, 0);  // no checksum (IPv4 allows it)
  return d;
}

Bytes udp6_datagram(const char* src, const char* dst, std::uint16_t dport, std::size_t payload) {
  Bytes d(kIpv6HeaderLen + 8 + payload, 0x6b);
  Ipv6HeaderFields f;
  f.src = *IpAddr::parse(src);
  f.dst = *IpAddr::parse(dst);
  f.next_header = 17;
  f.payload_len = std::uint16_t(8 + payload);
  build_ipv6_header(d.data(), f);
  std::uint8_t* u = d.data() + kIpv6HeaderLen;
  store_be16(u, 40000);
  store_be16(u + 2, dport);
  store_be16(u + 4, std::uint16_t(8 + payload));
  store_be16(u + 6, 0xffff);  // not verified by tshark by default
  return d;
}

std::string shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

class EspSaTshark : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/aipsec-espsa-" + std::to_string(::getpid());
    ASSERT_EQ(std::system(("mkdir -p " + dir_ + "/good/wireshark " + dir_ + "/bad/wireshark").c_str()), 0);
  }
  void TearDown() override { (void)std::system(("rm -rf " + dir_).c_str()); }

  // The capture: three tunnel packets, two IPv4 and two IPv6 transport packets, protected.
  void write_capture() {
    DataPlane dp;
    setkey::apply_all(dp, setkey::parse(kConfig));
    PcapWriter w(dir_ + "/esp.pcap", LinkType::kRaw);
    auto emit = [&](Bytes d) {
      Packet p(d);
      ASSERT_EQ(dp.output(p).verdict, Verdict::kForward);
      w.write(p.bytes());
    };
    for (int i = 0; i < 3; ++i) emit(udp_datagram("10.1.0.5", "10.2.0.9", 5001, 100 + i));
    for (int i = 0; i < 2; ++i) emit(udp_datagram("192.0.2.1", "198.51.100.1", 5002, 60 + i));
    for (int i = 0; i < 2; ++i) emit(udp6_datagram("2001:db8::1", "2001:db8::2", 5003, 70 + i));
    w.flush();
  }

  // The table as ipsec-setkey writes it: SAs installed over PF_KEY, then DUMP.
  std::string exported_table() {
    testsupport::PfkeyTestServer server(dir_ + "/pfkey.sock");
    PfkeyClient client(server.path());
    std::ostringstream out, err;
    Session s(client, out, err, false);
    for (const auto& c : setkey::parse(kConfig)) EXPECT_TRUE(s.run(c, "cfg")) << err.str();
    std::vector<pfkey::Message> sas;
    EXPECT_EQ(s.dump(sa_all_message(SADB_DUMP, IpsecProto::kEsp), [&](const pfkey::Message& m) { sas.push_back(m); }), 0);
    return esp_sa_table(sas);
  }

  std::string tshark(const std::string& confdir) {
    return shell("WIRESHARK_CONFIG_DIR=" + confdir +
                 " tshark -n -r " + dir_ + "/esp.pcap -o esp.enable_encryption_decode:TRUE"
                 " -o esp.enable_authentication_check:TRUE -T fields -e esp.spi -e esp.icv_good"
                 " -e udp.dstport 2>/dev/null");
  }

  std::string dir_;
};

TEST_F(EspSaTshark, TsharkDecryptsWithTheExportedTable) {
  ASSERT_NE(shell("command -v tshark"), "") << "tshark is required for this test";
  write_capture();
  std::string table = exported_table();
  std::ofstream(dir_ + "/good/wireshark/esp_sa") << table;
  const std::string out = tshark(dir_ + "/good/wireshark");
  // One line per packet: SPI, icv_good, inner UDP destination port.
  EXPECT_EQ(out,
            "0x00001001\t1\t5001\n0x00001001\t1\t5001\n0x00001001\t1\t5001\n"
            "0x00001007\t1\t5002\n0x00001007\t1\t5002\n"
            "0x00001009\t1\t5003\n0x00001009\t1\t5003\n")
      << out << "\ntable:\n" << table;
}

TEST_F(EspSaTshark, AWrongKeyDoesNotDecrypt) {
  ASSERT_NE(shell("command -v tshark"), "") << "tshark is required for this test";
  write_capture();
  std::string table = exported_table();
  // Flip one hex digit of every key.
  for (const char* k : {"0x1011121314", "0x2021222324", "0x6061626364", "0x3031323334", "0x4041424344"}) {
    auto at = table.find(k);
    ASSERT_NE(at, std::string::npos) << table;
    table[at + 3] = table[at + 3] == '0' ? '1' : '0';
  }
  std::ofstream(dir_ + "/bad/wireshark/esp_sa") << table;
  const std::string out = tshark(dir_ + "/bad/wireshark");
  EXPECT_EQ(out.find("\t5001"), std::string::npos) << out;
  EXPECT_EQ(out.find("\t5002"), std::string::npos) << out;
  EXPECT_EQ(out.find("\t5003"), std::string::npos) << out;
  EXPECT_EQ(out.find("\t1\t"), std::string::npos) << out;
}

}  // namespace
