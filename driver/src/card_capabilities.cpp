#include "aipsec/card_discovery.hpp"
#include "aipsec/card_regs.hpp"

namespace aipsec::card {
namespace {

// Register addresses in the header are absolute for the spec's layout; the
// driver reads them relative to the base it discovered.
std::uint32_t rd(RegisterTransport& bus, std::uint32_t base, std::uint32_t spec_address) {
  return bus.read32(base + (spec_address - id::kBase));
}

bool on(std::uint32_t reg, Field f) { return f.get(reg) != 0; }

}  // namespace

Capabilities read_capabilities(RegisterTransport& bus, std::uint32_t id_base) {
  Capabilities c;
  const std::uint32_t alg = rd(bus, id_base, id::kCapAlg);
  c.aes_gcm_128 = on(alg, id::kCapAlgAesGcm128);
  c.aes_gcm_256 = on(alg, id::kCapAlgAesGcm256);
  c.aes_gmac_128 = on(alg, id::kCapAlgAesGmac128);
  c.aes_gmac_256 = on(alg, id::kCapAlgAesGmac256);
  c.aes_cbc_128 = on(alg, id::kCapAlgAesCbc128);
  c.aes_cbc_256 = on(alg, id::kCapAlgAesCbc256);
  c.hmac_sha1_96 = on(alg, id::kCapAlgHmacSha196);
  c.hmac_sha256_128 = on(alg, id::kCapAlgHmacSha256128);
  c.hmac_sha384_192 = on(alg, id::kCapAlgHmacSha384192);
  c.hmac_sha512_256 = on(alg, id::kCapAlgHmacSha512256);
  c.ah = on(alg, id::kCapAlgAh);
  const std::uint32_t icv = rd(bus, id_base, id::kCapIcv);
  c.icv_8 = on(icv, id::kCapIcvIcv8);
  c.icv_12 = on(icv, id::kCapIcvIcv12);
  c.icv_16 = on(icv, id::kCapIcvIcv16);
  const std::uint32_t mode = rd(bus, id_base, id::kCapMode);
  c.transport = on(mode, id::kCapModeTransport);
  c.tunnel = on(mode, id::kCapModeTunnel);
  c.ipv4 = on(mode, id::kCapModeIpv4);
  c.ipv6 = on(mode, id::kCapModeIpv6);
  c.esn = on(mode, id::kCapModeEsn);
  c.natt = on(mode, id::kCapModeNatt);
  const std::uint32_t key = rd(bus, id_base, id::kCapKey);
  c.enc_key_max = id::kCapKeyEncKeyMax.get(key);
  c.auth_key_max = id::kCapKeyAuthKeyMax.get(key);
  c.salt_len = id::kCapKeySaltLen.get(key);
  c.icv_max = id::kCapKeyIcvMax.get(key);
  c.replay_window_max = rd(bus, id_base, id::kReplayWindowMax);
  c.sa_count = rd(bus, id_base, id::kSaCount);
  c.flow_count = rd(bus, id_base, id::kFlowCount);
  c.reason_count = rd(bus, id_base, id::kReasonCount);
  c.data_width = rd(bus, id_base, id::kDataWidth);
  c.build_date = rd(bus, id_base, id::kBuildDate);
  c.git_hash = rd(bus, id_base, id::kGitHash);
  return c;
}

}  // namespace aipsec::card
