// PF_KEY v2 (RFC 2367) messages with the KAME/Linux extensions: a typed view of
// one message, the codec between it and the wire, and the mapping between the
// SADB_* algorithm numbers and the runtime's algorithms. The wire layout is the
// one <linux/pfkeyv2.h> declares (host byte order, except SPIs and ports).
#pragma once

#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aipsec/common.hpp"
#include "aipsec/sa.hpp"

namespace aipsec::pfkey {

// --- Numbers Linux does not define -------------------------------------------
// FreeBSD's replay-window extension (sadb_x_sa_replay, window in packets).
// FreeBSD numbers it 26, which Linux already gives to SADB_X_EXT_FILTER, so it
// takes the first number Linux leaves free.
inline constexpr std::uint16_t kExtSaReplay = 27;
inline constexpr std::uint16_t kExtMax = 27;
struct sadb_x_sa_replay {
  std::uint16_t sadb_x_sa_replay_len;
  std::uint16_t sadb_x_sa_replay_exttype;
  std::uint32_t sadb_x_sa_replay_replay;  // packets
} __attribute__((packed));
static_assert(sizeof(sadb_x_sa_replay) == 8);

// sadb_sa_flags bits: FreeBSD's ESN flag and the KAME setkey -f flags.
inline constexpr std::uint32_t kSaFlagEsn = 0x400;      // SADB_X_SAFLAGS_ESN
inline constexpr std::uint32_t kSaFlagCycSeq = 0x040;   // SADB_X_EXT_CYCSEQ
inline constexpr std::uint32_t kSaFlagRawCpi = 0x080;   // SADB_X_EXT_RAWCPI
inline constexpr std::uint32_t kSaFlagPadRandom = 0x100;  // SADB_X_EXT_PRAND
inline constexpr std::uint32_t kSaFlagPadZero = 0x200;    // SADB_X_EXT_PZERO

// Algorithm numbers from FreeBSD where Linux has none.
inline constexpr std::uint8_t kEalgChaCha20Poly1305 = 15;  // SADB_X_EALG_CHACHA20POLY1305
inline constexpr std::uint8_t kAalgAes128Gmac = 11;        // SADB_X_AALG_AES128GMAC
inline constexpr std::uint8_t kAalgAes192Gmac = 12;
inline constexpr std::uint8_t kAalgAes256Gmac = 13;

inline constexpr std::uint8_t kNatTypeEspInUdp = 2;  // UDP_ENCAP_ESPINUDP
inline constexpr std::size_t kMaxMessageBytes = 0xffff * 8;  // sadb_msg_len is 16 bits of 8 bytes

// --- Extensions ----------------------------------------------------------------
struct SockAddr {
  IpAddr addr;
  std::uint16_t port = 0;      // host order
  std::uint32_t scope_id = 0;  // IPv6 only
  bool operator==(const SockAddr&) const = default;
};

struct AddressExt {
  std::uint8_t proto = 0;  // upper-layer protocol (IPSEC_ULPROTO_ANY = 255)
  std::uint8_t prefixlen = 0;
  SockAddr sa;
  bool operator==(const AddressExt&) const = default;
};

struct SaExt {
  std::uint32_t spi = 0;  // host order
  std::uint8_t replay = 0, state = 0, auth = 0, encrypt = 0;
  std::uint32_t flags = 0;
  bool operator==(const SaExt&) const = default;
};

struct LifetimeExt {
  std::uint32_t allocations = 0;
  std::uint64_t bytes = 0, addtime = 0, usetime = 0;
  bool operator==(const LifetimeExt&) const = default;
};

struct KeyExt {
  std::uint16_t bits = 0;
  SecureBytes key;  // ceil(bits / 8) bytes
  bool operator==(const KeyExt&) const = default;
};

struct IdentityExt {
  std::uint16_t type = 0;
  std::uint64_t id = 0;
  Bytes data;  // everything after the fixed part (a NUL-padded string for FQDN types)
  bool operator==(const IdentityExt&) const = default;
};

struct SensitivityExt {
  std::uint32_t dpd = 0;
  std::uint8_t sens_level = 0, integ_level = 0;
  std::vector<std::uint64_t> sens_bitmap, integ_bitmap;
  bool operator==(const SensitivityExt&) const = default;
};

struct Comb {  // sadb_comb
  std::uint8_t auth = 0, encrypt = 0;
  std::uint16_t flags = 0;
  std::uint16_t auth_minbits = 0, auth_maxbits = 0, encrypt_minbits = 0, encrypt_maxbits = 0;
  std::uint32_t soft_allocations = 0, hard_allocations = 0;
  std::uint64_t soft_bytes = 0, hard_bytes = 0, soft_addtime = 0, hard_addtime = 0;
  std::uint64_t soft_usetime = 0, hard_usetime = 0;
  bool operator==(const Comb&) const = default;
};

struct ProposalExt {
  std::uint8_t replay = 0;
  std::vector<Comb> combs;
  bool operator==(const ProposalExt&) const = default;
};

struct Alg {  // sadb_alg
  std::uint8_t id = 0, ivlen = 0;
  std::uint16_t minbits = 0, maxbits = 0;
  bool operator==(const Alg&) const = default;
};

struct SupportedExt {
  std::vector<Alg> algs;
  bool operator==(const SupportedExt&) const = default;
};

struct SpiRangeExt {
  std::uint32_t min = 0, max = 0;  // host order
  bool operator==(const SpiRangeExt&) const = default;
};

struct Sa2Ext {
  std::uint8_t mode = 0;
  std::uint32_t sequence = 0, reqid = 0;
  bool operator==(const Sa2Ext&) const = default;
};

struct IpsecRequestExt {  // sadb_x_ipsecrequest with its tunnel addresses
  std::uint16_t proto = 0;  // IPPROTO_ESP / _AH / _COMP
  std::uint8_t mode = 0, level = 0;
  std::uint32_t reqid = 0;
  std::optional<SockAddr> src, dst;
  bool operator==(const IpsecRequestExt&) const = default;
};

struct PolicyExt {
  std::uint16_t type = 0;  // IPSEC_POLICY_*
  std::uint8_t dir = 0;    // IPSEC_DIR_*
  std::uint32_t id = 0;
  std::uint32_t priority = 0;
  std::vector<IpsecRequestExt> requests;
  bool operator==(const PolicyExt&) const = default;
};

// Extensions carried but not interpreted (KMPRIVATE, SEC_CTX, KMADDRESS, FILTER).
struct OpaqueExt {
  std::uint16_t type = 0;
  Bytes payload;  // after the 4-byte sadb_ext header
  bool operator==(const OpaqueExt&) const = default;
};

// --- Message -------------------------------------------------------------------
struct Message {
  std::uint8_t type = 0;
  std::uint8_t error = 0;  // sadb_msg_errno
  std::uint8_t satype = 0;
  std::uint32_t seq = 0, pid = 0;

