// The ipsec(4) sysctl variables: every name of the manual page (and of
// FreeBSD's tree) is present, defaults are the manual's, and out-of-range
// values are refused with a message naming the variable.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "aipsec/sysctl.hpp"

using namespace aipsec;

namespace {

// The list of ipsec(4) ("The variables can have one of two values" tables and
// "Miscellaneous sysctl variables"), written out by hand from the manual.
const char* const kManualNames[] = {
    "net.inet.ipsec.esp_trans_deflev", "net.inet.ipsec.esp_net_deflev",
    "net.inet.ipsec.ah_trans_deflev",  "net.inet.ipsec.ah_net_deflev",
    "net.inet6.ipsec6.esp_trans_deflev", "net.inet6.ipsec6.esp_net_deflev",
    "net.inet6.ipsec6.ah_trans_deflev",  "net.inet6.ipsec6.ah_net_deflev",
    "net.inet.ipsec.def_policy",       "net.inet6.ipsec6.def_policy",
    "net.inet.esp.esp_enable",         "net.inet.ah.ah_enable",
    "net.inet.ipcomp.ipcomp_enable",   "net.inet.ipsec.ah_cleartos",
    "net.inet.ipsec.ah_offsetmask",    "net.inet.ipsec.dfbit",
    "net.inet.ipsec.ecn",              "net.inet.ipsec.debug",
    "net.inet6.ipsec6.ecn",            "net.inet6.ipsec6.debug",
};

TEST(PolicySysctl, NamesAreExactlyTheManualOnes) {
  std::set<std::string> expected(std::begin(kManualNames), std::end(kManualNames));
  auto names = Sysctl::names();
  std::set<std::string> got(names.begin(), names.end());
  EXPECT_EQ(got.size(), names.size()) << "a name is listed twice";
  EXPECT_EQ(got, expected);
}

TEST(PolicySysctl, DefaultsFollowTheManual) {
  Sysctl s;
  EXPECT_EQ(s.get("net.inet.esp.esp_enable"), 1);
  EXPECT_EQ(s.get("net.inet.ah.ah_enable"), 1);
  EXPECT_EQ(s.get("net.inet.ipcomp.ipcomp_enable"), 0);
  EXPECT_EQ(s.get("net.inet.ipsec.ah_cleartos"), 1);
  EXPECT_EQ(s.get("net.inet.ipsec.ah_offsetmask"), 0);
  for (const char* fam : {"net.inet.ipsec.", "net.inet6.ipsec6."}) {
    for (const char* v : {"esp_trans_deflev", "esp_net_deflev", "ah_trans_deflev", "ah_net_deflev"})
      EXPECT_EQ(s.get(std::string(fam) + v), 1) << fam << v;
    EXPECT_EQ(s.get(std::string(fam) + "def_policy"), 1) << fam;
  }
}

TEST(PolicySysctl, SetReachesTheRightField) {
  Sysctl s;
  std::string err;
  ASSERT_TRUE(s.set("net.inet6.ipsec6.esp_net_deflev", 2, &err)) << err;
  EXPECT_EQ(s.inet6.esp_net_deflev, 2);
  EXPECT_EQ(s.inet.esp_net_deflev, 1);
  ASSERT_TRUE(s.set("net.inet.ipsec.ah_trans_deflev", 2, &err)) << err;
  EXPECT_EQ(s.inet.ah_trans_deflev, 2);
  EXPECT_EQ(s.inet6.ah_trans_deflev, 1);
  ASSERT_TRUE(s.set("net.inet.ipsec.def_policy", 0, &err));
  EXPECT_EQ(s.inet.def_policy, 0);
  EXPECT_EQ(s.family(4).def_policy, 0);
  EXPECT_EQ(s.family(6).def_policy, 1);
  ASSERT_TRUE(s.set("net.inet.ipsec.dfbit", 2, &err));
  EXPECT_EQ(s.dfbit, 2);
  ASSERT_TRUE(s.set("net.inet.ipsec.ah_offsetmask", 0xffff, &err));
  EXPECT_EQ(s.ah_offsetmask, 0xffff);
  ASSERT_TRUE(s.set("net.inet.ipcomp.ipcomp_enable", 1, &err));
  EXPECT_EQ(s.ipcomp_enable, 1);
  ASSERT_TRUE(s.set("net.inet6.ipsec6.ecn", 1, &err));
  EXPECT_EQ(s.inet6.ecn, 1);
  EXPECT_EQ(s.inet.ecn, 0);
  EXPECT_EQ(s.get("net.inet6.ipsec6.ecn"), 1);
}

TEST(PolicySysctl, EveryNameRoundTrips) {
  for (const auto& n : Sysctl::names()) {
    Sysctl s;
    auto v = s.get(n);
    ASSERT_TRUE(v.has_value()) << n;
    std::string err;
    EXPECT_TRUE(s.set(n, *v, &err)) << n << ": " << err;
  }
}

struct RangeCase {
  const char* name;
  std::vector<int> good, bad;
};

TEST(PolicySysctl, RangesAreEnforced) {
  const RangeCase cases[] = {
      {"net.inet.ipsec.esp_trans_deflev", {1, 2}, {0, 3, -1, 4}},
      {"net.inet6.ipsec6.ah_net_deflev", {1, 2}, {0, 3}},
      {"net.inet.ipsec.def_policy", {0, 1}, {2, -1}},
      {"net.inet6.ipsec6.def_policy", {0, 1}, {2}},
      {"net.inet.ipsec.dfbit", {0, 1, 2}, {3, -1}},
      {"net.inet.ipsec.ah_offsetmask", {0, 0x3fff, 0xffff}, {0x10000, -1}},
      {"net.inet.ipsec.ah_cleartos", {0, 1}, {2}},
      {"net.inet.esp.esp_enable", {0, 1}, {2, -1}},
      {"net.inet.ah.ah_enable", {0, 1}, {7}},
      {"net.inet.ipcomp.ipcomp_enable", {0, 1}, {2}},
      {"net.inet.ipsec.ecn", {0, 1}, {2}},
      {"net.inet6.ipsec6.debug", {0, 1}, {2}},
  };
  for (const auto& c : cases) {
    for (int v : c.good) {
      Sysctl s;
      std::string err;
      EXPECT_TRUE(s.set(c.name, v, &err)) << c.name << "=" << v << ": " << err;
      EXPECT_EQ(s.get(c.name), v);
    }
    for (int v : c.bad) {
      Sysctl s;
      auto before = s.get(c.name);
      std::string err;
      EXPECT_FALSE(s.set(c.name, v, &err)) << c.name << "=" << v;
      EXPECT_NE(err.find(c.name), std::string::npos) << err;
      EXPECT_NE(err.find("out of range"), std::string::npos) << err;
      EXPECT_EQ(s.get(c.name), before) << "a refused value must not be stored";
    }
  }
}

TEST(PolicySysctl, UnknownNamesAreRefused) {
  Sysctl s;
  std::string err;
  EXPECT_FALSE(s.get("net.inet.ipsec.nonexistent").has_value());
  EXPECT_FALSE(s.get("net.inet6.ipsec6.dfbit").has_value());  // IPv4 only in ipsec(4)
  EXPECT_FALSE(s.set("net.inet.ipsec.esp_trans_deflevx", 1, &err));
  EXPECT_NE(err.find("unknown sysctl"), std::string::npos) << err;
  EXPECT_FALSE(s.set("", 1));  // no error pointer: must not crash
}

}  // namespace
