// PF_KEY codec: messages built byte by byte with the <linux/pfkeyv2.h> structs
// parse to the values they were built from and serialize back to the same
// bytes; typed messages with every extension survive serialize -> parse.
#include <gtest/gtest.h>

#include "aipsec/pfkey.hpp"
#include "pfkey_wire_builder.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::pfkey;
using pfkey_test::pattern;
using pfkey_test::RawMsg;

Message parse_ok(const Bytes& b) {
  ParseResult r = parse(b);
  EXPECT_EQ(r.error, 0) << r.detail;
  EXPECT_TRUE(r.msg.has_value());
  return r.msg.value_or(Message{});
}

IpAddr ip(const char* s) { return *IpAddr::parse(s); }

TEST(PfkeyCodec, RawEspAddWithEveryKameExtension) {
  RawMsg raw(SADB_ADD, SADB_SATYPE_ESP, 11, 3141);
  raw.sa(0x12345678, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC, 4, kSaFlagEsn)
      .lifetime(SADB_EXT_LIFETIME_HARD, 1000, 1 << 20, 3600, 1800)
      .lifetime(SADB_EXT_LIFETIME_SOFT, 800, 1 << 19, 3000, 1500)
      .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
      .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
      .key(SADB_EXT_KEY_AUTH, pattern(32, 1))
      .key(SADB_EXT_KEY_ENCRYPT, pattern(16, 2))
      .sa2(IPSEC_MODE_TUNNEL, 77, 5);
  sadb_x_nat_t_type nt{};
  nt.sadb_x_nat_t_type_len = 1;
  nt.sadb_x_nat_t_type_exttype = SADB_X_EXT_NAT_T_TYPE;
  nt.sadb_x_nat_t_type_type = 2;
  raw.put(nt);
  for (auto [t, port] : {std::pair{SADB_X_EXT_NAT_T_SPORT, 4500}, std::pair{SADB_X_EXT_NAT_T_DPORT, 4501}}) {
    sadb_x_nat_t_port np{};
    np.sadb_x_nat_t_port_len = 1;
    np.sadb_x_nat_t_port_exttype = std::uint16_t(t);
    np.sadb_x_nat_t_port_port = htons(std::uint16_t(port));
    raw.put(np);
  }
  raw.address(SADB_X_EXT_NAT_T_OA, "10.0.0.9", 32);
  sadb_x_sa_replay rp{1, kExtSaReplay, 4096};
  raw.put(rp);
  Bytes wire = raw.done();

  Message m = parse_ok(wire);
  EXPECT_EQ(m.type, SADB_ADD);
  EXPECT_EQ(m.satype, SADB_SATYPE_ESP);
  EXPECT_EQ(m.seq, 11u);
  EXPECT_EQ(m.pid, 3141u);
  ASSERT_TRUE(m.sa);
  EXPECT_EQ(m.sa->spi, 0x12345678u);
  EXPECT_EQ(m.sa->auth, SADB_X_AALG_SHA2_256HMAC);
  EXPECT_EQ(m.sa->encrypt, SADB_X_EALG_AESCBC);
  EXPECT_EQ(m.sa->replay, 4);
  EXPECT_EQ(m.sa->flags, kSaFlagEsn);
  ASSERT_TRUE(m.lifetime_hard && m.lifetime_soft);
  EXPECT_EQ(*m.lifetime_hard, (LifetimeExt{1000, 1 << 20, 3600, 1800}));
  EXPECT_EQ(*m.lifetime_soft, (LifetimeExt{800, 1 << 19, 3000, 1500}));
  ASSERT_TRUE(m.src && m.dst);
  EXPECT_EQ(m.src->sa.addr, ip("192.0.2.1"));
  EXPECT_EQ(m.dst->sa.addr, ip("192.0.2.2"));
  EXPECT_EQ(m.src->prefixlen, 32);
  EXPECT_EQ(m.src->proto, 255);
  ASSERT_TRUE(m.key_auth && m.key_encrypt);
  EXPECT_EQ(m.key_auth->bits, 256);
  EXPECT_EQ(to_hex(m.key_auth->key.view()), to_hex(pattern(32, 1)));
  EXPECT_EQ(to_hex(m.key_encrypt->key.view()), to_hex(pattern(16, 2)));
  ASSERT_TRUE(m.sa2);
  EXPECT_EQ(*m.sa2, (Sa2Ext{IPSEC_MODE_TUNNEL, 5, 77}));
  EXPECT_EQ(m.natt_type, 2);
  EXPECT_EQ(m.natt_sport, 4500);
  EXPECT_EQ(m.natt_dport, 4501);
  ASSERT_TRUE(m.natt_oa);
  EXPECT_EQ(m.natt_oa->sa.addr, ip("10.0.0.9"));
  EXPECT_EQ(m.sa_replay, 4096u);
  EXPECT_EQ(serialize(m), wire);
}

