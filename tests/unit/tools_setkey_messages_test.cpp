// setkey statements -> PF_KEY v2 bytes. Each produced message is read twice:
// with the runtime's codec, and by walking it with the <linux/pfkeyv2.h> and
// <linux/ipsec.h> structs directly (what a kernel or another PF_KEY peer reads).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <netinet/in.h>

#include <cstring>
#include <map>

#include "aipsec/setkey.hpp"
#include "setkey_messages.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::setkeytool;

// The extensions of a wire message by type, checked with the Linux structs.
struct Wire {
  Bytes bytes;
  sadb_msg hdr{};
  std::map<int, std::size_t> ext;  // type -> offset

  explicit Wire(Bytes b) : bytes(std::move(b)) {
    EXPECT_GE(bytes.size(), sizeof(sadb_msg));
    std::memcpy(&hdr, bytes.data(), sizeof hdr);
    EXPECT_EQ(hdr.sadb_msg_version, PF_KEY_V2);
    EXPECT_EQ(std::size_t(hdr.sadb_msg_len) * 8, bytes.size());
    for (std::size_t off = sizeof(sadb_msg); off < bytes.size();) {
      sadb_ext e;
      std::memcpy(&e, bytes.data() + off, sizeof e);
      EXPECT_GT(e.sadb_ext_len, 0);
      if (e.sadb_ext_len == 0) break;
      EXPECT_EQ(ext.count(e.sadb_ext_type), 0u) << "duplicate extension " << e.sadb_ext_type;
      ext[e.sadb_ext_type] = off;
      off += std::size_t(e.sadb_ext_len) * 8;
      EXPECT_LE(off, bytes.size());
    }
  }
  template <class T>
  T get(int type) const {
    T t{};
    auto it = ext.find(type);
    EXPECT_NE(it, ext.end()) << "missing extension " << type;
    if (it != ext.end()) std::memcpy(&t, bytes.data() + it->second, sizeof t);
    return t;
  }
  const std::uint8_t* at(int type, std::size_t skip) const { return bytes.data() + ext.at(type) + skip; }
  bool has(int type) const { return ext.count(type) != 0; }
};

Wire wire_of(const std::string& statement) {
  auto cmds = setkey::parse(statement);
  EXPECT_EQ(cmds.size(), 1u);
  Bytes b = pfkey::serialize(first_message(cmds.at(0)));
  auto parsed = pfkey::parse(b);
  EXPECT_EQ(parsed.error, 0) << parsed.detail;  // the codec reads it back
  return Wire(std::move(b));
}

std::string ipv4_of(const std::uint8_t* sockaddr_bytes) {
  sockaddr_in sin;
  std::memcpy(&sin, sockaddr_bytes, sizeof sin);
  EXPECT_EQ(sin.sin_family, AF_INET);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf);
  return buf;
}

TEST(SetkeyMessages, AddGcmTunnel) {
  Wire w = wire_of(
      "add 192.0.2.1 198.51.100.1 esp 0x1001 -m tunnel -r 4 -u 7 "
      "-E aes-gcm-16 0x0102030405060708090a0b0c0d0e0f10a1a2a3a4;");
  EXPECT_EQ(w.hdr.sadb_msg_type, SADB_ADD);
  EXPECT_EQ(w.hdr.sadb_msg_satype, SADB_SATYPE_ESP);
  auto sa = w.get<sadb_sa>(SADB_EXT_SA);
  EXPECT_EQ(sa.sadb_sa_spi, htonl(0x1001));
  EXPECT_EQ(sa.sadb_sa_replay, 4);
  EXPECT_EQ(sa.sadb_sa_encrypt, SADB_X_EALG_AES_GCM_ICV16);
  EXPECT_EQ(sa.sadb_sa_auth, SADB_AALG_NONE);
  EXPECT_EQ(sa.sadb_sa_state, SADB_SASTATE_MATURE);
  EXPECT_EQ(ipv4_of(w.at(SADB_EXT_ADDRESS_SRC, sizeof(sadb_address))), "192.0.2.1");
  EXPECT_EQ(ipv4_of(w.at(SADB_EXT_ADDRESS_DST, sizeof(sadb_address))), "198.51.100.1");
  EXPECT_EQ(w.get<sadb_address>(SADB_EXT_ADDRESS_SRC).sadb_address_prefixlen, 32);
  auto sa2 = w.get<sadb_x_sa2>(SADB_X_EXT_SA2);
  EXPECT_EQ(sa2.sadb_x_sa2_mode, IPSEC_MODE_TUNNEL);
  EXPECT_EQ(sa2.sadb_x_sa2_reqid, 7u);
  auto key = w.get<sadb_key>(SADB_EXT_KEY_ENCRYPT);
  EXPECT_EQ(key.sadb_key_bits, 160);
  const Bytes expect = from_hex("0102030405060708090a0b0c0d0e0f10a1a2a3a4");
  EXPECT_EQ(0, std::memcmp(w.at(SADB_EXT_KEY_ENCRYPT, sizeof(sadb_key)), expect.data(), expect.size()));
  EXPECT_FALSE(w.has(SADB_EXT_KEY_AUTH));
  EXPECT_FALSE(w.has(SADB_EXT_LIFETIME_HARD));
}

