// PF_KEY engine: the RFC 2367 sequences, who receives what (section 3.1), the
// streaming dumps, and the SPD messages.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <set>

#include "pfkey_engine_fixture.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::pfkey;
using namespace pfkey_test;

class PfkeyEngine : public EngineFixture {};

TEST_F(PfkeyEngine, GetspiThenUpdateMakesTheLarvalSaMature) {
  Bytes getspi = RawMsg(SADB_GETSPI, SADB_SATYPE_ESP, 21)
                     .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                     .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                     .spirange(0x2000, 0x20ff)
                     .done();
  ASSERT_EQ(engine.handle(1, getspi), 0);
  EXPECT_TRUE(inbox[2].empty());  // GETSPI answers the sender only
  Message r = last(1);
  EXPECT_EQ(r.type, SADB_GETSPI);
  EXPECT_EQ(r.seq, 21u);
  ASSERT_TRUE(r.sa);
  EXPECT_GE(r.sa->spi, 0x2000u);
  EXPECT_LE(r.sa->spi, 0x20ffu);
  EXPECT_EQ(r.sa->state, SADB_SASTATE_LARVAL);
  EXPECT_EQ(engine.larval_count(), 1u);
  EXPECT_EQ(sad.size(), 0u);

  const std::uint32_t spi = r.sa->spi;
  ASSERT_EQ(engine.handle(1, esp_cbc_sha1(SADB_UPDATE, spi)), 0);
  EXPECT_EQ(engine.larval_count(), 0u);
  SaRef sa = sad.get(SaKey{*IpAddr::parse("192.0.2.2"), IpsecProto::kEsp, spi});
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->state(), SaState::kMature);
  EXPECT_EQ(sa->config().enc, EncAlg::kAesCbc);
  EXPECT_EQ(sa->config().auth, AuthAlg::kHmacSha1_96);
  EXPECT_EQ(to_hex(sa->config().enc_key.view()), to_hex(pattern(16, 1)));
  EXPECT_EQ(sa->config().mode, Mode::kTunnel);
  EXPECT_EQ(sa->config().reqid, 5u);
  // UPDATE is broadcast to every socket, without the keys.
  for (ClientId c : {1u, 2u, 3u}) {
    Message u = last(c);
    EXPECT_EQ(u.type, SADB_UPDATE);
    EXPECT_FALSE(u.key_auth || u.key_encrypt);
  }
}

TEST_F(PfkeyEngine, LarvalSasExpire) {
  Bytes getspi = RawMsg(SADB_GETSPI, SADB_SATYPE_ESP)
                     .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                     .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                     .done();
  ASSERT_EQ(engine.handle(1, getspi), 0);
  const std::uint32_t spi = last(1).sa->spi;
  EXPECT_EQ(engine.expire_larval(std::chrono::steady_clock::now()), 0u);
  EXPECT_EQ(engine.expire_larval(std::chrono::steady_clock::now() + std::chrono::seconds(31)), 1u);
  EXPECT_EQ(engine.larval_count(), 0u);
  EXPECT_EQ(engine.handle(1, esp_cbc_sha1(SADB_UPDATE, spi)), ESRCH);
}

TEST_F(PfkeyEngine, GetspiChoosesAFreeSpiAndAnUsedSingleSpiFails) {
  ASSERT_EQ(engine.handle(1, esp_cbc_sha1(SADB_ADD, 0x3000)), 0);
  Bytes single = RawMsg(SADB_GETSPI, SADB_SATYPE_ESP)
                     .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                     .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                     .spirange(0x3000, 0x3001)
                     .done();
  ASSERT_EQ(engine.handle(1, single), 0);
  EXPECT_EQ(last(1).sa->spi, 0x3001u);
  EXPECT_EQ(engine.handle(1, single), EEXIST);
  EXPECT_EQ(last_errno(1), EEXIST);
}