TEST(PfkeyCodec, RawGetspiIpv6WithSpiRange) {
  Bytes wire = RawMsg(SADB_GETSPI, SADB_SATYPE_AH, 1, 99)
                   .address(SADB_EXT_ADDRESS_SRC, "2001:db8::1", 128)
                   .address(SADB_EXT_ADDRESS_DST, "2001:db8::2", 64, 6, 443)
                   .spirange(0x1000, 0x1fff)
                   .done();
  EXPECT_EQ(wire.size(), 16u + 40 + 40 + 16);
  Message m = parse_ok(wire);
  ASSERT_TRUE(m.dst && m.spirange);
  EXPECT_EQ(m.dst->sa.addr, ip("2001:db8::2"));
  EXPECT_EQ(m.dst->sa.port, 443);
  EXPECT_EQ(m.dst->proto, 6);
  EXPECT_EQ(m.dst->prefixlen, 64);
  EXPECT_EQ(*m.spirange, (SpiRangeExt{0x1000, 0x1fff}));
  EXPECT_EQ(serialize(m), wire);
}

TEST(PfkeyCodec, RawRegisterReplyWithSupportedLists) {
  RawMsg raw(SADB_REGISTER, SADB_SATYPE_ESP);
  for (std::uint16_t t : {SADB_EXT_SUPPORTED_AUTH, SADB_EXT_SUPPORTED_ENCRYPT}) {
    sadb_supported s{};
    s.sadb_supported_exttype = t;
    std::size_t at = raw.put(s);
    raw.put(sadb_alg{SADB_AALG_SHA1HMAC, 0, 160, 160, 0});
    raw.put(sadb_alg{SADB_X_EALG_AESCBC, 16, 128, 256, 0});
    raw.close_ext(at);
  }
  Bytes wire = raw.done();
  Message m = parse_ok(wire);
  ASSERT_TRUE(m.supported_auth && m.supported_encrypt);
  ASSERT_EQ(m.supported_encrypt->algs.size(), 2u);
  EXPECT_EQ(m.supported_encrypt->algs[1], (Alg{SADB_X_EALG_AESCBC, 16, 128, 256}));
  EXPECT_EQ(serialize(m), wire);
}

