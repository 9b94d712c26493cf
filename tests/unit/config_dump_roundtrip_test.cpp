// parse -> apply -> dump -> parse: the SAs and policies read back from a
// setkey -D / -DP style dump equal the ones configured. Also the other commands
// applied to a data plane (get, delete, deleteall, flush, spddelete, spdflush).
#include <gtest/gtest.h>

#include "aipsec/dataplane.hpp"
#include "aipsec/setkey.hpp"

namespace aipsec::setkey {
namespace {

void expect_same_sa(const SaConfig& a, const SaConfig& b) {
  EXPECT_EQ(a.proto, b.proto);
  EXPECT_EQ(a.spi, b.spi);
  EXPECT_EQ(a.src, b.src);
  EXPECT_EQ(a.dst, b.dst);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.reqid, b.reqid);
  EXPECT_EQ(a.enc, b.enc);
  EXPECT_EQ(a.auth, b.auth);
  EXPECT_EQ(a.comp, b.comp);
  EXPECT_TRUE(a.enc_key == b.enc_key) << "spi " << a.spi;
  EXPECT_TRUE(a.auth_key == b.auth_key) << "spi " << a.spi;
  EXPECT_EQ(a.replay_window, b.replay_window);
  EXPECT_EQ(a.esn, b.esn);
  EXPECT_EQ(a.cyclic_seq, b.cyclic_seq);
  EXPECT_EQ(a.pad, b.pad);
  EXPECT_EQ(a.ipcomp_raw_cpi, b.ipcomp_raw_cpi);
  EXPECT_EQ(a.hard, b.hard);
  EXPECT_EQ(a.soft, b.soft);
  EXPECT_EQ(a.flags, b.flags);
}

void expect_same_policy(const Policy& a, const Policy& b) {
  EXPECT_EQ(a.sel, b.sel);
  EXPECT_EQ(a.dir, b.dir);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.priority, b.priority);
  EXPECT_EQ(a.lifetime, b.lifetime);
}

constexpr const char* kConfig = R"(
add 192.0.2.1 192.0.2.2 esp 0x1001 -m tunnel -r 4 -u 5 -f esn -lh 3600 -ls 3000 -bh 2000000 -bs 1000000
  -E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;
add 192.0.2.2 192.0.2.1 esp 0x1002 -m transport -f random-pad -f cyclic-seq
  -E aes-cbc 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
  -A hmac-sha2-512 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f;
add 2001:db8::1 2001:db8::2 esp 4096 -f zero-pad -E chacha20-poly1305
  0x808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f01020304;
add 2001:db8::1 2001:db8::2 ah 4097 -m transport -A hmac-sha1 "twenty-byte-key-1234";
add 10.0.0.1 10.0.0.2 ah 4098 -A aes-256-gmac 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00000001;
add 10.0.0.1 10.0.0.2 esp 4099 -E aes-gmac 0x000102030405060708090a0b0c0d0e0f10111213;
add 10.0.0.1 10.0.0.2 esp 4100 -E null -A aes-xcbc-mac 0x000102030405060708090a0b0c0d0e0f;
add 10.0.0.1 10.0.0.2 esp 4101 -E aes-ctr 0x000102030405060708090a0b0c0d0e0f1011121314151617c0c1c2c3 -A hmac-sha2-384
  0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f;
add 10.0.0.1 10.0.0.2 ipcomp 0x3001 -C deflate -R;
add 10.0.0.1 10.0.0.2 esp 4102 -E aes-gcm-8 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;

spdadd 10.1.0.0/16[any] 10.2.0.0/16[443] tcp -P out priority 10
  ipsec esp/tunnel/192.0.2.1-192.0.2.2/require ah/transport//unique:5;
