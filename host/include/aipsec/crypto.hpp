// Crypto primitives used by the transforms. Every primitive is keyed once per
// SA (the context is created when the SA is installed, except AES-CBC's, one per
// direction, created on the first call in that direction, and an AEAD's EVP
// fallback for the one call shape ESP and AH never use, created on its first
// call) and then used per packet without heap allocation. Implementations:
// OpenSSL 3 EVP, and intel-ipsec-mb where it is faster; the choice is made once,
// at create().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "aipsec/common.hpp"

namespace aipsec::crypto {

// Fills with cryptographically strong random bytes (RAND_bytes). Never fails silently:
// throws Error if the DRBG fails.
void random_bytes(MutByteView out);

// A random 64-bit value for things that must be unpredictable to an observer
// but are not secrets and are made often (an SA's first IPv4 identification):
// splitmix64 over a per-thread state seeded once with random_bytes. Never use
// it for keys, IVs or SPIs.
std::uint64_t nonsecret_random64();

// Constant-time equality (CRYPTO_memcmp): false if sizes differ.
bool equal_ct(ByteView a, ByteView b) noexcept;

// Which implementation a context runs on (for benchmarks and diagnostics).
enum class Provider : std::uint8_t { OpenSsl, IpsecMb };
std::string_view provider_name(Provider p);

// Memory that holds SA key schedules apart from the heap (the key slab): locked
// in RAM where the process may lock memory, left out of core dumps, zeroed in a
// forked child (a child process cannot use its parent's crypto contexts: it
// creates its own), and wiped when an SA goes. Today it holds the AES-GCM key
// schedules of the intel-ipsec-mb provider.
struct KeyMemory {
  std::size_t slot_bytes = 0;    // one key schedule
  std::size_t slots_in_use = 0;
  std::size_t bytes_mapped = 0;
  std::size_t bytes_unlocked = 0;  // mapped but not locked (RLIMIT_MEMLOCK reached)
};
KeyMemory key_memory();

// ---- AEAD with a 96-bit nonce: AES-GCM (128/192/256-bit key) and ChaCha20-Poly1305.
// AES-GMAC is AES-GCM with empty plaintext (all data as AAD).
enum class AeadKind : std::uint8_t { AesGcm, ChaCha20Poly1305 };

class Aead {
 public:
  // key: the cipher key only (16/24/32 bytes for GCM, 32 for ChaCha20-Poly1305),
  // without any ESP salt. Throws Error on a bad key size.
  // prefer: use this provider if it supports the kind (otherwise the fastest available).
  // Default: intel-ipsec-mb when built in (faster for both kinds), else OpenSSL.
  static std::unique_ptr<Aead> create(AeadKind kind, ByteView key,
                                      std::optional<Provider> prefer = std::nullopt);
  virtual ~Aead() = default;
  virtual AeadKind kind() const = 0;
  virtual Provider provider() const = 0;

  // Encrypts in (length n) into out (n bytes; out may equal in.data() exactly), and writes
  // tag.size() bytes of the tag (4..16). Returns false only if nonce is not 12 bytes or
  // the tag size is invalid.
  virtual bool seal(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, MutByteView tag) = 0;
  // Decrypts and verifies (constant-time tag compare). Returns false on a bad tag,
  // a nonce that is not 12 bytes or an invalid tag size; out is then unspecified.
  virtual bool open(ByteView nonce, ByteView aad, ByteView in, std::uint8_t* out, ByteView tag) = 0;

  // The same with the AAD in two pieces, authenticated as aad || aad2 (RFC 4543 GMAC
  // in ESP: aad = SPI || seq [|| seq_hi], aad2 = IV || payload || trailer). Neither
  // piece is copied; in is normally empty here.
  virtual bool seal2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
                     MutByteView tag) = 0;
  virtual bool open2(ByteView nonce, ByteView aad, ByteView aad2, ByteView in, std::uint8_t* out,
                     ByteView tag) = 0;

