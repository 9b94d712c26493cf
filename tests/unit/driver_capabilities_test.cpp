// Capability decoding: what the ID block says the card offloads.
#include <gtest/gtest.h>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_register_model.hpp"

namespace aipsec::card {
namespace {

TEST(DriverCapabilities, SpecCardSaysWhatItsDataPathOffloads) {
  CardRegisterModel model({1700000000, 0x0badf00d, 64, 256, 512});
  const Capabilities c = discover(model).caps;
  // The data path (hw/rtl/dp, docs/hw/datapath.md) does ESP with AES-GCM-128/256
  // and ICV 8/12/16, ESN, transport and tunnel, IPv4 and IPv6, NAT-T, a replay
  // window of 4096. AES-CBC, the HMACs, GMAC and AH have cores but no path yet:
  // their bits are 0, so the driver leaves those SAs to the host.
  EXPECT_TRUE(c.aes_gcm_128 && c.aes_gcm_256);
  EXPECT_TRUE(c.icv_8 && c.icv_12 && c.icv_16);
  EXPECT_FALSE(c.aes_cbc_128 || c.aes_cbc_256);
  EXPECT_FALSE(c.hmac_sha1_96 || c.hmac_sha256_128);
  // SHA-384/512 have no core on the card (docs/hw/crypto-cores.md).
  EXPECT_FALSE(c.hmac_sha384_192 || c.hmac_sha512_256);
  EXPECT_FALSE(c.aes_gmac_128 || c.aes_gmac_256 || c.ah);
  EXPECT_TRUE(c.esn && c.transport && c.tunnel && c.ipv4 && c.ipv6 && c.natt);
  EXPECT_EQ(c.replay_window_max, 4096u);
  EXPECT_EQ(c.enc_key_max, 32u);
  EXPECT_EQ(c.salt_len, 4u);
  EXPECT_EQ(c.icv_max, 16u);
  EXPECT_EQ(c.build_date, 1700000000u);
  EXPECT_EQ(c.git_hash, 0x0badf00du);
  EXPECT_EQ(c.sa_count, 64u);
  EXPECT_EQ(c.flow_count, 256u);
  EXPECT_EQ(c.data_width, 512u);
  EXPECT_EQ(c.reason_count, kCardReasonCount);
}

TEST(DriverCapabilities, DecodesTheDocumentedBits) {
  CardRegisterModel model({});
  // registers.md: cap_alg bit 1 = aes_gcm_256, bit 9 = hmac_sha256_128;
  // cap_icv bit 2 = icv_16; cap_mode bit 1 = tunnel, bit 4 = esn;
  // cap_key = icv_max:salt_len:auth_key_max:enc_key_max, one byte each.
  model.override_read(id::kCapAlg, (1u << 1) | (1u << 9));
  model.override_read(id::kCapIcv, 1u << 2);
  model.override_read(id::kCapMode, (1u << 1) | (1u << 4));
  model.override_read(id::kCapKey, 0x0c041410);
  model.override_read(id::kReplayWindowMax, 1024);
  const Capabilities c = discover(model).caps;
  EXPECT_FALSE(c.aes_gcm_128);
  EXPECT_TRUE(c.aes_gcm_256);
  EXPECT_FALSE(c.hmac_sha1_96);
  EXPECT_TRUE(c.hmac_sha256_128);
  EXPECT_FALSE(c.aes_cbc_128 || c.aes_cbc_256 || c.aes_gmac_128 || c.ah);
  EXPECT_FALSE(c.icv_8 || c.icv_12);
  EXPECT_TRUE(c.icv_16);
  EXPECT_FALSE(c.transport || c.ipv4 || c.ipv6 || c.natt);
  EXPECT_TRUE(c.tunnel && c.esn);
  EXPECT_EQ(c.enc_key_max, 0x10u);
  EXPECT_EQ(c.auth_key_max, 0x14u);
  EXPECT_EQ(c.salt_len, 4u);
  EXPECT_EQ(c.icv_max, 12u);
  EXPECT_EQ(c.replay_window_max, 1024u);
}

TEST(DriverCapabilities, DecodesTheLargeHmacBitsApart) {
  // registers.md: cap_alg bit 10 = hmac_sha384_192, bit 11 = hmac_sha512_256.
  CardRegisterModel model({});
  model.override_read(id::kCapAlg, 1u << 10);
  Capabilities c = discover(model).caps;
  EXPECT_TRUE(c.hmac_sha384_192);
  EXPECT_FALSE(c.hmac_sha512_256 || c.hmac_sha256_128 || c.ah);
  model.override_read(id::kCapAlg, 1u << 11);
  c = discover(model).caps;
  EXPECT_FALSE(c.hmac_sha384_192);
  EXPECT_TRUE(c.hmac_sha512_256);
}

}  // namespace
}  // namespace aipsec::card
