// Discovery: walk the card's register blocks (type, version, next) from
// offset 0, and read what the card can offload from its ID block.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "aipsec/card_transport.hpp"

namespace aipsec::card {

struct DiscoveredBlock {
  std::uint32_t base;
  std::uint32_t type;
  std::uint32_t version;
};

// What the ID block says; the host offloads only what is set here.
struct Capabilities {
  bool aes_gcm_128 = false, aes_gcm_256 = false, aes_gmac_128 = false, aes_gmac_256 = false;
  bool aes_cbc_128 = false, aes_cbc_256 = false, hmac_sha1_96 = false, hmac_sha256_128 = false;
  // No core on the card for these (area): the bits are 0 on every build,
  // read so that a card that adds them is seen.
  bool hmac_sha384_192 = false, hmac_sha512_256 = false;
  bool ah = false;
  bool icv_8 = false, icv_12 = false, icv_16 = false;
  bool transport = false, tunnel = false, ipv4 = false, ipv6 = false, esn = false, natt = false;
  unsigned enc_key_max = 0, auth_key_max = 0, salt_len = 0, icv_max = 0;
  std::uint32_t replay_window_max = 0;
  std::uint32_t sa_count = 0, flow_count = 0, reason_count = 0, data_width = 0;
  std::uint32_t build_date = 0, git_hash = 0;
};

struct CardInfo {
  std::vector<DiscoveredBlock> blocks;
  Capabilities caps;

  // Base of the first block of this type whose major version the driver
  // speaks (the version of the generated header); nullopt when absent.
  std::optional<std::uint32_t> base_of(std::uint32_t type, std::uint32_t version) const;
  // As base_of, but throws Error naming the block when it is missing.
  std::uint32_t require(std::uint32_t type, std::uint32_t version, const char* what) const;
};

// Throws Error when the list is broken (first block not an ID block, a next
// pointer that goes backwards, leaves the aperture or is misaligned, too many
// blocks) and BusError when the card answers an access with an error.
CardInfo discover(RegisterTransport& bus);

// Reads the ID block at base.
Capabilities read_capabilities(RegisterTransport& bus, std::uint32_t id_base);

}  // namespace aipsec::card
