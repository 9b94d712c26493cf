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

}  // namespace