TEST(PfkeyCodec, RawAcquireWithProposalIdentitySensitivityProxy) {
  RawMsg raw(SADB_ACQUIRE, SADB_SATYPE_ESP);
  raw.address(SADB_EXT_ADDRESS_SRC, "198.51.100.1", 32).address(SADB_EXT_ADDRESS_DST, "198.51.100.2", 32);
  raw.address(SADB_EXT_ADDRESS_PROXY, "198.51.100.3", 24);
  sadb_ident id{};
  id.sadb_ident_exttype = SADB_EXT_IDENTITY_SRC;
  id.sadb_ident_type = SADB_IDENTTYPE_FQDN;
  id.sadb_ident_id = 0;
  std::size_t at = raw.put(id);
  raw.put_bytes({'g', 'w', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0});
  raw.close_ext(at);
  id.sadb_ident_exttype = SADB_EXT_IDENTITY_DST;
  id.sadb_ident_type = SADB_IDENTTYPE_PREFIX;
  id.sadb_ident_id = 12345;
  at = raw.put(id);
  raw.close_ext(at);
  sadb_sens sens{};
  sens.sadb_sens_exttype = SADB_EXT_SENSITIVITY;
  sens.sadb_sens_dpd = 1;
  sens.sadb_sens_sens_level = 3;
  sens.sadb_sens_sens_len = 1;
  sens.sadb_sens_integ_level = 4;
  sens.sadb_sens_integ_len = 2;
  at = raw.put(sens);
  for (std::uint64_t w : {0x1111ull, 0x2222ull, 0x3333ull}) raw.put(w);
  raw.close_ext(at);
  sadb_prop prop{};
  prop.sadb_prop_exttype = SADB_EXT_PROPOSAL;
  prop.sadb_prop_replay = 4;
  at = raw.put(prop);
  sadb_comb c{};
  c.sadb_comb_auth = SADB_AALG_SHA1HMAC;
  c.sadb_comb_encrypt = SADB_X_EALG_AESCBC;
  c.sadb_comb_auth_minbits = 160;
  c.sadb_comb_auth_maxbits = 160;
  c.sadb_comb_encrypt_minbits = 128;
  c.sadb_comb_encrypt_maxbits = 256;
  c.sadb_comb_hard_addtime = 28800;
  raw.put(c);
  c.sadb_comb_encrypt = SADB_X_EALG_AES_GCM_ICV16;
  c.sadb_comb_auth = 0;
  c.sadb_comb_soft_bytes = 1ull << 40;
  raw.put(c);
  raw.close_ext(at);
  Bytes wire = raw.done();

  Message m = parse_ok(wire);
  ASSERT_TRUE(m.proxy && m.ident_src && m.ident_dst && m.sensitivity && m.proposal);
  EXPECT_EQ(m.proxy->prefixlen, 24);
  EXPECT_EQ(m.ident_src->type, SADB_IDENTTYPE_FQDN);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(m.ident_src->data.data())), "gw.example");
  EXPECT_EQ(m.ident_dst->id, 12345u);
  EXPECT_TRUE(m.ident_dst->data.empty());
  EXPECT_EQ(m.sensitivity->sens_bitmap, (std::vector<std::uint64_t>{0x1111}));
  EXPECT_EQ(m.sensitivity->integ_bitmap, (std::vector<std::uint64_t>{0x2222, 0x3333}));
  ASSERT_EQ(m.proposal->combs.size(), 2u);
  EXPECT_EQ(m.proposal->replay, 4);
  EXPECT_EQ(m.proposal->combs[0].hard_addtime, 28800u);
  EXPECT_EQ(m.proposal->combs[1].encrypt, SADB_X_EALG_AES_GCM_ICV16);
  EXPECT_EQ(m.proposal->combs[1].soft_bytes, 1ull << 40);
  EXPECT_EQ(serialize(m), wire);
}

TEST(PfkeyCodec, RawSpdAddWithTunnelAndTransportRequests) {
  Bytes wire = RawMsg(SADB_X_SPDADD, SADB_SATYPE_UNSPEC)
                   .address(SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16, 255)
                   .address(SADB_EXT_ADDRESS_DST, "10.2.0.0", 16, 255)
                   .policy(IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0x80000010,
                           {{IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 9, "192.0.2.1", "192.0.2.2"},
                            {IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_USE, 0, "", ""},
                            {IPPROTO_COMP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 0, "2001:db8::1", "2001:db8::2"}})
                   .done();
  Message m = parse_ok(wire);
  ASSERT_TRUE(m.policy);
  EXPECT_EQ(m.policy->priority, 0x80000010u);
  EXPECT_EQ(m.policy->dir, IPSEC_DIR_OUTBOUND);
  ASSERT_EQ(m.policy->requests.size(), 3u);
  const auto& r0 = m.policy->requests[0];
  EXPECT_EQ(r0.proto, IPPROTO_ESP);
  EXPECT_EQ(r0.level, IPSEC_LEVEL_UNIQUE);
  EXPECT_EQ(r0.reqid, 9u);
  ASSERT_TRUE(r0.src && r0.dst);
  EXPECT_EQ(r0.dst->addr, ip("192.0.2.2"));
  EXPECT_FALSE(m.policy->requests[1].src);
  EXPECT_EQ(m.policy->requests[2].src->addr, ip("2001:db8::1"));
  EXPECT_EQ(serialize(m), wire);
}

