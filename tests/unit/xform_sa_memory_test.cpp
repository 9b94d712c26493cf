// Memory of one SA beyond its key material: every byte allocated while an SA
// is constructed and sends its first packet (operator new in all its forms, and
// OpenSSL's allocator through CRYPTO_set_mem_functions) is counted, the key
// material is subtracted, and what is left must stay within 1 KiB. The first
// packet is included because AES-CBC keys its context for a direction on the
// first use in that direction: an SA in use holds that context.
//
// What counts as key material (and is subtracted):
//   - the key bytes of SaConfig (SecureBytes, allocated before the SA and moved
//     in, so not in the count at all);
//   - key schedules: AES-GCM's gcm_key_data (round keys and GHASH key powers,
//     intel-ipsec-mb; it sits in a key-slab slot, counted here as the slot's
//     whole size, aipsec::crypto::key_memory()), one AES_KEY per keyed OpenSSL AES context (CBC: the one
//     of the direction used; CTR: one for both), the HMAC inner and outer hash
//     states (two SHA*_CTX);
//   - a copy of the cipher key kept inside the crypto object (32 bytes): AES-GCM
//     and ChaCha20-Poly1305 keep it for the one EVP call shape that
//     intel-ipsec-mb has no direct form for, AES-CBC to key each direction's
//     context on first use.
// Everything else is overhead: the Sa and its shared_ptr control block, the
// runtime, the crypto objects around their key schedules, OpenSSL's context
// structures, the replay bitmap, allocator rounding is not counted (requested
// sizes only).
#include <gtest/gtest.h>
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#ifdef AIPSEC_HAVE_IPSECMB
#include <intel-ipsec-mb.h>
#endif

// The replaced operator new below is malloc-based, so free() in the replaced
// delete is the matching call; GCC cannot see that across the replacement.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "aipsec/crypto.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/sa.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {
std::atomic<long> g_bytes{0}, g_allocs{0};

void count(std::size_t n) {
  g_bytes.fetch_add(long(n), std::memory_order_relaxed);
  g_allocs.fetch_add(1, std::memory_order_relaxed);
}

void* counting_malloc(std::size_t n, const char*, int) {
  count(n);
  return std::malloc(n);
}
// A realloc is counted at its new size: an upper bound of what it adds.
void* counting_realloc(void* p, std::size_t n, const char*, int) {
  count(n);
  return std::realloc(p, n);
}
void plain_free(void* p, const char*, int) { std::free(p); }

const bool g_hooked = CRYPTO_set_mem_functions(counting_malloc, counting_realloc, plain_free) == 1;

