// A PF_KEY engine over a fresh SAD/SPD with an inbox per client, and the raw
// messages the engine tests send.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "aipsec/pfkey_engine.hpp"
#include "pfkey_wire_builder.hpp"

namespace pfkey_test {

class EngineFixture : public ::testing::Test {
 protected:
  aipsec::Sad sad;
  aipsec::Spd spd;
  std::map<aipsec::pfkey::ClientId, std::vector<Bytes>> inbox;
  aipsec::pfkey::Engine engine{sad, spd, [this](aipsec::pfkey::ClientId to, aipsec::ByteView m) {
                                 inbox[to].emplace_back(m.begin(), m.end());
                               }};

  void SetUp() override {
    for (aipsec::pfkey::ClientId c : {1u, 2u, 3u}) engine.open(c);
  }

  aipsec::pfkey::Message parsed(const Bytes& b) {
    auto r = aipsec::pfkey::parse(b);
    EXPECT_EQ(r.error, 0) << r.detail;
    return r.msg.value_or(aipsec::pfkey::Message{});
  }
  aipsec::pfkey::Message last(aipsec::pfkey::ClientId c) {
    EXPECT_FALSE(inbox[c].empty()) << "client " << c << " received nothing";
    return inbox[c].empty() ? aipsec::pfkey::Message{} : parsed(inbox[c].back());
  }
  std::uint8_t last_errno(aipsec::pfkey::ClientId c) {
    EXPECT_FALSE(inbox[c].empty());
    return inbox[c].empty() ? 0 : header_of(inbox[c].back()).sadb_msg_errno;
  }
  void clear() { inbox.clear(); }
};

// ADD (or UPDATE) of an ESP AES-CBC + HMAC-SHA1 SA between 192.0.2.1 and .2.
inline Bytes esp_cbc_sha1(std::uint8_t type, std::uint32_t spi, const Bytes& enc_key = pattern(16, 1),
                          const Bytes& auth_key = pattern(20, 2)) {
  return RawMsg(type, SADB_SATYPE_ESP)
      .sa(spi, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC)
      .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
      .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
      .key(SADB_EXT_KEY_AUTH, auth_key)
      .key(SADB_EXT_KEY_ENCRYPT, enc_key)
      .sa2(IPSEC_MODE_TUNNEL, 5)
      .done();
}

// GET / DELETE of an SA: SA, source and destination only.
inline Bytes sa_ref(std::uint8_t type, std::uint8_t satype, std::uint32_t spi) {
  return RawMsg(type, satype)
      .sa(spi, 0, 0)
      .address(SADB_EXT_ADDRESS_SRC, "192.0.2.1", 32)
      .address(SADB_EXT_ADDRESS_DST, "192.0.2.2", 32)
      .done();
}

inline Bytes header_only(std::uint8_t type, std::uint8_t satype) { return RawMsg(type, satype).done(); }

// An outbound ESP tunnel policy 10.1.0.0/16 -> 10.2.0.0/16 (third octet varies).
inline Bytes spd_tunnel(std::uint8_t type, int net = 0, std::uint8_t level = IPSEC_LEVEL_REQUIRE) {
  std::string dst = "10.2." + std::to_string(net) + ".0";
  return RawMsg(type, SADB_SATYPE_UNSPEC)
      .address(SADB_EXT_ADDRESS_SRC, "10.1.0.0", 16)
      .address(SADB_EXT_ADDRESS_DST, dst, 24)
      .policy(IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 0, 0x80000000,
              {{IPPROTO_ESP, IPSEC_MODE_TUNNEL, level, 7, "192.0.2.1", "192.0.2.2"}})
      .done();
}

}  // namespace pfkey_test