TEST(PfkeyCodec, OpaqueExtensionsAndReceivedOrderAreKept) {
  RawMsg raw(SADB_DELETE, SADB_SATYPE_ESP);
  raw.address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32);  // before SA and src on purpose
  raw.sa(0x1000, 0, 0);
  raw.address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32);
  sadb_x_kmprivate km{};
  km.sadb_x_kmprivate_exttype = SADB_X_EXT_KMPRIVATE;
  std::size_t at = raw.put(km);
  raw.put_bytes(pattern(8, 5));
  raw.close_ext(at);
  Bytes wire = raw.done();
  Message m = parse_ok(wire);
  ASSERT_EQ(m.opaque.size(), 1u);
  EXPECT_EQ(m.opaque[0].type, SADB_X_EXT_KMPRIVATE);
  EXPECT_EQ(m.opaque[0].payload.size(), 12u);
  EXPECT_EQ(serialize(m), wire);
}

TEST(PfkeyCodec, EveryMessageTypeRoundTrips) {
  for (std::uint8_t t = 1; t <= SADB_MAX; ++t) {
    Message m;
    m.type = t;
    m.satype = SADB_SATYPE_ESP;
    m.seq = 1000u + t;
    m.pid = 77;
    m.error = t == SADB_ACQUIRE ? 3 : 0;
    Bytes wire = serialize(m);
    sadb_msg h = pfkey_test::header_of(wire);
    EXPECT_EQ(h.sadb_msg_version, PF_KEY_V2);
    EXPECT_EQ(h.sadb_msg_type, t);
    EXPECT_EQ(h.sadb_msg_len, 2);
    EXPECT_EQ(h.sadb_msg_seq, 1000u + t);
    EXPECT_EQ(parse_ok(wire), m) << message_name(t);
  }
}

// Every message type, built with the kernel structs, with the extensions a
// daemon typically sends along (SA, addresses, SA2, X_POLICY).
TEST(PfkeyCodec, EveryMessageTypeFromKernelStructs) {
  for (std::uint8_t t = 1; t <= SADB_MAX; ++t) {
    Bytes wire = RawMsg(t, SADB_SATYPE_ESP, t, 500u + t)
                     .sa(0x100u + t, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC)
                     .address(SADB_EXT_ADDRESS_SRC, "203.0.113.1", 32)
                     .address(SADB_EXT_ADDRESS_DST, "203.0.113.2", 32)
                     .sa2(IPSEC_MODE_TRANSPORT, t)
                     .policy(IPSEC_POLICY_NONE, IPSEC_DIR_INBOUND, t, 0, {})
                     .done();
    Message m = parse_ok(wire);
    EXPECT_EQ(m.type, t);
    EXPECT_EQ(m.pid, 500u + t);
    ASSERT_TRUE(m.sa && m.sa2 && m.policy) << message_name(t);
    EXPECT_EQ(m.sa->spi, 0x100u + t);
    EXPECT_EQ(m.sa2->reqid, t);
    EXPECT_EQ(m.policy->id, t);
    EXPECT_EQ(serialize(m), wire) << message_name(t);
  }
}