  // In place, the shape of an ESP packet: buf holds n bytes and the tag, tag_len
  // bytes (4..16), follows them at buf + n; nonce is 12 bytes. The same results
  // as seal / open on those bytes, with arguments that travel in registers (the
  // per-packet call of ESP with an AEAD). intel-ipsec-mb's AES-GCM implements
  // them directly; the others take these defaults, through seal / open.
  virtual bool seal_inplace(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                            std::uint8_t* buf, std::size_t n, std::size_t tag_len) {
    return seal(ByteView(nonce, 12), ByteView(aad, aad_len), ByteView(buf, n), buf, MutByteView(buf + n, tag_len));
  }
  virtual bool open_inplace(const std::uint8_t* nonce, const std::uint8_t* aad, std::size_t aad_len,
                            std::uint8_t* buf, std::size_t n, std::size_t tag_len) {
    return open(ByteView(nonce, 12), ByteView(aad, aad_len), ByteView(buf, n), buf, ByteView(buf + n, tag_len));
  }
};

// ---- Unauthenticated block cipher modes: AES-CBC (no padding; length a multiple
// of 16) and AES-CTR (iv is the full 16-byte initial counter block).
enum class CipherKind : std::uint8_t { AesCbc, AesCtr };

class Cipher {
 public:
  // key: 16, 24 or 32 bytes, else throws Error. Every kind runs on OpenSSL (prefer is
  // accepted for symmetry with Aead; ipsec-mb has no faster single-buffer CBC/CTR).
  static std::unique_ptr<Cipher> create(CipherKind kind, ByteView key,
                                        std::optional<Provider> prefer = std::nullopt);
  virtual ~Cipher() = default;
  virtual CipherKind kind() const = 0;
  virtual Provider provider() const = 0;
  // Return false on a bad iv size or (CBC) a length that is not a multiple of 16.
  // out may equal in.data() exactly.
  virtual bool encrypt(ByteView iv, ByteView in, std::uint8_t* out) = 0;
  virtual bool decrypt(ByteView iv, ByteView in, std::uint8_t* out) = 0;
};

// ---- MACs: HMAC-SHA1/256/384/512 and AES-XCBC-MAC-96 (RFC 3566).
enum class MacKind : std::uint8_t { HmacSha1, HmacSha256, HmacSha384, HmacSha512, AesXcbc };

class Mac {
 public:
  // Any HMAC key length is accepted (RFC 2104); AES-XCBC needs 16 bytes.
  static std::unique_ptr<Mac> create(MacKind kind, ByteView key);
  virtual ~Mac() = default;
  virtual MacKind kind() const = 0;
  virtual std::size_t full_size() const = 0;  // 20, 32, 48, 64, 16

  // Incremental use, one packet at a time; no heap allocation per packet.
  virtual void begin() = 0;
  virtual void update(ByteView data) = 0;
  // Writes the first out.size() bytes of the MAC (out.size() <= full_size()), then
  // restarts as begin() does.
  virtual void finish(MutByteView out) = 0;
  // finish() then a constant-time compare with expected (its size is the truncation);
  // false if expected is empty or longer than full_size().
  bool finish_verify(ByteView expected);
};

// ---- Raw DEFLATE (RFC 1951, no zlib header), as IPComp (RFC 2394) uses it, through zlib.
// One object per SA: the zlib streams are allocated once and reset per packet
// (IPComp is stateless per datagram, RFC 3173 section 2.2).
class Deflate {
 public:
  // level: zlib level -1..9, else throws Error.
  explicit Deflate(int level = 6);
  ~Deflate();
  Deflate(const Deflate&) = delete;
  Deflate& operator=(const Deflate&) = delete;
  // Returns the compressed size, or 0 if the result does not fit in out.
  std::size_t compress(ByteView in, MutByteView out);
  // Returns the decompressed size, or nullopt on corrupt input (including bytes after
  // the end of the deflate stream) or if out is too small.
  std::optional<std::size_t> decompress(ByteView in, MutByteView out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aipsec::crypto
