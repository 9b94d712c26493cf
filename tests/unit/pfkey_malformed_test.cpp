// Malformed PF_KEY messages: each gets the errno Linux af_key / RFC 2367 give,
// the sender alone hears about it, and the databases are left as they were.
// Truncations of valid messages at every length never crash.
#include <gtest/gtest.h>

#include "pfkey_engine_fixture.hpp"

namespace {

using namespace aipsec;
using namespace aipsec::pfkey;
using namespace pfkey_test;

Bytes set_u16(Bytes b, std::size_t off, std::uint16_t v) {
  std::memcpy(b.data() + off, &v, 2);
  return b;
}

Bytes append(Bytes b, const Bytes& tail) {
  b.insert(b.end(), tail.begin(), tail.end());
  return set_u16(b, offsetof(sadb_msg, sadb_msg_len), std::uint16_t(b.size() / 8));
}

class PfkeyMalformed : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    ASSERT_EQ(engine.handle(1, esp_cbc_sha1(SADB_ADD, 0x1111)), 0);
    ASSERT_EQ(engine.handle(1, spd_tunnel(SADB_X_SPDADD, 1)), 0);
    clear();
  }
  // Sends m from client 2 and checks the errno, who heard it, and that the
  // databases still hold exactly what SetUp put there.
  void expect_rejected(const Bytes& m, int err, const char* what) {
    SCOPED_TRACE(what);
    clear();
    EXPECT_EQ(engine.handle(2, m), err);
    EXPECT_FALSE(engine.last_error().empty());
    ASSERT_EQ(inbox[2].size(), 1u);
    EXPECT_EQ(header_of(inbox[2][0]).sadb_msg_errno, err);
    EXPECT_EQ(header_of(inbox[2][0]).sadb_msg_len, 2);
    EXPECT_TRUE(inbox[1].empty());
    EXPECT_TRUE(inbox[3].empty());
    EXPECT_EQ(sad.size(), 1u);
    EXPECT_TRUE(sad.get(SaKey{*IpAddr::parse("192.0.2.2"), IpsecProto::kEsp, 0x1111}));
    EXPECT_EQ(spd.size(), 1u);
    EXPECT_EQ(engine.larval_count(), 0u);
  }
};

TEST_F(PfkeyMalformed, HeaderErrors) {
  const Bytes good = esp_cbc_sha1(SADB_ADD, 0x2222);
  Bytes bad_version = good;
  bad_version[0] = 1;
  expect_rejected(bad_version, EINVAL, "version 1");
  expect_rejected(set_u16(good, offsetof(sadb_msg, sadb_msg_reserved), 1), EINVAL, "reserved");
  Bytes type0 = good, type25 = good;
  type0[1] = 0;
  type25[1] = SADB_MAX + 1;
  expect_rejected(type0, EINVAL, "type 0");
  expect_rejected(type25, EINVAL, "type past SADB_MAX");
  expect_rejected(set_u16(good, offsetof(sadb_msg, sadb_msg_len), std::uint16_t(good.size() / 8 + 1)), EMSGSIZE,
                  "length longer than the buffer");
  expect_rejected(set_u16(good, offsetof(sadb_msg, sadb_msg_len), 2), EMSGSIZE, "length shorter than the buffer");
  expect_rejected(Bytes(good.begin(), good.begin() + 8), EMSGSIZE, "shorter than a header");
}