TEST(SetkeyMessages, UpdateCbcHmacWithLifetimesAndFlags) {
  Wire w = wire_of(
      "update 2001:db8::1 2001:db8::2 esp 4097 -m transport -f esn -f zero-pad -lh 3600 -ls 3000 "
      "-bh 1000000 -bs 900000 -E aes-cbc 0x00112233445566778899aabbccddeeff "
      "-A hmac-sha2-256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;");
  EXPECT_EQ(w.hdr.sadb_msg_type, SADB_UPDATE);
  auto sa = w.get<sadb_sa>(SADB_EXT_SA);
  EXPECT_EQ(sa.sadb_sa_encrypt, SADB_X_EALG_AESCBC);
  EXPECT_EQ(sa.sadb_sa_auth, SADB_X_AALG_SHA2_256HMAC);
  EXPECT_EQ(sa.sadb_sa_flags, 0x400u | 0x200u);  // FreeBSD ESN, KAME PZERO
  sockaddr_in6 sin6;
  std::memcpy(&sin6, w.at(SADB_EXT_ADDRESS_DST, sizeof(sadb_address)), sizeof sin6);
  EXPECT_EQ(sin6.sin6_family, AF_INET6);
  EXPECT_EQ(sin6.sin6_addr.s6_addr[15], 2);
  EXPECT_EQ(w.get<sadb_address>(SADB_EXT_ADDRESS_DST).sadb_address_prefixlen, 128);
  auto hard = w.get<sadb_lifetime>(SADB_EXT_LIFETIME_HARD);
  auto soft = w.get<sadb_lifetime>(SADB_EXT_LIFETIME_SOFT);
  EXPECT_EQ(hard.sadb_lifetime_addtime, 3600u);
  EXPECT_EQ(soft.sadb_lifetime_addtime, 3000u);
  EXPECT_EQ(hard.sadb_lifetime_bytes, 1000000u);
  EXPECT_EQ(soft.sadb_lifetime_bytes, 900000u);
  EXPECT_EQ(w.get<sadb_key>(SADB_EXT_KEY_AUTH).sadb_key_bits, 256);
  EXPECT_EQ(w.get<sadb_key>(SADB_EXT_KEY_ENCRYPT).sadb_key_bits, 128);
  EXPECT_EQ(w.get<sadb_x_sa2>(SADB_X_EXT_SA2).sadb_x_sa2_mode, IPSEC_MODE_TRANSPORT);
}

TEST(SetkeyMessages, ReplayWindowBeyondSadbSaReplayTravelsInPackets) {
  Wire w = wire_of("add 192.0.2.1 192.0.2.2 ah 0x300 -r 1000 -A hmac-sha1 0x000102030405060708090a0b0c0d0e0f10111213;");
  EXPECT_EQ(w.hdr.sadb_msg_satype, SADB_SATYPE_AH);
  EXPECT_EQ(w.get<sadb_sa>(SADB_EXT_SA).sadb_sa_replay, 255);
  std::uint32_t packets;
  std::memcpy(&packets, w.at(pfkey::kExtSaReplay, 4), 4);
  EXPECT_EQ(packets, 8000u);
}