Message message_with_every_extension() {
  Message m;
  m.type = SADB_ADD;
  m.satype = SADB_SATYPE_ESP;
  m.seq = 5;
  m.pid = 6;
  m.sa = SaExt{0xdeadbeef, 8, SADB_SASTATE_MATURE, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC, 0x441};
  m.lifetime_current = LifetimeExt{1, 2, 3, 4};
  m.lifetime_hard = LifetimeExt{5, 6, 7, 8};
  m.lifetime_soft = LifetimeExt{9, 10, 11, 12};
  m.src = AddressExt{6, 24, SockAddr{ip("192.0.2.0"), 80, 0}};
  m.dst = AddressExt{6, 48, SockAddr{ip("2001:db8::"), 443, 3}};
  m.proxy = AddressExt{255, 32, SockAddr{ip("192.0.2.9"), 0, 0}};
  m.key_auth = KeyExt{160, SecureBytes(pattern(20, 3))};
  m.key_encrypt = KeyExt{125, SecureBytes(pattern(16, 4))};  // bits need not be whole bytes on the wire
  m.ident_src = IdentityExt{SADB_IDENTTYPE_USERFQDN, 0, Bytes{'a', '@', 'b', 0, 0, 0, 0, 0}};
  m.ident_dst = IdentityExt{SADB_IDENTTYPE_PREFIX, 42, {}};
  m.sensitivity = SensitivityExt{1, 2, 3, {7}, {8, 9}};
  Comb c;
  c.auth = 3;
  c.encrypt = 12;
  c.hard_usetime = 99;
  m.proposal = ProposalExt{4, {c, c}};
  m.supported_auth = SupportedExt{{Alg{3, 0, 160, 160}}};
  m.supported_encrypt = SupportedExt{{Alg{12, 16, 128, 256}, Alg{20, 8, 160, 288}}};
  m.spirange = SpiRangeExt{256, 1024};
  IpsecRequestExt r1{IPPROTO_ESP, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_REQUIRE, 3,
                     SockAddr{ip("192.0.2.1"), 0, 0}, SockAddr{ip("192.0.2.2"), 0, 0}};
  IpsecRequestExt r2{IPPROTO_AH, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_DEFAULT, 0, std::nullopt, std::nullopt};
  m.policy = PolicyExt{IPSEC_POLICY_IPSEC, IPSEC_DIR_INBOUND, 17, 0x7fffffff, {r1, r2}};
  m.sa2 = Sa2Ext{IPSEC_MODE_TRANSPORT, 12, 34};
  m.natt_type = 2;
  m.natt_sport = 4500;
  m.natt_dport = 62000;
  m.natt_oa = AddressExt{0, 32, SockAddr{ip("10.9.8.7"), 0, 0}};
  m.sa_replay = 1u << 20;
  m.opaque = {OpaqueExt{SADB_X_EXT_KMPRIVATE, pattern(4, 2)}, OpaqueExt{SADB_X_EXT_SEC_CTX, pattern(12, 9)},
              OpaqueExt{SADB_X_EXT_KMADDRESS, pattern(4, 3)}, OpaqueExt{SADB_X_EXT_FILTER, pattern(36, 1)}};
  return m;
}

TEST(PfkeyCodec, EveryExtensionRoundTripsTogether) {
  Message m = message_with_every_extension();
  Bytes wire = serialize(m);
  EXPECT_EQ(pfkey_test::header_of(wire).sadb_msg_len * 8u, wire.size());
  Message back = parse_ok(wire);
  EXPECT_EQ(back.ext_order.size(), 27u);
  back.ext_order.clear();
  EXPECT_EQ(back, m);
  EXPECT_EQ(serialize(back), wire);
}