TEST_F(PfkeyMalformed, ExtensionErrors) {
  const Bytes good = esp_cbc_sha1(SADB_ADD, 0x2222);
  const std::size_t first = sizeof(sadb_msg);  // the SA extension
  expect_rejected(set_u16(good, first, 0), EINVAL, "extension length 0");
  expect_rejected(set_u16(good, first, 0x100), EINVAL, "extension past the end");
  expect_rejected(set_u16(good, first + 2, 0), EINVAL, "extension type 0");
  expect_rejected(set_u16(good, first + 2, kExtMax + 1), EINVAL, "unknown extension type");
  Bytes sa_ext(good.begin() + first, good.begin() + first + sizeof(sadb_sa));
  expect_rejected(append(good, sa_ext), EINVAL, "duplicate SA extension");
  Bytes odd = good;
  odd.insert(odd.end(), {1, 0, 0, 0});
  expect_rejected(odd, EMSGSIZE, "buffer not a whole number of 64-bit units");
  // A lifetime extension that claims 1 unit (too short for sadb_lifetime).
  expect_rejected(append(good, Bytes{1, 0, SADB_EXT_LIFETIME_HARD, 0, 0, 0, 0, 0}), EINVAL, "short lifetime");
}

TEST_F(PfkeyMalformed, AddressErrors) {
  Bytes family99 = esp_cbc_sha1(SADB_ADD, 0x2222);
  // src address ext follows the 16-byte SA ext; its sockaddr starts 8 bytes in.
  std::size_t src_sockaddr = sizeof(sadb_msg) + sizeof(sadb_sa) + sizeof(sadb_address);
  expect_rejected(set_u16(family99, src_sockaddr, 99), EINVAL, "unknown address family");
  Bytes prefix33 = family99 = esp_cbc_sha1(SADB_ADD, 0x2222);
  prefix33[sizeof(sadb_msg) + sizeof(sadb_sa) + 5] = 33;
  expect_rejected(prefix33, EINVAL, "IPv4 prefix 33");
  Bytes mixed = RawMsg(SADB_ADD, SADB_SATYPE_ESP)
                    .sa(0x2222, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC)
                    .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                    .address(SADB_EXT_ADDRESS_DST, "2001:db8::2", 128)
                    .key(SADB_EXT_KEY_AUTH, pattern(20, 2))
                    .key(SADB_EXT_KEY_ENCRYPT, pattern(16, 1))
                    .done();
  expect_rejected(mixed, EINVAL, "ADD with IPv4 source and IPv6 destination");
  Bytes spd_mixed = RawMsg(SADB_X_SPDADD, 0)
                        .address(SADB_EXT_ADDRESS_SRC, "10.0.0.0", 8)
                        .address(SADB_EXT_ADDRESS_DST, "2001:db8::", 32)
                        .policy(IPSEC_POLICY_NONE, IPSEC_DIR_INBOUND, 0, 0, {})
                        .done();
  expect_rejected(spd_mixed, EINVAL, "SPDADD with mixed families");
  Bytes tunnel_mixed = RawMsg(SADB_X_SPDADD, 0)
                           .address(SADB_EXT_ADDRESS_SRC, "10.0.0.0", 8)
                           .address(SADB_EXT_ADDRESS_DST, "10.9.0.0", 16)
                           .policy(IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0,
                                   {{IPPROTO_ESP, IPSEC_MODE_TUNNEL, 2, 0, "192.0.2.1", "2001:db8::2"}})
                           .done();
  expect_rejected(tunnel_mixed, EINVAL, "tunnel endpoints of mixed families");
}

