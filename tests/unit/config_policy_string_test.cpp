// The ipsec_set_policy(3) policy-string grammar on its own (parse_policy_string).
#include <gtest/gtest.h>

#include "aipsec/setkey.hpp"

namespace aipsec::setkey {
namespace {

IpsecRequest req(IpsecProto p, Mode m, const char* src, const char* dst, Level l, std::uint32_t reqid = 0) {
  IpsecRequest r;
  r.proto = p;
  r.mode = m;
  if (src) r.src = *IpAddr::parse(src);
  if (dst) r.dst = *IpAddr::parse(dst);
  r.level = l;
  r.reqid = reqid;
  return r;
}

TEST(PolicyString, SimpleActions) {
  struct Case {
    const char* text;
    Direction dir;
    PolicyAction action;
  };
  for (const auto& c : {Case{"in discard", Direction::kIn, PolicyAction::kDiscard},
                        Case{"out none", Direction::kOut, PolicyAction::kNone},
                        Case{"out entrust", Direction::kOut, PolicyAction::kEntrust},
                        Case{"in bypass", Direction::kIn, PolicyAction::kBypass},
                        Case{"fwd none", Direction::kFwd, PolicyAction::kNone}}) {
    PolicySpec s = parse_policy_string(c.text);
    EXPECT_EQ(s.dir, c.dir) << c.text;
    EXPECT_EQ(s.action, c.action) << c.text;
    EXPECT_TRUE(s.requests.empty());
    EXPECT_EQ(s.priority, 0);
  }
}

TEST(PolicyString, RequestsLevelsAndUnique) {
  PolicySpec s = parse_policy_string(
      "out ipsec esp/tunnel/192.0.2.1-192.0.2.2/require ah/transport//use ipcomp/transport/ "
      "esp/transport//default esp/transport//unique ah/transport//unique:42 esp/transport");
  ASSERT_EQ(s.action, PolicyAction::kIpsec);
  std::vector<IpsecRequest> want = {
      req(IpsecProto::kEsp, Mode::kTunnel, "192.0.2.1", "192.0.2.2", Level::kRequire),
      req(IpsecProto::kAh, Mode::kTransport, nullptr, nullptr, Level::kUse),
      req(IpsecProto::kIpComp, Mode::kTransport, nullptr, nullptr, Level::kDefault),
      req(IpsecProto::kEsp, Mode::kTransport, nullptr, nullptr, Level::kDefault),
      req(IpsecProto::kEsp, Mode::kTransport, nullptr, nullptr, Level::kUnique),
      req(IpsecProto::kAh, Mode::kTransport, nullptr, nullptr, Level::kUnique, 42),
      req(IpsecProto::kEsp, Mode::kTransport, nullptr, nullptr, Level::kDefault),
  };
  EXPECT_EQ(s.requests, want);
}

TEST(PolicyString, Ipv6TunnelAndPriority) {
  PolicySpec s = parse_policy_string("in priority 100 ipsec esp/tunnel/2001:db8::1-2001:db8::2/unique:16383");
  EXPECT_EQ(s.dir, Direction::kIn);
  EXPECT_EQ(s.priority, 100);
  ASSERT_EQ(s.requests.size(), 1u);
  EXPECT_EQ(s.requests[0], req(IpsecProto::kEsp, Mode::kTunnel, "2001:db8::1", "2001:db8::2", Level::kUnique, 16383));
  EXPECT_EQ(parse_policy_string("out prio -2147483648 none").priority, INT32_MIN);
  EXPECT_EQ(parse_policy_string("out prio 2147483647 none").priority, INT32_MAX);
}

TEST(PolicyString, FormatParsesBack) {
  for (const char* text : {"out none", "in priority -7 discard",
                           "out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require ah/transport//unique:9",
                           "fwd ipsec ipcomp/tunnel/fec0::1-fec0::2/use esp/transport//default"}) {
    PolicySpec s = parse_policy_string(text);
    EXPECT_EQ(parse_policy_string(format_policy_string(s)), s) << text;
  }
}

TEST(PolicyString, Errors) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const auto& c : {
           Case{"", "near '<end of input>'"},
           Case{"sideways none", "near 'sideways': policy direction"},
           Case{"out maybe", "near 'maybe': policy must be"},
           Case{"out ipsec", "ipsec needs at least one request"},
           Case{"out ipsec esp", "near 'esp': expected a request"},
           Case{"out ipsec gre/transport//require", "request protocol must be"},
           Case{"out ipsec esp/bus//require", "request mode must be"},
           Case{"out ipsec esp/tunnel//require", "tunnel mode needs endpoints"},
           Case{"out ipsec esp/tunnel/10.0.0.1/require", "endpoints must be written src-dst"},
           Case{"out ipsec esp/tunnel/10.0.0.1-fec0::1/require", "mix IPv4 and IPv6"},
           Case{"out ipsec esp/tunnel/a-b/require", "numeric addresses"},
           Case{"out ipsec esp/transport//mandatory", "near 'esp/transport//mandatory': level must be"},
           Case{"out ipsec esp/transport//unique:0", "unique:N needs N in 1..16383"},
           Case{"out ipsec esp/transport//unique:16384", "unique:N needs N"},
           Case{"out ipsec esp/transport//require/extra", "expected a request"},
           Case{"out priority 2147483648 none", "priority must be"},
           Case{"out priority x none", "priority must be"},
           Case{"out none trailing", "near 'trailing': unexpected text after the policy"},
       }) {
    try {
      parse_policy_string(c.text);
      ADD_FAILURE() << "no error for '" << c.text << "'";
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << c.text << " -> " << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("<policy>:1: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace aipsec::setkey
