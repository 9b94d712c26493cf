// The control socket's line protocol: sysctls by their ipsec(4) names, stats,
// flush-stats and errors.
#include <sys/socket.h>

#include "daemon_fixture.hpp"

namespace {

// Every variable ipsec(4) names (IPv4 and IPv6 trees), written out here rather
// than taken from the code under test.
const char* const kIpsec4Names[] = {
    "net.inet.ipsec.esp_trans_deflev", "net.inet.ipsec.esp_net_deflev",
    "net.inet.ipsec.ah_trans_deflev",  "net.inet.ipsec.ah_net_deflev",
    "net.inet.ipsec.def_policy",       "net.inet.ipsec.ecn",
    "net.inet.ipsec.debug",            "net.inet.ipsec.ah_cleartos",
    "net.inet.ipsec.ah_offsetmask",    "net.inet.ipsec.dfbit",
    "net.inet6.ipsec6.esp_trans_deflev", "net.inet6.ipsec6.esp_net_deflev",
    "net.inet6.ipsec6.ah_trans_deflev",  "net.inet6.ipsec6.ah_net_deflev",
    "net.inet6.ipsec6.def_policy",       "net.inet6.ipsec6.ecn",
    "net.inet6.ipsec6.debug",            "net.inet.esp.esp_enable",
    "net.inet.ah.ah_enable",             "net.inet.ipcomp.ipcomp_enable",
};

class Control : public daemon_test::DaemonFixture {};

TEST_F(Control, SysctlGetSet) {
  EXPECT_EQ(control("sysctl get net.inet.ipsec.dfbit"), "net.inet.ipsec.dfbit=0\nok\n");
  EXPECT_EQ(control("sysctl set net.inet.ipsec.dfbit 2"), "net.inet.ipsec.dfbit=2\nok\n");
  EXPECT_EQ(control("sysctl get net.inet.ipsec.dfbit"), "net.inet.ipsec.dfbit=2\nok\n");
  EXPECT_EQ(control("sysctl set net.inet.ipsec.dfbit 3").rfind("error:", 0), 0u) << "dfbit is 0, 1 or 2";
  EXPECT_EQ(control("sysctl get net.inet.ipsec.dfbit"), "net.inet.ipsec.dfbit=2\nok\n");
  EXPECT_EQ(control("sysctl set net.inet.ipsec.esp_trans_deflev 5").rfind("error:", 0), 0u);
  EXPECT_EQ(control("sysctl set net.inet.ipsec.dfbit two").rfind("error:", 0), 0u);
  EXPECT_EQ(control("sysctl get net.inet.ipsec.nonexistent").rfind("error:", 0), 0u);
  EXPECT_EQ(control("sysctl frobnicate").rfind("error:", 0), 0u);
}

TEST_F(Control, EveryIpsec4VariableIsListedReadableAndWritable) {
  const std::string list = control("sysctl list");
  ASSERT_TRUE(list.ends_with("ok\n")) << list;
  for (const char* name : kIpsec4Names) {
    EXPECT_NE(list.find(std::string(name) + "="), std::string::npos) << name;
    // 1 is valid for every one of them (use level, none policy, on).
    EXPECT_EQ(control(std::string("sysctl set ") + name + " 1"), std::string(name) + "=1\nok\n");
    EXPECT_EQ(control(std::string("sysctl get ") + name), std::string(name) + "=1\nok\n");
  }
}

TEST_F(Control, StatsAndFlush) {
  const std::string s = control("stats");
  ASSERT_TRUE(s.ends_with("ok\n")) << s;
  for (const char* line : {"dataplane.out_packets 0\n", "dataplane.in_opened 0\n", "daemon.tun_rx 0\n",
                           "daemon.held_queue_full 0\n", "drop.filter 0\n", "drop.no_sa 0\n",
                           "drop.held_queue_full 0\n", "drop.icv_fail 0\n"})
    EXPECT_NE(s.find(line), std::string::npos) << line;
  EXPECT_EQ(control("flush-stats"), "ok\n");
  EXPECT_NE(control("help").find("sysctl get NAME"), std::string::npos);
  EXPECT_EQ(control("reboot").rfind("error:", 0), 0u);
  EXPECT_EQ(control("").rfind("error:", 0), 0u);
}

TEST_F(Control, OverlongLineIsRefusedAndTheConnectionClosed) {
  int fd = daemon_test::connect_unix(opts_.control_socket, SOCK_STREAM);
  ASSERT_GE(fd, 0);
  std::string junk(10000, 'x');
  ASSERT_EQ(::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL), ssize_t(junk.size()));
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 3000) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, std::size_t(n));
  }
  ::close(fd);
  EXPECT_EQ(out.rfind("error: line longer", 0), 0u) << out;
  EXPECT_EQ(control("sysctl get net.inet.ipsec.debug"), "net.inet.ipsec.debug=0\nok\n");
}

TEST(DaemonOptions, Parsing) {
  using aipsec::daemon::parse_options;
  auto parse = [](std::vector<const char*> args) {
    args.insert(args.begin(), "ipsecd");
    return parse_options(int(args.size()), args.data());
  };
  auto o = parse({"--pfkey-socket", "/p", "--tun", "t0", "--outer-address", "192.0.2.1", "--enc-tunnel",
                  "--enc-filter", "icmp", "--held-max", "7"});
  EXPECT_EQ(o.pfkey_socket, "/p");
  EXPECT_EQ(o.tun, "t0");
  EXPECT_TRUE(o.enc_tunnel);
  EXPECT_EQ(o.held_max_packets, 7u);
  try {
    parse({"--pfkey-socket", "/p", "--backend", "card"});
    ADD_FAILURE() << "unknown backend accepted";
  } catch (const aipsec::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--backend card: not available in this build (available: software"),
              std::string::npos)
        << e.what();
  }
  // A registered backend becomes selectable, and is what make_packet_path builds.
  struct Marker final : aipsec::daemon::PacketPath {
    aipsec::Result output(aipsec::Packet&) override { return {aipsec::Verdict::kDrop, aipsec::Reason::kFilter}; }
    aipsec::Result input(aipsec::Packet&) override { return {aipsec::Verdict::kDrop, aipsec::Reason::kFilter}; }
  };
  aipsec::daemon::register_backend("test-marker", [](aipsec::DataPlane&) { return std::make_unique<Marker>(); });
  EXPECT_EQ(parse({"--pfkey-socket", "/p", "--backend", "test-marker"}).backend, "test-marker");
  aipsec::DataPlane dp;
  aipsec::Packet pkt;
  EXPECT_EQ(aipsec::daemon::make_packet_path("test-marker", dp)->output(pkt).reason, aipsec::Reason::kFilter);
  EXPECT_THROW(aipsec::daemon::register_backend("software", nullptr), aipsec::Error);
  EXPECT_THROW(parse({"--tun", "t0"}), aipsec::Error);                                  // no PF_KEY socket
  EXPECT_THROW(parse({"--pfkey-socket", "/p", "--tun", "t0"}), aipsec::Error);          // no outer address
  EXPECT_THROW(parse({"--pfkey-socket", "/p", "--outer-address", "nope"}), aipsec::Error);
  EXPECT_THROW(parse({"--pfkey-socket", "/p", "--held-max", "-1"}), aipsec::Error);
  EXPECT_THROW(parse({"--pfkey-socket", "/p", "--frobnicate", "1"}), aipsec::Error);
  EXPECT_THROW(parse({"--pfkey-socket"}), aipsec::Error);
  EXPECT_THROW(parse({"--help"}), aipsec::daemon::UsageRequested);
}

}  // namespace