TEST_F(PfkeyEngine, AddGetDeleteThenGetFails) {
  const Bytes gcm_key = pattern(20, 9);  // AES-128 key || 4-byte salt (RFC 4106)
  Bytes add = RawMsg(SADB_ADD, SADB_SATYPE_ESP, 3)
                  .sa(0x4242, SADB_AALG_NONE, SADB_X_EALG_AES_GCM_ICV16, 8)
                  .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                  .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                  .key(SADB_EXT_KEY_ENCRYPT, gcm_key)
                  .done();
  ASSERT_EQ(engine.handle(1, add), 0);
  EXPECT_EQ(last(2).type, SADB_ADD);  // broadcast
  EXPECT_FALSE(last(2).key_encrypt);

  clear();
  ASSERT_EQ(engine.handle(2, sa_ref(SADB_GET, SADB_SATYPE_ESP, 0x4242)), 0);
  EXPECT_TRUE(inbox[1].empty());
  ASSERT_EQ(inbox[2].size(), 1u);
  // The first extension after the header is the SA, read with the kernel struct.
  sadb_sa raw_sa;
  std::memcpy(&raw_sa, inbox[2][0].data() + sizeof(sadb_msg), sizeof raw_sa);
  EXPECT_EQ(raw_sa.sadb_sa_exttype, SADB_EXT_SA);
  EXPECT_EQ(ntohl(raw_sa.sadb_sa_spi), 0x4242u);
  EXPECT_EQ(raw_sa.sadb_sa_encrypt, SADB_X_EALG_AES_GCM_ICV16);
  EXPECT_EQ(raw_sa.sadb_sa_replay, 8);
  Message g = last(2);
  ASSERT_TRUE(g.key_encrypt);  // GET returns the keys
  EXPECT_EQ(g.key_encrypt->bits, 160);
  EXPECT_EQ(to_hex(g.key_encrypt->key.view()), to_hex(gcm_key));
  EXPECT_FALSE(g.key_auth);

  clear();
  ASSERT_EQ(engine.handle(1, sa_ref(SADB_DELETE, SADB_SATYPE_ESP, 0x4242)), 0);
  for (ClientId c : {1u, 2u, 3u}) EXPECT_EQ(last(c).type, SADB_DELETE);
  EXPECT_EQ(sad.size(), 0u);
  EXPECT_EQ(engine.handle(1, sa_ref(SADB_GET, SADB_SATYPE_ESP, 0x4242)), ESRCH);
  EXPECT_EQ(last_errno(1), ESRCH);
  EXPECT_EQ(engine.handle(1, sa_ref(SADB_DELETE, SADB_SATYPE_ESP, 0x4242)), ESRCH);
}

TEST_F(PfkeyEngine, RegisterListsRealAlgorithmsAndAcquireReachesOnlyRegistered) {
  ASSERT_EQ(engine.handle(1, header_only(SADB_REGISTER, SADB_SATYPE_ESP)), 0);
  ASSERT_EQ(engine.handle(3, header_only(SADB_REGISTER, SADB_SATYPE_AH)), 0);
  Message reg = last(1);
  ASSERT_TRUE(reg.supported_encrypt && reg.supported_auth);
  // Key sizes from the RFCs: AES-CBC 128..256 bits (RFC 3602), HMAC-SHA1 160 (RFC 2404),
  // AES-GCM 128..256 bits plus the 32-bit salt (RFC 4106).
  auto has = [](const SupportedExt& s, Alg a) {
    return std::find(s.algs.begin(), s.algs.end(), a) != s.algs.end();
  };
  EXPECT_TRUE(has(*reg.supported_encrypt, Alg{SADB_X_EALG_AESCBC, 16, 128, 256}));
  EXPECT_TRUE(has(*reg.supported_encrypt, Alg{SADB_X_EALG_AES_GCM_ICV16, 8, 160, 288}));
  EXPECT_TRUE(has(*reg.supported_auth, Alg{SADB_AALG_SHA1HMAC, 0, 160, 160}));
  for (const auto& a : reg.supported_encrypt->algs) EXPECT_NE(a.id, SADB_EALG_3DESCBC);
  EXPECT_TRUE(engine.is_registered(1, SADB_SATYPE_ESP));
  EXPECT_FALSE(engine.is_registered(2, SADB_SATYPE_ESP));

  clear();
  AcquireRequest req;
  req.policy_id = 12;
  req.request.proto = IpsecProto::kEsp;
  req.request.mode = Mode::kTunnel;
  req.request.reqid = 7;
  req.src = *IpAddr::parse("192.0.2.1");
  req.dst = *IpAddr::parse("192.0.2.2");
  EXPECT_EQ(engine.acquire(req), 1u);
  EXPECT_TRUE(inbox[2].empty());
  EXPECT_TRUE(inbox[3].empty());  // registered for AH only
  Message acq = last(1);
  EXPECT_EQ(acq.type, SADB_ACQUIRE);
  EXPECT_EQ(acq.satype, SADB_SATYPE_ESP);
  ASSERT_TRUE(acq.src && acq.dst && acq.proposal && acq.policy);
  EXPECT_EQ(acq.dst->sa.addr, req.dst);
  EXPECT_EQ(acq.policy->id, 12u);
  EXPECT_FALSE(acq.proposal->combs.empty());
  engine.close(1);
  EXPECT_EQ(engine.acquire(req), 0u);
  engine.open(1);
  ASSERT_EQ(engine.handle(1, header_only(SADB_REGISTER, SADB_SATYPE_ESP)), 0);
  req.dst = IpAddr{};  // no destination: nothing to ask for
  EXPECT_EQ(engine.acquire(req), 0u);
}