void* counted_new(std::size_t n) {
  count(n);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* counted_new_aligned(std::size_t n, std::align_val_t al) {
  count(n);
  const std::size_t a = std::size_t(al);
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using namespace aipsec;
using oracle::Bytes;

constexpr long kBudget = 1024;
constexpr long kRawKeyCopy = 32;

struct Kind {
  std::string name;
  SaConfig cfg;
  long key_material;  // bytes, as the header comment defines it
};

long gcm_schedule() {
#ifdef AIPSEC_HAVE_IPSECMB
  return long(sizeof(gcm_key_data)) + kRawKeyCopy;
#else
  return long(sizeof(AES_KEY));  // the OpenSSL GCM context's key schedule
#endif
}

long chacha_key() {
#ifdef AIPSEC_HAVE_IPSECMB
  return kRawKeyCopy;
#else
  return 0;
#endif
}

SaConfig esp(EncAlg enc, std::size_t enc_key, AuthAlg auth, std::size_t auth_key, std::uint32_t window) {
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = 0x1234;
  c.mode = Mode::kTunnel;
  xtest::set_endpoints(c, 4);
  c.enc = enc;
  c.auth = auth;
  if (enc_key) c.enc_key = SecureBytes(Bytes(enc_key, 0x11));
  if (auth_key) c.auth_key = SecureBytes(Bytes(auth_key, 0x22));
  c.replay_window = window;
  return c;
}

SaConfig ah_sha256(std::uint32_t window) {
  SaConfig c;
  c.proto = IpsecProto::kAh;
  c.spi = 0x2345;
  c.mode = Mode::kTransport;
  xtest::set_endpoints(c, 4);
  c.auth = AuthAlg::kHmacSha256_128;
  c.auth_key = SecureBytes(Bytes(32, 0x33));
  c.replay_window = window;
  return c;
}

std::vector<Kind> kinds() {
  const long aes = long(sizeof(AES_KEY));
  const long hmac256 = 2 * long(sizeof(SHA256_CTX)), hmac1 = 2 * long(sizeof(SHA_CTX));
  std::vector<Kind> v;
  v.push_back({"esp aes-gcm-16 128, window 64", esp(EncAlg::kAesGcm16, 20, AuthAlg::kNone, 0, 64),
               gcm_schedule()});
  v.push_back({"esp aes-gcm-16 128, window 1024", esp(EncAlg::kAesGcm16, 20, AuthAlg::kNone, 0, 1024),
               gcm_schedule()});
  v.push_back({"esp aes-gcm-16 256, window 64", esp(EncAlg::kAesGcm16, 36, AuthAlg::kNone, 0, 64),
               gcm_schedule()});
  v.push_back({"esp chacha20-poly1305, window 64",
               esp(EncAlg::kChaCha20Poly1305, 36, AuthAlg::kNone, 0, 64), chacha_key()});
  v.push_back({"esp aes-cbc 128 + hmac-sha256, window 64",
               esp(EncAlg::kAesCbc, 16, AuthAlg::kHmacSha256_128, 32, 64), aes + kRawKeyCopy + hmac256});
  v.push_back({"esp aes-ctr 128 + hmac-sha1, window 64",
               esp(EncAlg::kAesCtr, 20, AuthAlg::kHmacSha1_96, 20, 64), aes + hmac1});
  v.push_back({"ah hmac-sha256, window 64", ah_sha256(64), hmac256});
  return v;
}

TEST(XformSaMemory, OverheadBeyondKeyMaterialWithinOneKiB) {
  ASSERT_TRUE(g_hooked) << "OpenSSL allocated before the hook could be installed";
  {  // the counters are live for both allocators
    const long b0 = g_bytes.load();
    EVP_CIPHER_CTX_free(EVP_CIPHER_CTX_new());
    ASSERT_GT(g_bytes.load(), b0) << "OpenSSL allocations are not counted";
    const long b1 = g_bytes.load();
    auto probe = std::make_unique<std::uint64_t>(1);
    ASSERT_GE(g_bytes.load() - b1, long(sizeof(std::uint64_t))) << "operator new is not counted";
  }
  const Bytes orig = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(Bytes(200, 'x')));
  Packet p(ByteView(orig.data(), orig.size()));
  const Sysctl sc;
  // The SA is created and sends one packet; the buffer exists already.
  auto use = [&](SaConfig cfg) {
    const Mode mode = cfg.mode;
    auto sa = std::make_shared<Sa>(std::move(cfg));
    p.assign(ByteView(orig.data(), orig.size()));
    EXPECT_EQ(xform_output(*sa, mode, p, sc), Reason::kNone);
    return sa;
  };
  // One SA of each kind first: one-time setup (provider caches, the shared
  // ipsec-mb manager, method tables, the thread's random generator) is not per SA.
  for (auto& k : kinds()) use(std::move(k.cfg));

  for (auto& k : kinds()) {
    const long b0 = g_bytes.load(), a0 = g_allocs.load();
    const auto slab0 = aipsec::crypto::key_memory();
    auto sa = use(std::move(k.cfg));
    const auto slab1 = aipsec::crypto::key_memory();
    const long slab_bytes = long(slab1.slots_in_use - slab0.slots_in_use) * long(slab1.slot_bytes);
    const long bytes = g_bytes.load() - b0 + slab_bytes, allocs = g_allocs.load() - a0;
    const long overhead = bytes - k.key_material;
    std::printf("[ sa memory ] %-42s %5ld bytes in %2ld allocations, key material %5ld, overhead %5ld\n",
                k.name.c_str(), bytes, allocs, k.key_material, overhead);
    EXPECT_GT(bytes, k.key_material) << k.name;
    EXPECT_LE(overhead, kBudget) << k.name << ": " << overhead << " bytes beyond key material";
  }
}

}  // namespace