spdadd 10.2.0.0/16 10.1.0.0/16 any -P in ipsec esp/tunnel/192.0.2.2-192.0.2.1/use;
spdadd 0.0.0.0/0 0.0.0.0/0 icmp 8,0 -P out discard;
spdadd 2001:db8:1::/64[53] 2001:db8:2::/64 udp -P out none;
spdadd ::/0 ::/0 icmp6 135 -P in bypass;
spdadd 10.9.0.0/16 10.8.0.0/16 132 -P out prio -3 entrust;
spdadd 10.7.0.0/16 10.6.0.0/16 any -P out ipsec ipcomp/transport//use esp/transport//default;
)";

TEST(DumpRoundTrip, SasAndPoliciesReadBackEqual) {
  auto cmds = parse(kConfig, "rt.conf");
  DataPlane dp;
  apply_all(dp, cmds, "rt.conf");
  std::vector<SaConfig> configured;
  std::vector<Policy> policies;
  for (const auto& c : cmds) {
    if (auto* a = std::get_if<SaAddCommand>(&c)) configured.push_back(a->sa);
    if (auto* p = std::get_if<SpdAddCommand>(&c)) policies.push_back(p->policy);
  }
  ASSERT_EQ(dp.sad().size(), configured.size());
  ASSERT_EQ(dp.spd().size(), policies.size());

  std::string dump = setkey::apply(dp, SaDumpCommand{}) + setkey::apply(dp, SpdDumpCommand{});
  auto back = parse_dump(dump);
  std::vector<SaConfig> sas;
  std::vector<Policy> pols;
  for (const auto& c : back) {
    if (auto* a = std::get_if<SaAddCommand>(&c)) sas.push_back(a->sa);
    if (auto* p = std::get_if<SpdAddCommand>(&c)) pols.push_back(p->policy);
  }
  ASSERT_EQ(sas.size(), configured.size()) << dump;
  ASSERT_EQ(pols.size(), policies.size()) << dump;
  // The SAD dumps in insertion order; match policies by selector and direction.
  for (std::size_t i = 0; i < sas.size(); ++i) expect_same_sa(sas[i], configured[i]);
  for (const auto& want : policies) {
    auto it = std::find_if(pols.begin(), pols.end(),
                            [&](const Policy& p) { return p.sel == want.sel && p.dir == want.dir; });
    ASSERT_NE(it, pols.end()) << dump;
    expect_same_policy(*it, want);
  }

  // And the structures re-applied to a fresh data plane dump the same text.
  DataPlane dp2;
  apply_all(dp2, back);
  std::string dump2 = setkey::apply(dp2, SaDumpCommand{}) + setkey::apply(dp2, SpdDumpCommand{});
  auto strip_times = [](std::string s) {
    std::string out;
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t end = s.find('\n', pos);
      std::string line = s.substr(pos, end - pos);
      if (line.find("created:") == std::string::npos && line.find("spid=") == std::string::npos) out += line + "\n";
      pos = end == std::string::npos ? s.size() : end + 1;
    }
    return out;
  };
  EXPECT_EQ(strip_times(dump2), strip_times(dump));
}

TEST(DumpRoundTrip, DumpShowsSetkeyFields) {
  DataPlane dp;
  apply_all(dp, parse("add 192.0.2.1 192.0.2.2 esp 0x1001 -m tunnel -r 4 -E aes-gcm-16 "
                      "0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;\n"
                      "spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-192.0.2.2/require;"));
  std::string sad = format_sad(dp.sad());
  // Independent expectations: the setkey -D layout, key in hex groups of four bytes.
  EXPECT_NE(sad.find("192.0.2.1 192.0.2.2\n"), std::string::npos) << sad;
  EXPECT_NE(sad.find("\tesp mode=tunnel spi=4097(0x00001001) reqid=0(0x00000000)\n"), std::string::npos) << sad;
  EXPECT_NE(sad.find("\tE: aes-gcm-16 01020304 05060708 090a0b0c 0d0e0f10 a1a2a3a4\n"), std::string::npos) << sad;
  EXPECT_NE(sad.find("replay=4 flags=0x00000000 state=mature"), std::string::npos) << sad;
  std::string spd = format_spd(dp.spd());
  EXPECT_NE(spd.find("10.1.0.0/16[any] 10.2.0.0/16[any] any\n\tout ipsec\n\tesp/tunnel/192.0.2.1-192.0.2.2/require\n"),
            std::string::npos)
      << spd;
  DataPlane empty;
  EXPECT_EQ(format_sad(empty.sad()), "No SAD entries.\n");
  EXPECT_EQ(format_spd(empty.spd()), "No SPD entries.\n");
}