TEST_F(PfkeyEngine, FlushIsBroadcastAndHonoursTheSaType) {
  ASSERT_EQ(engine.handle(1, esp_cbc_sha1(SADB_ADD, 0x5001)), 0);
  ASSERT_EQ(engine.handle(1, esp_cbc_sha1(SADB_ADD, 0x5002)), 0);
  Bytes ah = RawMsg(SADB_ADD, SADB_SATYPE_AH)
                 .sa(0x5003, SADB_X_AALG_SHA2_256HMAC, 0)
                 .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                 .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                 .key(SADB_EXT_KEY_AUTH, pattern(32, 4))
                 .done();
  ASSERT_EQ(engine.handle(1, ah), 0);
  ASSERT_EQ(sad.size(), 3u);
  clear();
  ASSERT_EQ(engine.handle(2, header_only(SADB_FLUSH, SADB_SATYPE_AH)), 0);
  EXPECT_EQ(sad.size(), 2u);
  ASSERT_EQ(engine.handle(2, header_only(SADB_FLUSH, SADB_SATYPE_UNSPEC)), 0);
  EXPECT_EQ(sad.size(), 0u);
  for (ClientId c : {1u, 2u, 3u}) {
    ASSERT_EQ(inbox[c].size(), 2u);
    EXPECT_EQ(header_of(inbox[c][1]).sadb_msg_type, SADB_FLUSH);
  }
}

TEST_F(PfkeyEngine, DumpOf100000SasStreamsEachOnceCountingDownToZero) {
  constexpr std::uint32_t kCount = 100000, kBase = 0x10000;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    SaConfig c;
    c.proto = IpsecProto::kEsp;
    c.spi = kBase + i;
    c.src = *IpAddr::parse("192.0.2.1");
    c.dst = *IpAddr::parse("192.0.2.2");
    c.enc = EncAlg::kAesCbc;
    c.enc_key = SecureBytes(pattern(16, std::uint8_t(i)));
    c.auth = AuthAlg::kHmacSha1_96;
    c.auth_key = SecureBytes(pattern(20, std::uint8_t(i)));
    sad.add(std::move(c));
  }
  std::vector<bool> seen(kCount, false);
  std::uint32_t expected_seq = kCount - 1, delivered = 0;
  std::size_t biggest = 0;
  bool ok = true;
  Engine streaming(sad, spd, [&](ClientId to, ByteView m) {
    ok = ok && to == 9;
    biggest = std::max(biggest, m.size());
    auto r = parse(m);
    ok = ok && r.msg && r.msg->type == SADB_DUMP && r.msg->seq == expected_seq && r.msg->sa;
    if (!ok) return;
    std::uint32_t idx = r.msg->sa->spi - kBase;
    ok = idx < kCount && !seen[idx];
    if (ok) seen[idx] = true;
    --expected_seq;
    ++delivered;
  });
  streaming.open(9);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(streaming.handle(9, header_only(SADB_DUMP, SADB_SATYPE_UNSPEC)), 0);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("dump_ms", std::to_string(ms));
  std::cout << "DUMP of " << kCount << " SAs (with parsing on the receiving side): " << ms << " ms\n";
  EXPECT_TRUE(ok);
  EXPECT_EQ(delivered, kCount);
  EXPECT_EQ(expected_seq, std::uint32_t(-1));  // the last one carried 0
  EXPECT_LT(biggest, 256u);                    // one SA per message, never one giant buffer
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), std::ptrdiff_t(kCount));
}

TEST_F(PfkeyEngine, DumpOfAnEmptySadSaysEnoent) {
  EXPECT_EQ(engine.handle(1, header_only(SADB_DUMP, SADB_SATYPE_UNSPEC)), ENOENT);
  EXPECT_EQ(last_errno(1), ENOENT);
}