TEST(SetkeyMessages, IpcompCarriesTheAlgorithmInSaEncrypt) {
  Wire w = wire_of("add 192.0.2.1 192.0.2.2 ipcomp 0x4001 -C deflate;");
  EXPECT_EQ(w.hdr.sadb_msg_satype, SADB_X_SATYPE_IPCOMP);
  EXPECT_EQ(w.get<sadb_sa>(SADB_EXT_SA).sadb_sa_encrypt, SADB_X_CALG_DEFLATE);
  EXPECT_FALSE(w.has(SADB_EXT_KEY_ENCRYPT));
}

TEST(SetkeyMessages, GetDeleteFlushDump) {
  Wire g = wire_of("get 192.0.2.1 192.0.2.2 esp 0x1234;");
  EXPECT_EQ(g.hdr.sadb_msg_type, SADB_GET);
  EXPECT_EQ(g.get<sadb_sa>(SADB_EXT_SA).sadb_sa_spi, htonl(0x1234));
  Wire d = wire_of("delete 192.0.2.1 192.0.2.2 ah 0x1234;");
  EXPECT_EQ(d.hdr.sadb_msg_type, SADB_DELETE);
  EXPECT_EQ(d.hdr.sadb_msg_satype, SADB_SATYPE_AH);
  EXPECT_FALSE(d.has(SADB_EXT_KEY_AUTH));
  Wire f = wire_of("flush;");
  EXPECT_EQ(f.hdr.sadb_msg_type, SADB_FLUSH);
  EXPECT_EQ(f.hdr.sadb_msg_satype, SADB_SATYPE_UNSPEC);
  EXPECT_EQ(f.bytes.size(), sizeof(sadb_msg));
  Wire fe = wire_of("flush esp;");
  EXPECT_EQ(fe.hdr.sadb_msg_satype, SADB_SATYPE_ESP);
  Wire du = wire_of("dump ah;");
  EXPECT_EQ(du.hdr.sadb_msg_type, SADB_DUMP);
  EXPECT_EQ(du.hdr.sadb_msg_satype, SADB_SATYPE_AH);
  Wire da = wire_of("deleteall 192.0.2.1 192.0.2.2 esp;");
  EXPECT_EQ(da.hdr.sadb_msg_type, SADB_DUMP);  // deleteall starts with a DUMP
  EXPECT_EQ(da.hdr.sadb_msg_satype, SADB_SATYPE_ESP);
}

TEST(SetkeyMessages, SpdaddTunnelPolicyWithRequests) {
  Wire w = wire_of(
      "spdadd 10.1.0.0/16[any] 10.2.0.0/16[443] tcp -P out priority 5 ipsec "
      "ah/transport//require esp/tunnel/192.0.2.1-198.51.100.1/unique:9;");
  EXPECT_EQ(w.hdr.sadb_msg_type, SADB_X_SPDADD);
  auto src = w.get<sadb_address>(SADB_EXT_ADDRESS_SRC);
  auto dst = w.get<sadb_address>(SADB_EXT_ADDRESS_DST);
  EXPECT_EQ(src.sadb_address_prefixlen, 16);
  EXPECT_EQ(src.sadb_address_proto, IPPROTO_TCP);
  EXPECT_EQ(ipv4_of(w.at(SADB_EXT_ADDRESS_SRC, sizeof(sadb_address))), "10.1.0.0");
  sockaddr_in sin;
  std::memcpy(&sin, w.at(SADB_EXT_ADDRESS_DST, sizeof(sadb_address)), sizeof sin);
  EXPECT_EQ(sin.sin_port, htons(443));
  EXPECT_EQ(dst.sadb_address_prefixlen, 16);

  auto pol = w.get<sadb_x_policy>(SADB_X_EXT_POLICY);
  EXPECT_EQ(pol.sadb_x_policy_type, IPSEC_POLICY_IPSEC);
  EXPECT_EQ(pol.sadb_x_policy_dir, IPSEC_DIR_OUTBOUND);
  EXPECT_EQ(pol.sadb_x_policy_priority, 0x80000000u + 5);
  // Two ipsecrequests: AH transport (no addresses), then ESP tunnel with both.
  const std::uint8_t* p = w.at(SADB_X_EXT_POLICY, sizeof(sadb_x_policy));
  sadb_x_ipsecrequest r1, r2;
  std::memcpy(&r1, p, sizeof r1);
  EXPECT_EQ(r1.sadb_x_ipsecrequest_proto, IPPROTO_AH);
  EXPECT_EQ(r1.sadb_x_ipsecrequest_mode, IPSEC_MODE_TRANSPORT);
  EXPECT_EQ(r1.sadb_x_ipsecrequest_level, IPSEC_LEVEL_REQUIRE);
  EXPECT_EQ(r1.sadb_x_ipsecrequest_len, sizeof r1);
  std::memcpy(&r2, p + r1.sadb_x_ipsecrequest_len, sizeof r2);
  EXPECT_EQ(r2.sadb_x_ipsecrequest_proto, IPPROTO_ESP);
  EXPECT_EQ(r2.sadb_x_ipsecrequest_mode, IPSEC_MODE_TUNNEL);
  EXPECT_EQ(r2.sadb_x_ipsecrequest_level, IPSEC_LEVEL_UNIQUE);
  EXPECT_EQ(r2.sadb_x_ipsecrequest_reqid, 9u);
  EXPECT_EQ(r2.sadb_x_ipsecrequest_len, sizeof r2 + 2 * sizeof(sockaddr_in));
  const std::uint8_t* addrs = p + r1.sadb_x_ipsecrequest_len + sizeof r2;
  EXPECT_EQ(ipv4_of(addrs), "192.0.2.1");
  EXPECT_EQ(ipv4_of(addrs + sizeof(sockaddr_in)), "198.51.100.1");
}