// Each extension alone: the parse gives back exactly that extension.
TEST(PfkeyCodec, EveryExtensionRoundTripsAlone) {
  const Message only = message_with_every_extension();
  for (std::uint16_t t = 1; t <= kExtMax; ++t) {
    Message pruned;
    pruned.type = SADB_GET;
    pruned.satype = SADB_SATYPE_ESP;
    if (t == SADB_EXT_SA) pruned.sa = only.sa;
    if (t == SADB_EXT_LIFETIME_CURRENT) pruned.lifetime_current = only.lifetime_current;
    if (t == SADB_EXT_LIFETIME_HARD) pruned.lifetime_hard = only.lifetime_hard;
    if (t == SADB_EXT_LIFETIME_SOFT) pruned.lifetime_soft = only.lifetime_soft;
    if (t == SADB_EXT_ADDRESS_SRC) pruned.src = only.src;
    if (t == SADB_EXT_ADDRESS_DST) pruned.dst = only.dst;
    if (t == SADB_EXT_ADDRESS_PROXY) pruned.proxy = only.proxy;
    if (t == SADB_EXT_KEY_AUTH) pruned.key_auth = only.key_auth;
    if (t == SADB_EXT_KEY_ENCRYPT) pruned.key_encrypt = only.key_encrypt;
    if (t == SADB_EXT_IDENTITY_SRC) pruned.ident_src = only.ident_src;
    if (t == SADB_EXT_IDENTITY_DST) pruned.ident_dst = only.ident_dst;
    if (t == SADB_EXT_SENSITIVITY) pruned.sensitivity = only.sensitivity;
    if (t == SADB_EXT_PROPOSAL) pruned.proposal = only.proposal;
    if (t == SADB_EXT_SUPPORTED_AUTH) pruned.supported_auth = only.supported_auth;
    if (t == SADB_EXT_SUPPORTED_ENCRYPT) pruned.supported_encrypt = only.supported_encrypt;
    if (t == SADB_EXT_SPIRANGE) pruned.spirange = only.spirange;
    if (t == SADB_X_EXT_POLICY) pruned.policy = only.policy;
    if (t == SADB_X_EXT_SA2) pruned.sa2 = only.sa2;
    if (t == SADB_X_EXT_NAT_T_TYPE) pruned.natt_type = only.natt_type;
    if (t == SADB_X_EXT_NAT_T_SPORT) pruned.natt_sport = only.natt_sport;
    if (t == SADB_X_EXT_NAT_T_DPORT) pruned.natt_dport = only.natt_dport;
    if (t == SADB_X_EXT_NAT_T_OA) pruned.natt_oa = only.natt_oa;
    if (t == kExtSaReplay) pruned.sa_replay = only.sa_replay;
    for (const auto& o : only.opaque)
      if (o.type == t) pruned.opaque.push_back(o);
    ASSERT_TRUE(pruned.has(t)) << "extension " << t;
    Bytes wire = serialize(pruned);
    Message back = parse_ok(wire);
    EXPECT_EQ(back.ext_order, std::vector<std::uint16_t>{t});
    back.ext_order.clear();
    EXPECT_EQ(back, pruned) << "extension " << t;
  }
}

TEST(PfkeyCodec, AlgorithmNumbers) {
  EXPECT_EQ(enc_from_sadb(SADB_X_EALG_AESCBC), EncAlg::kAesCbc);
  EXPECT_EQ(enc_from_sadb(SADB_X_EALG_AES_GCM_ICV16), EncAlg::kAesGcm16);
  EXPECT_EQ(enc_from_sadb(SADB_X_EALG_NULL_AES_GMAC), EncAlg::kAesGmac);
  EXPECT_EQ(enc_from_sadb(SADB_EALG_3DESCBC), std::nullopt);  // not implemented: refused
  EXPECT_EQ(auth_from_sadb(SADB_X_AALG_SHA2_512HMAC), AuthAlg::kHmacSha512_256);
  EXPECT_EQ(auth_from_sadb(SADB_AALG_MD5HMAC), std::nullopt);
  EXPECT_EQ(sadb_of(AuthAlg::kAesGmac, 28), kAalgAes192Gmac);
  EXPECT_EQ(comp_from_sadb(SADB_X_CALG_DEFLATE), CompAlg::kDeflate);
  for (auto e : {EncAlg::kNull, EncAlg::kAesCbc, EncAlg::kAesCtr, EncAlg::kAesGcm8, EncAlg::kAesGcm12,
                 EncAlg::kAesGcm16, EncAlg::kChaCha20Poly1305, EncAlg::kAesGmac})
    EXPECT_EQ(enc_from_sadb(sadb_of(e)), e);
}

}  // namespace