TEST_F(PfkeyEngine, SpdAddGetUpdateDumpDeleteFlush) {
  ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDADD, 1)), 0);
  Message added = last(2);  // broadcast
  ASSERT_TRUE(added.policy);
  const std::uint32_t id = added.policy->id;
  auto stored = spd.get(id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->dir, Direction::kOut);
  EXPECT_EQ(stored->action, PolicyAction::kIpsec);
  EXPECT_EQ(stored->sel.src.prefix_len, 16);
  EXPECT_EQ(stored->sel.dst.addr, *IpAddr::parse("10.2.1.0"));
  EXPECT_EQ(stored->priority, 0);  // Linux setkey's default priority 0x80000000
  ASSERT_EQ(stored->requests.size(), 1u);
  EXPECT_EQ(stored->requests[0].level, Level::kRequire);
  EXPECT_EQ(stored->requests[0].mode, Mode::kTunnel);
  EXPECT_EQ(stored->requests[0].reqid, 7u);
  EXPECT_EQ(stored->requests[0].dst, *IpAddr::parse("192.0.2.2"));

  EXPECT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDADD, 1)), EEXIST);
  ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDUPDATE, 1, IPSEC_LEVEL_UNIQUE)), 0);
  EXPECT_EQ(spd.size(), 1u);
  ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDADD, 2)), 0);
  ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDADD, 3)), 0);

  clear();
  ASSERT_EQ(engine.handle(2, header_only(SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC)), 0);
  ASSERT_EQ(inbox[2].size(), 3u);
  EXPECT_TRUE(inbox[1].empty());
  std::set<std::string> nets;
  for (std::size_t i = 0; i < 3; ++i) {
    Message d = parsed(inbox[2][i]);
    EXPECT_EQ(d.type, SADB_X_SPDDUMP);
    EXPECT_EQ(d.seq, 2 - i);
    nets.insert(d.dst->sa.addr.to_string());
  }
  EXPECT_EQ(nets.size(), 3u);

  ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDDELETE, 2)), 0);
  EXPECT_EQ(spd.size(), 2u);
  EXPECT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDDELETE, 2)), ESRCH);

  std::uint32_t id3 = 0;
  spd.for_each([&](const Policy& p) {
    if (p.sel.dst.addr == *IpAddr::parse("10.2.3.0")) id3 = p.id;
  });
  ASSERT_NE(id3, 0u);
  Bytes by_id = RawMsg(SADB_X_SPDGET, 0).policy(0, IPSEC_DIR_OUTBOUND, id3, 0, {}).done();
  ASSERT_EQ(engine.handle(3, by_id), 0);
  EXPECT_EQ(last(3).dst->sa.addr, *IpAddr::parse("10.2.3.0"));
  Bytes del2 = RawMsg(SADB_X_SPDDELETE2, 0).policy(0, IPSEC_DIR_OUTBOUND, id3, 0, {}).done();
  ASSERT_EQ(engine.handle(3, del2), 0);
  EXPECT_EQ(engine.handle(3, by_id), ESRCH);

  clear();
  ASSERT_EQ(engine.handle(1, header_only(SADB_X_SPDFLUSH, 0)), 0);
  EXPECT_EQ(spd.size(), 0u);
  for (ClientId c : {1u, 2u, 3u}) EXPECT_EQ(last(c).type, SADB_X_SPDFLUSH);
}

TEST_F(PfkeyEngine, SpdDumpOf10000PoliciesStreams) {
  constexpr int kCount = 10000;
  for (int i = 0; i < kCount; ++i) {
    Policy p;
    p.sel.src = IpPrefix{IpAddr::v4(0x0a000000u + std::uint32_t(i) * 256), 24};
    p.sel.dst = IpPrefix{*IpAddr::parse("10.200.0.0"), 16};
    p.dir = Direction::kOut;
    p.action = PolicyAction::kIpsec;
    p.requests = {IpsecRequest{IpsecProto::kEsp, Mode::kTransport, std::nullopt, std::nullopt, Level::kUse, 0}};
    spd.add(p);
  }
  std::uint32_t expected = kCount - 1, got = 0;
  bool ok = true;
  Engine streaming(sad, spd, [&](ClientId, ByteView m) {
    auto r = parse(m);
    ok = ok && r.msg && r.msg->type == SADB_X_SPDDUMP && r.msg->seq == expected && r.msg->policy &&
         r.msg->policy->requests.size() == 1 && r.msg->policy->requests[0].level == IPSEC_LEVEL_USE;
    --expected;
    ++got;
  });
  ASSERT_EQ(streaming.handle(4, header_only(SADB_X_SPDDUMP, 0)), 0);
  EXPECT_TRUE(ok);
  EXPECT_EQ(got, std::uint32_t(kCount));
  EXPECT_EQ(expected, std::uint32_t(-1));
}