TEST(SetkeyMessages, SpdupdateSpddeleteSpdflushSpddump) {
  Wire u = wire_of("spdupdate 10.0.0.0/8 10.0.0.0/8 icmp 8,0 -P in discard;");
  EXPECT_EQ(u.hdr.sadb_msg_type, SADB_X_SPDUPDATE);
  EXPECT_EQ(u.get<sadb_x_policy>(SADB_X_EXT_POLICY).sadb_x_policy_type, IPSEC_POLICY_DISCARD);
  EXPECT_EQ(u.get<sadb_x_policy>(SADB_X_EXT_POLICY).sadb_x_policy_dir, IPSEC_DIR_INBOUND);
  sockaddr_in sin;
  std::memcpy(&sin, u.at(SADB_EXT_ADDRESS_SRC, sizeof(sadb_address)), sizeof sin);
  EXPECT_EQ(ntohs(sin.sin_port), 8);  // KAME: ICMP type in the source port
  Wire d = wire_of("spddelete 10.1.0.0/16 10.2.0.0/16 any -P out;");
  EXPECT_EQ(d.hdr.sadb_msg_type, SADB_X_SPDDELETE);
  EXPECT_EQ(d.get<sadb_x_policy>(SADB_X_EXT_POLICY).sadb_x_policy_dir, IPSEC_DIR_OUTBOUND);
  EXPECT_EQ(d.get<sadb_address>(SADB_EXT_ADDRESS_SRC).sadb_address_proto, IPSEC_ULPROTO_ANY);
  EXPECT_EQ(wire_of("spdflush;").hdr.sadb_msg_type, SADB_X_SPDFLUSH);
  EXPECT_EQ(wire_of("spddump;").hdr.sadb_msg_type, SADB_X_SPDDUMP);
}

TEST(SetkeyMessages, PolicyReadsBackFromItsMessage) {
  auto cmds = setkey::parse("spdadd 10.1.0.0/16[80] 10.2.0.0/24[any] udp -P fwd ipsec esp/tunnel/192.0.2.1-192.0.2.2/use;");
  const Policy& p = std::get<setkey::SpdAddCommand>(cmds.at(0)).policy;
  auto parsed = pfkey::parse(pfkey::serialize(spd_add_message(p, false)));
  ASSERT_TRUE(parsed.msg);
  Policy back = policy_of(*parsed.msg);
  EXPECT_EQ(back.sel, p.sel);
  EXPECT_EQ(back.dir, Direction::kFwd);
  EXPECT_EQ(back.requests, p.requests);
}

}  // namespace