TEST(ApplyCommands, GetDeleteFlushAndErrorsNameTheLine) {
  DataPlane dp;
  apply_all(dp, parse(kConfig));
  std::size_t sas = dp.sad().size(), pols = dp.spd().size();

  std::string got = apply_all(dp, parse("get 192.0.2.1 192.0.2.2 esp 0x1001;"));
  EXPECT_NE(got.find("spi=4097(0x00001001)"), std::string::npos) << got;
  EXPECT_THROW(apply_all(dp, parse("get 192.0.2.9 192.0.2.2 esp 0x1001;")), Error);

  apply_all(dp, parse("delete 192.0.2.1 192.0.2.2 esp 0x1001;"));
  EXPECT_EQ(dp.sad().size(), sas - 1);
  try {
    apply_all(dp, parse("flush esp;\n\ndelete 192.0.2.1 192.0.2.2 esp 0x1001;"), "ops.conf");
    FAIL() << "deleting a missing SA must fail";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("ops.conf:3: ", 0), 0u) << e.what();
  }
  std::size_t before = dp.sad().size();  // flush esp left the AH and IPComp SAs
  apply_all(dp, parse("deleteall 2001:db8::1 2001:db8::2 ah;"));
  EXPECT_EQ(dp.sad().size(), before - 1);
  apply_all(dp, parse("flush;"));
  EXPECT_EQ(dp.sad().size(), 0u);

  apply_all(dp, parse("spddelete 10.2.0.0/16 10.1.0.0/16 any -P in;"));
  EXPECT_EQ(dp.spd().size(), pols - 1);
  EXPECT_THROW(apply_all(dp, parse("spddelete 10.2.0.0/16 10.1.0.0/16 any -P in;")), Error);
  apply_all(dp, parse("spdupdate 0.0.0.0/0 0.0.0.0/0 icmp 8,0 -P out none;"));
  EXPECT_EQ(dp.spd().size(), pols - 1);
  apply_all(dp, parse("spdflush;"));
  EXPECT_EQ(dp.spd().size(), 0u);
}

TEST(ApplyCommands, DuplicateSaIsAnErrorWithTheLine) {
  DataPlane dp;
  auto cmds = parse("add 10.0.0.1 10.0.0.2 esp 4100 -E null -A hmac-sha1 \"twenty-byte-key-1234\";\n"
                    "add 10.0.0.1 10.0.0.2 esp 4100 -E null -A hmac-sha1 \"twenty-byte-key-1234\";",
                    "dup.conf");
  try {
    apply_all(dp, cmds, "dup.conf");
    FAIL() << "duplicate SA accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("dup.conf:2: ", 0), 0u) << e.what();
    EXPECT_EQ(std::string(e.what()).find("twenty"), std::string::npos) << "key in message: " << e.what();
  }
}

TEST(DumpParse, MalformedDumpsAreErrorsNotCrashes) {
  EXPECT_THROW(parse_dump("192.0.2.1 192.0.2.2\n"), ParseError);
  EXPECT_THROW(parse_dump("192.0.2.1 192.0.2.2\n\tesp mode=tunnel spi=x(0x1) reqid=0(0x0)\n"), ParseError);
  EXPECT_THROW(parse_dump("10.0.0.0/8[any] 10.0.0.0/8[any] any\n\tout maybe\n"), ParseError);
  EXPECT_TRUE(parse_dump("No SAD entries.\nNo SPD entries.\n").empty());
}

}  // namespace
}  // namespace aipsec::setkey
