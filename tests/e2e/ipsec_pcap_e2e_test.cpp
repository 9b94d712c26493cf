// ipsec-pcap end to end: protect the sample capture with gateway A's
// configuration, open it with gateway B's, and compare with the original using
// libpcap directly (not the code under test).
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Frame {
  long sec = 0, usec = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const Frame&) const = default;
};

struct Capture {
  int link = -1;
  std::vector<Frame> frames;
};

Capture read_capture(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  Capture c;
  if (!p) {
    ADD_FAILURE() << "cannot open " << path << ": " << err;
    return c;
  }
  c.link = pcap_datalink(p);
  pcap_pkthdr* h = nullptr;
  const u_char* d = nullptr;
  while (pcap_next_ex(p, &h, &d) == 1)
    c.frames.push_back({long(h->ts.tv_sec), long(h->ts.tv_usec), std::vector<std::uint8_t>(d, d + h->caplen)});
  pcap_close(p);
  return c;
}

void write_capture(const std::string& path, int link, const std::vector<Frame>& frames) {
  pcap_t* dead = pcap_open_dead(link, 65535);
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  ASSERT_NE(d, nullptr) << path;
  for (const auto& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = f.sec;
    h.ts.tv_usec = int(f.usec);
    h.caplen = h.len = std::uint32_t(f.data.size());
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data.data());
  }
  pcap_dump_close(d);
  pcap_close(dead);
}

// Every frame read is written, consumed or counted under a reason.
void expect_all_accounted(const nlohmann::json& s) {
  long dropped = 0;
  for (const auto& [reason, n] : s["dropped"].items()) dropped += n.get<long>();
  EXPECT_EQ(s["in"].get<long>(), s["out"].get<long>() + s["consumed"].get<long>() + dropped) << s.dump();
}

class IpsecPcap : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ipsec_pcap_e2e_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the tool with arguments; returns its exit status.
  int run(const std::string& args) {
    std::string cmd = std::string(IPSEC_PCAP_BIN) + " " + args + " >" + (dir_ / "stdout").string() + " 2>" +
                      (dir_ / "stderr").string();
    int st = std::system(cmd.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  std::string stderr_text() {
    std::ifstream f(dir_ / "stderr");
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  nlohmann::json stats(const std::string& name) {
    std::ifstream f(dir_ / name);
    return nlohmann::json::parse(f);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string example(const std::string& name) { return std::string(AIPSEC_EXAMPLES) + "/" + name; }

  fs::path dir_;
};

// Outer IPv4 protocol of an Ethernet frame (0 if not IPv4).
int outer_proto(const Frame& f) {
  if (f.data.size() < 34 || f.data[12] != 0x08 || f.data[13] != 0x00) return 0;
  return f.data[14 + 9];
}

TEST_F(IpsecPcap, GcmTunnelRoundTripGivesTheOriginalPackets) {
  const std::string plain = example("sample-plain.pcap");
  ASSERT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + plain + " --out " +
                path("esp.pcap") + " --stats " + path("a.json")),
            0)
      << stderr_text();
  ASSERT_EQ(run("--config " + example("gateway-b.conf") + " --dir in --in " + path("esp.pcap") + " --out " +
                path("open.pcap") + " --stats " + path("b.json")),
            0)
      << stderr_text();

  Capture orig = read_capture(plain), esp = read_capture(path("esp.pcap")), open = read_capture(path("open.pcap"));
  ASSERT_EQ(orig.frames.size(), 10u);
  EXPECT_EQ(esp.link, orig.link);
  EXPECT_EQ(open.link, orig.link);
  ASSERT_EQ(open.frames.size(), orig.frames.size());
  for (std::size_t i = 0; i < orig.frames.size(); ++i) EXPECT_EQ(open.frames[i], orig.frames[i]) << "frame " << i;

  // What went through the tunnel is ESP between the gateways; the DNS query (none
  // policy) and the IPv6 packets (no policy, def_policy none) went out unchanged.
  ASSERT_EQ(esp.frames.size(), orig.frames.size());
  int esp_frames = 0;
  for (std::size_t i = 0; i < esp.frames.size(); ++i) {
    EXPECT_EQ(esp.frames[i].sec, orig.frames[i].sec);
    EXPECT_EQ(esp.frames[i].usec, orig.frames[i].usec);
    if (outer_proto(esp.frames[i]) == 50) ++esp_frames;
    else EXPECT_EQ(esp.frames[i], orig.frames[i]) << "frame " << i;
  }
  EXPECT_EQ(esp_frames, 7);

  auto a = stats("a.json"), b = stats("b.json");
  EXPECT_EQ(a["in"], 10);
  EXPECT_EQ(a["out"], 10);
  EXPECT_TRUE(a["dropped"].empty()) << a.dump();
  EXPECT_EQ(a["dataplane"]["out_protected"], 7);
  EXPECT_EQ(a["dataplane"]["out_bypass"], 3);
  EXPECT_EQ(b["in"], 10);
  EXPECT_EQ(b["out"], 10);
  EXPECT_TRUE(b["dropped"].empty()) << b.dump();
  EXPECT_EQ(b["dataplane"]["in_opened"], 7);
  expect_all_accounted(a);
  expect_all_accounted(b);
}

TEST_F(IpsecPcap, ScapyOpensWhatGatewayAWrote) {
  // Independent oracle: Scapy's ESP implementation decrypts the tool's output.
  const std::string python = AIPSEC_PYTHON3;
  if (python.empty() || python.find("NOTFOUND") != std::string::npos) GTEST_SKIP() << "no /usr/bin/python3";
  const std::string plain = example("sample-plain.pcap");
  ASSERT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + plain + " --out " + path("esp.pcap")),
            0);
  std::string cmd = python + " " + AIPSEC_E2E_SCRIPTS + "/scapy_open_gateway_a.py " + plain + " " +
                    path("esp.pcap") + " >" + path("scapy.txt") + " 2>&1";
  int st = std::system(cmd.c_str());
  std::ifstream f(path("scapy.txt"));
  std::string out(std::istreambuf_iterator<char>(f), {});
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  EXPECT_NE(out.find("9: esp seq=7 ok"), std::string::npos) << out;
}