TEST_F(PfkeyMalformed, MissingMandatoryExtensions) {
  const Bytes full = esp_cbc_sha1(SADB_ADD, 0x2222);
  Bytes no_sa = full;
  no_sa.erase(no_sa.begin() + sizeof(sadb_msg), no_sa.begin() + sizeof(sadb_msg) + sizeof(sadb_sa));
  no_sa = set_u16(no_sa, offsetof(sadb_msg, sadb_msg_len), std::uint16_t(no_sa.size() / 8));
  expect_rejected(no_sa, EINVAL, "ADD without SA");
  expect_rejected(RawMsg(SADB_ADD, SADB_SATYPE_ESP).sa(0x2222, 3, 12).done(), EINVAL, "ADD without addresses");
  expect_rejected(RawMsg(SADB_UPDATE, SADB_SATYPE_ESP).done(), EINVAL, "UPDATE without anything");
  expect_rejected(RawMsg(SADB_GET, SADB_SATYPE_ESP).sa(0x1111, 0, 0).done(), EINVAL, "GET without addresses");
  expect_rejected(RawMsg(SADB_DELETE, SADB_SATYPE_ESP).sa(0x1111, 0, 0).done(), EINVAL, "DELETE without addresses");
  expect_rejected(RawMsg(SADB_GETSPI, SADB_SATYPE_ESP).address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32).done(),
                  EINVAL, "GETSPI without destination");
  expect_rejected(RawMsg(SADB_X_SPDADD, 0)
                      .address(SADB_EXT_ADDRESS_SRC, "10.0.0.0", 8)
                      .address(SADB_EXT_ADDRESS_DST, "10.9.0.0", 16)
                      .done(),
                  EINVAL, "SPDADD without policy");
  expect_rejected(header_only(SADB_X_SPDDELETE2, 0), EINVAL, "SPDDELETE2 without policy");
  expect_rejected(header_only(SADB_REGISTER, SADB_SATYPE_UNSPEC), EINVAL, "REGISTER without a type");
  expect_rejected(header_only(SADB_ADD, 7), EINVAL, "ADD of satype RIPv2");
}

TEST_F(PfkeyMalformed, WrongKeysAndAlgorithms) {
  expect_rejected(esp_cbc_sha1(SADB_ADD, 0x2222, pattern(20, 1)), EINVAL, "AES-CBC key of 160 bits");
  expect_rejected(esp_cbc_sha1(SADB_ADD, 0x2222, pattern(8, 1)), EINVAL, "AES-CBC key of 64 bits");
  expect_rejected(esp_cbc_sha1(SADB_ADD, 0x2222, pattern(16, 1), pattern(16, 2)), EINVAL, "HMAC-SHA1 key of 128 bits");
  auto esp = [](std::uint8_t aalg, std::uint8_t ealg, const Bytes& ekey, std::uint16_t ebits = 0) {
    RawMsg m(SADB_ADD, SADB_SATYPE_ESP);
    m.sa(0x2222, aalg, ealg)
        .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
        .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32);
    if (!ekey.empty()) m.key(SADB_EXT_KEY_ENCRYPT, ekey, ebits);
    return m.done();
  };
  expect_rejected(esp(0, SADB_X_EALG_AES_GCM_ICV16, pattern(16, 1)), EINVAL, "GCM key without its salt");
  expect_rejected(esp(0, SADB_X_EALG_AES_GCM_ICV16, pattern(20, 1), 159), EINVAL, "key bits not whole bytes");
  expect_rejected(esp(0, SADB_X_EALG_AES_GCM_ICV16, {}), EINVAL, "GCM without a key");
  expect_rejected(esp(SADB_AALG_SHA1HMAC, SADB_X_EALG_AES_GCM_ICV16, pattern(20, 1)), EINVAL,
                  "AEAD with a separate integrity algorithm");
  expect_rejected(esp(0, SADB_EALG_3DESCBC, pattern(24, 1)), EINVAL, "3DES is not implemented");
  EXPECT_NE(engine.last_error().find("not supported"), std::string::npos) << engine.last_error();
  Bytes ah_gmac = RawMsg(SADB_ADD, SADB_SATYPE_AH)
                      .sa(0x2222, kAalgAes128Gmac, 0)
                      .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                      .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                      .key(SADB_EXT_KEY_AUTH, pattern(28, 1))
                      .done();
  expect_rejected(ah_gmac, EINVAL, "AH AES-128-GMAC with a 192-bit key");
  Bytes key_past = esp(0, SADB_X_EALG_AES_GCM_ICV16, pattern(24, 1), 300);
  expect_rejected(key_past, EINVAL, "key bits past the extension");
}

