// Per-socket policies (ipsec_set_policy(3) strings): parsing, the table, and
// their precedence over the SPD in the data plane, as in KAME: a socket's
// bypass beats an SPD ipsec policy, a socket's ipsec policy protects a flow the
// SPD leaves in the clear, entrust defers to the SPD.
#include <gtest/gtest.h>

#include "aipsec/dataplane.hpp"
#include "aipsec/setkey.hpp"
#include "aipsec/socket_policy.hpp"

namespace {

using namespace aipsec;

FlowKey udp_flow(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport) {
  FlowKey k;
  k.src = *IpAddr::parse(src);
  k.dst = *IpAddr::parse(dst);
  k.ulproto = 17;
  k.sport = sport;
  k.dport = dport;
  return k;
}

TEST(SocketPolicy, ParsesPolicyStringsAndGivesThemBack) {
  SocketPolicy p = SocketPolicy::parse("out ipsec esp/transport//require ah/transport//use");
  EXPECT_EQ(p.dir(), Direction::kOut);
  EXPECT_EQ(p.action(), PolicyAction::kIpsec);
  ASSERT_EQ(p.spec().requests.size(), 2u);
  EXPECT_EQ(p.spec().requests[1].proto, IpsecProto::kAh);
  EXPECT_EQ(p.spec().requests[1].level, Level::kUse);
  EXPECT_EQ(SocketPolicy::parse(p.to_string()).spec(), p.spec());
  EXPECT_EQ(SocketPolicy::parse("in bypass").action(), PolicyAction::kBypass);
}

TEST(SocketPolicy, RefusesWhatASocketCannotCarry) {
  EXPECT_THROW(SocketPolicy::parse("fwd bypass"), Error);
  EXPECT_THROW(SocketPolicy::parse("out ipsec esp/tunnel//require"), Error);
  EXPECT_THROW(SocketPolicy::parse("sideways bypass"), setkey::ParseError);
}

TEST(SocketPolicyTable, SetGetRemoveAndResolve) {
  SocketPolicyTable t;
  const FlowKey f = udp_flow("192.0.2.1", "192.0.2.2", 5000, 53);
  EXPECT_FALSE(t.resolve(7, Direction::kOut, f));  // nothing set: the SPD decides
  t.set(7, "out entrust");
  EXPECT_FALSE(t.resolve(7, Direction::kOut, f));
  t.set(7, "out ipsec esp/transport//require");
  t.set(7, "in bypass");
  auto out = t.resolve(7, Direction::kOut, f);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->action, PolicyAction::kIpsec);
  EXPECT_EQ(out->sel.src, (IpPrefix{f.src, 32}));
  EXPECT_EQ(out->sel.dport, 53);
  EXPECT_EQ(t.resolve(7, Direction::kIn, f)->action, PolicyAction::kBypass);
  EXPECT_EQ(t.get(7, Direction::kOut)->to_string(), SocketPolicy::parse("out ipsec esp/transport//require").to_string());
  EXPECT_FALSE(t.get(8, Direction::kOut));
  EXPECT_TRUE(t.remove(7));
  EXPECT_FALSE(t.remove(7));
  EXPECT_FALSE(t.resolve(7, Direction::kOut, f));
}

TEST(SocketPolicyTable, FlowsMapToTheirSocketInBothDirections) {
  SocketPolicyTable t;
  const FlowKey out = udp_flow("10.1.0.5", "10.2.0.9", 40000, 53);
  t.bind_flow(3, out);
  EXPECT_EQ(t.socket_of(Direction::kOut, out), 3u);
  EXPECT_EQ(t.socket_of(Direction::kIn, udp_flow("10.2.0.9", "10.1.0.5", 53, 40000)), 3u);
  EXPECT_FALSE(t.socket_of(Direction::kIn, out));
  EXPECT_FALSE(t.socket_of(Direction::kOut, udp_flow("10.1.0.5", "10.2.0.9", 40001, 53)));
  t.remove(3);
  EXPECT_FALSE(t.socket_of(Direction::kOut, out));
}

// ---- Precedence over the SPD in the data plane.

Bytes datagram(std::uint8_t proto, std::uint16_t sport, std::uint16_t dport) {
  Bytes d(kIpv4HeaderLen + 20 + 32, 0x33);
  Ipv4HeaderFields f;
  f.src = *IpAddr::parse("192.0.2.1");
  f.dst = *IpAddr::parse("192.0.2.2");
  f.proto = proto;
  f.total_len = std::uint16_t(d.size());
  build_ipv4_header(d.data(), f);
  std::uint8_t* l4 = d.data() + kIpv4HeaderLen;
  store_be16(l4, sport);
  store_be16(l4 + 2, dport);
  if (proto == 17) {
    store_be16(l4 + 4, std::uint16_t(d.size() - kIpv4HeaderLen));
    store_be16(l4 + 6, 0);
  } else {
    l4[12] = 5 << 4;  // TCP data offset
  }
  return d;
}