TEST_F(PfkeyEngine, ExpireReachesRegisteredAndHardRemoves) {
  Bytes add = RawMsg(SADB_ADD, SADB_SATYPE_ESP)
                  .sa(0x6000, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC)
                  .lifetime(SADB_EXT_LIFETIME_HARD, 0, 0, 600, 0)
                  .lifetime(SADB_EXT_LIFETIME_SOFT, 0, 0, 500, 0)
                  .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                  .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                  .key(SADB_EXT_KEY_AUTH, pattern(20, 2))
                  .key(SADB_EXT_KEY_ENCRYPT, pattern(16, 1))
                  .done();
  ASSERT_EQ(engine.handle(1, add), 0);
  ASSERT_EQ(engine.handle(2, header_only(SADB_REGISTER, SADB_SATYPE_ESP)), 0);
  clear();
  const SaKey key{*IpAddr::parse("192.0.2.2"), IpsecProto::kEsp, 0x6000};
  EXPECT_EQ(engine.expire(key, false), 1u);
  Message soft = last(2);
  EXPECT_EQ(soft.type, SADB_EXPIRE);
  ASSERT_TRUE(soft.lifetime_soft && soft.lifetime_current);
  EXPECT_EQ(soft.lifetime_soft->addtime, 500u);
  EXPECT_FALSE(soft.lifetime_hard);
  EXPECT_TRUE(inbox[1].empty());
  EXPECT_EQ(engine.expire(key, true), 1u);
  EXPECT_EQ(last(2).lifetime_hard->addtime, 600u);
  EXPECT_FALSE(sad.get(key));
  EXPECT_EQ(engine.expire(key, true), 0u);
}

TEST_F(PfkeyEngine, PromiscuousSocketSeesOtherClientsMessages) {
  ASSERT_EQ(engine.handle(3, header_only(SADB_X_PROMISC, 1)), 0);
  clear();
  ASSERT_EQ(engine.handle(1, sa_ref(SADB_GET, SADB_SATYPE_ESP, 0x77)), ESRCH);
  ASSERT_EQ(inbox[3].size(), 1u);  // the request itself, not the sender-only answer
  EXPECT_EQ(header_of(inbox[3][0]).sadb_msg_type, SADB_GET);
  EXPECT_EQ(header_of(inbox[3][0]).sadb_msg_errno, 0);
  ASSERT_EQ(engine.handle(3, header_only(SADB_X_PROMISC, 0)), 0);
  clear();
  ASSERT_EQ(engine.handle(1, sa_ref(SADB_GET, SADB_SATYPE_ESP, 0x77)), ESRCH);
  EXPECT_TRUE(inbox[3].empty());
}

TEST_F(PfkeyEngine, SaMessagesCarryReplayEsnNattAndDumpRoundTrip) {
  Bytes add = RawMsg(SADB_ADD, SADB_SATYPE_ESP)
                  .sa(0x7000, SADB_AALG_NONE, kEalgChaCha20Poly1305, 0, kSaFlagEsn)
                  .address(SADB_EXT_ADDRESS_SRC, "2001:db8::1", 128)
                  .address(SADB_EXT_ADDRESS_DST, "2001:db8::2", 128)
                  .key(SADB_EXT_KEY_ENCRYPT, pattern(36, 3))
                  .done();
  // The replay window beyond sadb_sa_replay's 8 bits comes in SADB_X_EXT_SA_REPLAY.
  Bytes with_replay = add;
  sadb_x_sa_replay rp{1, kExtSaReplay, 4096};
  with_replay.insert(with_replay.end(), reinterpret_cast<std::uint8_t*>(&rp),
                     reinterpret_cast<std::uint8_t*>(&rp) + sizeof rp);
  std::uint16_t units = std::uint16_t(with_replay.size() / 8);
  std::memcpy(with_replay.data() + 4, &units, 2);
  ASSERT_EQ(engine.handle(1, with_replay), 0);
  SaRef sa = sad.get(SaKey{*IpAddr::parse("2001:db8::2"), IpsecProto::kEsp, 0x7000});
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->config().enc, EncAlg::kChaCha20Poly1305);
  EXPECT_TRUE(sa->config().esn);
  EXPECT_EQ(sa->config().replay_window, 4096u);
  clear();
  ASSERT_EQ(engine.handle(1, header_only(SADB_DUMP, SADB_SATYPE_ESP)), 0);
  Message d = last(1);
  EXPECT_EQ(d.seq, 0u);
  EXPECT_EQ(d.sa->flags & kSaFlagEsn, kSaFlagEsn);
  EXPECT_EQ(d.sa->replay, 255);
  EXPECT_EQ(d.sa_replay, 4096u);
  EXPECT_EQ(d.sa->encrypt, kEalgChaCha20Poly1305);
}

}  // namespace