TEST_F(PfkeyMalformed, UnsupportedMessagesAndDuplicates) {
  expect_rejected(header_only(SADB_X_PCHANGE, 0), EOPNOTSUPP, "X_PCHANGE");
  expect_rejected(header_only(SADB_X_SPDSETIDX, 0), EOPNOTSUPP, "X_SPDSETIDX");
  expect_rejected(header_only(SADB_X_MIGRATE, 0), EOPNOTSUPP, "X_MIGRATE");
  expect_rejected(header_only(SADB_EXPIRE, SADB_SATYPE_ESP), EOPNOTSUPP, "EXPIRE from a client");
  expect_rejected(esp_cbc_sha1(SADB_ADD, 0x1111), EEXIST, "ADD of an existing SA");
  expect_rejected(spd_tunnel(SADB_X_SPDADD, 1), EEXIST, "SPDADD of an existing policy");
  expect_rejected(esp_cbc_sha1(SADB_UPDATE, 0x9999), ESRCH, "UPDATE of an unknown SA");
  expect_rejected(header_only(SADB_X_PROMISC, 2), EINVAL, "X_PROMISC 2");
  Bytes filtered = header_only(SADB_DUMP, SADB_SATYPE_ESP);
  sadb_x_filter f{};
  f.sadb_x_filter_len = sizeof f / 8;
  f.sadb_x_filter_exttype = SADB_X_EXT_FILTER;
  f.sadb_x_filter_family = AF_INET;
  filtered.insert(filtered.end(), reinterpret_cast<std::uint8_t*>(&f), reinterpret_cast<std::uint8_t*>(&f) + sizeof f);
  expect_rejected(set_u16(filtered, offsetof(sadb_msg, sadb_msg_len), std::uint16_t(filtered.size() / 8)),
                  EOPNOTSUPP, "DUMP with a filter");
  Bytes range = RawMsg(SADB_GETSPI, SADB_SATYPE_ESP)
                    .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
                    .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
                    .spirange(0x300, 0x200)
                    .done();
  expect_rejected(range, EINVAL, "inverted SPI range");
}

// Every prefix of valid messages: as given (length disagrees: EMSGSIZE), and
// with sadb_msg_len patched to the prefix (truncated extensions: EINVAL or a
// smaller valid message). Never a crash; the databases stay consistent.
TEST_F(PfkeyMalformed, TruncationAtEveryLength) {
  std::vector<Bytes> samples = {esp_cbc_sha1(SADB_ADD, 0x3333), spd_tunnel(SADB_X_SPDADD, 4),
                                RawMsg(SADB_GETSPI, SADB_SATYPE_ESP)
                                    .address(SADB_EXT_ADDRESS_SRC, "2001:db8::1", 128)
                                    .address(SADB_EXT_ADDRESS_DST, "2001:db8::2", 128)
                                    .spirange(0x1000, 0x2000)
                                    .done()};
  Sad scratch_sad;
  Spd scratch_spd;
  std::size_t delivered = 0;
  Engine scratch(scratch_sad, scratch_spd, [&](ClientId, ByteView) { ++delivered; });
  for (const Bytes& full : samples) {
    for (std::size_t n = 0; n < full.size(); ++n) {
      Bytes cut(full.begin(), full.begin() + std::ptrdiff_t(n));
      pfkey::ParseResult r = parse(cut);
      EXPECT_NE(r.error, 0) << n;
      EXPECT_NE(scratch.handle(1, cut), 0);
      if (n >= sizeof(sadb_msg) && n % 8 == 0) {
        Bytes patched = set_u16(cut, offsetof(sadb_msg, sadb_msg_len), std::uint16_t(n / 8));
        (void)parse(patched);
        (void)scratch.handle(1, patched);
      }
    }
    EXPECT_EQ(parse(full).error, 0);
  }
  std::size_t seen = 0;
  scratch_sad.for_each([&](const SaRef&) { ++seen; });
  EXPECT_EQ(seen, scratch_sad.size());
  EXPECT_GT(delivered, 0u);
}

}  // namespace