  std::optional<SaExt> sa;
  std::optional<LifetimeExt> lifetime_current, lifetime_hard, lifetime_soft;
  std::optional<AddressExt> src, dst, proxy;
  std::optional<KeyExt> key_auth, key_encrypt;
  std::optional<IdentityExt> ident_src, ident_dst;
  std::optional<SensitivityExt> sensitivity;
  std::optional<ProposalExt> proposal;
  std::optional<SupportedExt> supported_auth, supported_encrypt;
  std::optional<SpiRangeExt> spirange;
  std::optional<PolicyExt> policy;
  std::optional<Sa2Ext> sa2;
  std::optional<std::uint8_t> natt_type;
  std::optional<std::uint16_t> natt_sport, natt_dport;  // host order
  std::optional<AddressExt> natt_oa;
  std::optional<std::uint32_t> sa_replay;  // packets
  std::vector<OpaqueExt> opaque;

  // Extension order as received; serialize() keeps it when it names exactly the
  // extensions present, and otherwise writes them in ascending type.
  std::vector<std::uint16_t> ext_order;

  bool has(std::uint16_t ext_type) const;
  bool operator==(const Message&) const = default;
};

// A failed parse carries the errno a PF_KEY socket answers with.
struct ParseResult {
  std::optional<Message> msg;
  int error = 0;
  std::string detail;
};

// Never throws; every malformed input gives error != 0.
ParseResult parse(ByteView wire);
// Throws Error when the message cannot be encoded (over 512 KiB, a bad address
// family, key bytes that do not match key bits).
Bytes serialize(const Message& m);
// Just the 16-byte header, for error replies.
Bytes serialize_header(const Message& m, std::uint8_t error);

const char* message_name(std::uint8_t type);

// --- Algorithm numbers ------------------------------------------------------------
std::optional<IpsecProto> proto_of_satype(std::uint8_t satype);
std::uint8_t satype_of(IpsecProto p);
std::optional<EncAlg> enc_from_sadb(std::uint8_t id);
std::uint8_t sadb_of(EncAlg a);
// AES-GMAC (AH) has one number per key size: key_bytes picks it.
std::optional<AuthAlg> auth_from_sadb(std::uint8_t id);
std::uint8_t sadb_of(AuthAlg a, std::size_t key_bytes);
std::optional<CompAlg> comp_from_sadb(std::uint8_t id);
std::uint8_t sadb_of(CompAlg a);
// Key bytes an AH GMAC number demands (AES key plus 4-byte salt); 0 for others.
std::size_t gmac_key_bytes(std::uint8_t aalg);

}  // namespace aipsec::pfkey