TEST_F(IpsecPcap, ReplayedCaptureIsDroppedAndCounted) {
  // The same ESP packets twice in one run: the second copies are replays.
  const std::string plain = example("sample-plain.pcap");
  ASSERT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + plain + " --out " + path("esp.pcap")), 0);
  Capture esp = read_capture(path("esp.pcap"));
  std::vector<Frame> twice = esp.frames;
  twice.insert(twice.end(), esp.frames.begin(), esp.frames.end());
  write_capture(path("twice.pcap"), esp.link, twice);
  ASSERT_EQ(run("--config " + example("gateway-b.conf") + " --dir in --in " + path("twice.pcap") + " --out " +
                path("open.pcap") + " --stats " + path("b.json")),
            0)
      << stderr_text();
  auto b = stats("b.json");
  EXPECT_EQ(b["in"], 20);
  EXPECT_EQ(b["out"], 13);  // 10 first time, the 3 clear packets again
  EXPECT_EQ(b["dropped"]["replay"], 7) << b.dump();
  EXPECT_NE(stderr_text().find("replay: 7"), std::string::npos) << stderr_text();
  expect_all_accounted(b);
}

TEST_F(IpsecPcap, RawIpCaptureRoundTrip) {
  Capture eth = read_capture(example("sample-plain.pcap"));
  std::vector<Frame> raw;
  for (const auto& f : eth.frames) raw.push_back({f.sec, f.usec, {f.data.begin() + 14, f.data.end()}});
  write_capture(path("raw.pcap"), DLT_RAW, raw);
  ASSERT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + path("raw.pcap") + " --out " +
                path("esp.pcap")),
            0)
      << stderr_text();
  ASSERT_EQ(run("--config " + example("gateway-b.conf") + " --dir in --in " + path("esp.pcap") + " --out " +
                path("open.pcap")),
            0)
      << stderr_text();
  Capture esp = read_capture(path("esp.pcap")), open = read_capture(path("open.pcap"));
  EXPECT_EQ(esp.link, DLT_RAW);
  EXPECT_EQ(open.link, DLT_RAW);
  ASSERT_EQ(esp.frames.size(), raw.size());
  EXPECT_EQ(esp.frames[0].data[9], 50) << "first packet leaves as ESP";
  ASSERT_EQ(open.frames.size(), raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) EXPECT_EQ(open.frames[i], raw[i]) << "frame " << i;
}