constexpr const char* kGateway =
    "add 192.0.2.1 192.0.2.2 esp 0x2001 -m transport -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
    "spdadd 192.0.2.1 192.0.2.2 udp -P out ipsec esp/transport//require;\n";

class SocketPolicyDataPlane : public ::testing::Test {
 protected:
  SocketPolicyDataPlane() {
    setkey::apply_all(dp, setkey::parse(kGateway));
    dp.sysctl().inet.def_policy = 1;  // what no policy covers passes
  }
  // The IP protocol of the packet after output_for_socket, or -1 if dropped.
  int send_from(SocketId sock, std::uint8_t proto) {
    Packet p(datagram(proto, 5000, 53));
    last = output_for_socket(dp, table, sock, p);
    return last.verdict == Verdict::kForward ? p.data()[9] : -1;
  }
  DataPlane dp;
  SocketPolicyTable table;
  Result last;
};

TEST_F(SocketPolicyDataPlane, WithoutASocketPolicyTheSpdDecides) {
  EXPECT_EQ(send_from(1, 17), 50);  // SPD: esp
  EXPECT_EQ(send_from(1, 6), 6);    // no SPD policy: def_policy bypass
  table.set(1, "out entrust");
  EXPECT_EQ(send_from(1, 17), 50);
}

TEST_F(SocketPolicyDataPlane, SocketBypassBeatsTheSpd) {
  table.set(1, "out bypass");
  const auto bypassed = dp.stats().out_bypass;
  EXPECT_EQ(send_from(1, 17), 17);
  EXPECT_EQ(dp.stats().out_bypass, bypassed + 1);
  EXPECT_EQ(send_from(2, 17), 50);  // another socket still follows the SPD
}

TEST_F(SocketPolicyDataPlane, SocketIpsecProtectsWhatTheSpdLeavesClear) {
  table.set(1, "out ipsec esp/transport//require");
  EXPECT_EQ(send_from(1, 6), 50);
  EXPECT_EQ(send_from(2, 6), 6);
}

TEST_F(SocketPolicyDataPlane, SocketDiscardAndMissingSaAreCountedDrops) {
  table.set(1, "out discard");
  EXPECT_EQ(send_from(1, 17), -1);
  EXPECT_EQ(last.reason, Reason::kPolicyDiscard);
  EXPECT_EQ(dp.drops().get(Reason::kPolicyDiscard), 1u);
  std::vector<AcquireRequest> asked;
  dp.set_acquire_handler([&](const AcquireRequest& r) { asked.push_back(r); });
  table.set(1, "out ipsec ah/transport//require");
  EXPECT_EQ(send_from(1, 17), -1);
  EXPECT_EQ(last.reason, Reason::kNoSa);
  EXPECT_EQ(dp.drops().get(Reason::kNoSa), 1u);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].request.proto, IpsecProto::kAh);
}

TEST_F(SocketPolicyDataPlane, InboundSocketPolicyChecksTheDecapsulationHistory) {
  DataPlane rx;  // the receiving host: the same SA, no SPD policy at all
  setkey::apply_all(rx, setkey::parse("add 192.0.2.1 192.0.2.2 esp 0x2001 -m transport -E aes-gcm-16 "
                                      "0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;"));
  rx.sysctl().inet.def_policy = 1;
  SocketPolicyTable rx_table;
  rx_table.set(9, "in ipsec esp/transport//require");

  Packet prot(datagram(17, 5000, 53));
  ASSERT_EQ(output_for_socket(dp, table, 1, prot).verdict, Verdict::kForward);
  ASSERT_EQ(prot.data()[9], 50);
  EXPECT_EQ(input_for_socket(rx, rx_table, 9, prot).verdict, Verdict::kForward);
  EXPECT_EQ(prot.data()[9], 17);  // opened

  Packet plain(datagram(17, 5000, 53));
  Result r = input_for_socket(rx, rx_table, 9, plain);
  EXPECT_EQ(r.verdict, Verdict::kDrop);
  EXPECT_EQ(r.reason, Reason::kInboundPolicy);
  EXPECT_EQ(rx.drops().get(Reason::kInboundPolicy), 1u);

  Packet plain2(datagram(17, 5000, 53));
  EXPECT_EQ(input_for_socket(rx, rx_table, 10, plain2).verdict, Verdict::kForward);  // no socket policy
  rx_table.set(10, "in discard");
  Packet plain3(datagram(17, 5000, 53));
  EXPECT_EQ(input_for_socket(rx, rx_table, 10, plain3).reason, Reason::kPolicyDiscard);
}

}  // namespace