TEST_F(IpsecPcap, FourInSixTunnelFixesTheEtherType) {
  const char* sa =
      "add 2001:db8:ffff::1 2001:db8:ffff::2 esp 0x5001 -m tunnel -r 4\n"
      "  -E aes-gcm-16 0x000102030405060708090a0b0c0d0e0f10111213;\n";
  std::ofstream(path("a.conf")) << sa
                                << "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec\n"
                                   "  esp/tunnel/2001:db8:ffff::1-2001:db8:ffff::2/require;\n";
  std::ofstream(path("b.conf")) << sa
                                << "spdadd 10.1.0.0/16 10.2.0.0/16 any -P in ipsec\n"
                                   "  esp/tunnel/2001:db8:ffff::1-2001:db8:ffff::2/require;\n";
  const std::string plain = example("sample-plain.pcap");
  ASSERT_EQ(run("--config " + path("a.conf") + " --dir out --in " + plain + " --out " + path("esp.pcap") +
                " --stats " + path("a.json")),
            0)
      << stderr_text();
  Capture orig = read_capture(plain), esp = read_capture(path("esp.pcap"));
  ASSERT_EQ(esp.frames.size(), orig.frames.size());
  const Frame& f = esp.frames[0];
  ASSERT_GT(f.data.size(), 54u);
  EXPECT_EQ(f.data[12], 0x86);
  EXPECT_EQ(f.data[13], 0xdd);
  EXPECT_EQ(f.data[14] >> 4, 6);
  EXPECT_EQ(f.data[14 + 6], 50) << "IPv6 next header ESP";
  EXPECT_EQ(std::vector<std::uint8_t>(f.data.begin(), f.data.begin() + 12),
            std::vector<std::uint8_t>(orig.frames[0].data.begin(), orig.frames[0].data.begin() + 12))
      << "MAC addresses kept";
  ASSERT_EQ(run("--config " + path("b.conf") + " --dir in --in " + path("esp.pcap") + " --out " + path("open.pcap") +
                " --stats " + path("b.json")),
            0)
      << stderr_text();
  Capture open = read_capture(path("open.pcap"));
  ASSERT_EQ(open.frames.size(), orig.frames.size());
  for (std::size_t i = 0; i < orig.frames.size(); ++i) EXPECT_EQ(open.frames[i], orig.frames[i]) << "frame " << i;
  expect_all_accounted(stats("a.json"));
  expect_all_accounted(stats("b.json"));
}

TEST_F(IpsecPcap, WrongKeyDropsWithIcvFailure) {
  std::ofstream(path("bad.conf")) << "add 192.0.2.1 198.51.100.1 esp 0x1001 -m tunnel -r 4\n"
                                     "  -E aes-gcm-16 0xff02030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
                                     "spdadd 10.1.0.0/16 10.2.0.0/16 any -P in ipsec\n"
                                     "  esp/tunnel/192.0.2.1-198.51.100.1/require;\n";
  ASSERT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + example("sample-plain.pcap") +
                " --out " + path("esp.pcap")),
            0);
  ASSERT_EQ(run("--config " + path("bad.conf") + " --dir in --in " + path("esp.pcap") + " --out " +
                path("open.pcap") + " --stats " + path("s.json")),
            0);
  auto s = stats("s.json");
  EXPECT_EQ(s["dropped"]["icv_fail"], 7) << s.dump();
  // bad.conf has no clear-text DNS policy: the plain DNS query breaks the inbound
  // policy; the IPv6 packets match no policy and pass.
  EXPECT_EQ(s["dropped"]["inbound_policy"], 1) << s.dump();
  EXPECT_EQ(read_capture(path("open.pcap")).frames.size(), 2u);
  expect_all_accounted(s);
}

TEST_F(IpsecPcap, UsageAndRuntimeErrorsHaveTheirExitCodes) {
  EXPECT_EQ(run("--help"), 0);
  EXPECT_EQ(run(""), 2);
  EXPECT_EQ(run("--config x --dir sideways --in a --out b"), 2);
  EXPECT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + example("sample-plain.pcap") +
                " --out " + path("o.pcap") + " --backend card"),
            2);
  EXPECT_NE(stderr_text().find("backend card is not available in this build"), std::string::npos);
  EXPECT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + example("sample-plain.pcap") +
                " --out " + path("o.pcap") + " --sysctl net.inet.ipsec.no_such_knob=1"),
            2);
  EXPECT_EQ(run("--config " + path("missing.conf") + " --dir out --in " + example("sample-plain.pcap") +
                " --out " + path("o.pcap")),
            1);
  std::ofstream(path("broken.conf")) << "add 192.0.2.1 198.51.100.1 esp 0x1001\n  -E aes-gcm-16 0x0102;\n";
  EXPECT_EQ(run("--config " + path("broken.conf") + " --dir out --in " + example("sample-plain.pcap") +
                " --out " + path("o.pcap")),
            1);
  EXPECT_NE(stderr_text().find("broken.conf:2: near 'aes-gcm-16 key'"), std::string::npos) << stderr_text();
}

TEST_F(IpsecPcap, DefPolicyDiscardSysctlDropsUnmatchedTraffic) {
  ASSERT_EQ(run("--config " + example("gateway-a.conf") + " --dir out --in " + example("sample-plain.pcap") +
                " --out " + path("o.pcap") + " --stats " + path("s.json") +
                " --sysctl net.inet6.ipsec6.def_policy=0"),
            0)
      << stderr_text();
  auto s = stats("s.json");
  EXPECT_EQ(s["dropped"]["default_policy_discard"], 2) << s.dump();  // the two IPv6 packets
  EXPECT_EQ(s["out"], 8);
  expect_all_accounted(s);
}

}  // namespace
