// Proves that per-packet calls on a created context do no heap allocation, for
// both providers. Counts C++ allocations (global operator new replaced here) and
// OpenSSL's own (CRYPTO_set_mem_functions, installed before OpenSSL allocates).
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "aipsec/crypto.hpp"

namespace {

std::atomic<long> g_allocations{0};

void* counted_malloc(std::size_t n, const char*, int) {
  ++g_allocations;
  return std::malloc(n);
}
void* counted_realloc(void* p, std::size_t n, const char*, int) {
  ++g_allocations;
  return std::realloc(p, n);
}
void plain_free(void* p, const char*, int) { std::free(p); }

// Runs during static initialisation, before any OpenSSL call.
const bool g_openssl_hooked = CRYPTO_set_mem_functions(counted_malloc, counted_realloc, plain_free) == 1;

}  // namespace

// These replace the global operators, so pairing malloc with operator delete is
// intended; GCC's pairing check cannot know that.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  ++g_allocations;
  const std::size_t al = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using aipsec::Bytes;
using namespace aipsec::crypto;

// Allocations made by f when run 100 times, after one warm-up call.
template <class F>
long allocations_per_100(F&& f) {
  f();
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) f();
  return g_allocations.load() - before;
}

TEST(CryptoAlloc, CounterSeesOpenSslAndCxxAllocations) {
  ASSERT_TRUE(g_openssl_hooked) << "OpenSSL allocated before the hook was installed";
  // The counter must be able to fail: creating a context allocates, and so does
  // EVP_MD_CTX_copy_ex in OpenSSL 3.0 (why HMAC does not use it per packet).
  EXPECT_GT(allocations_per_100([] { (void)Aead::create(AeadKind::AesGcm, Bytes(16, 1)); }), 0);
  EVP_MD_CTX* keyed = EVP_MD_CTX_new();
  EVP_MD_CTX* work = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestInit_ex(keyed, EVP_sha256(), nullptr), 1);
  EXPECT_GT(allocations_per_100([&] { EVP_MD_CTX_copy_ex(work, keyed); }), 0);
  EVP_MD_CTX_free(work);
  EVP_MD_CTX_free(keyed);
}

void expect_aead_allocation_free(AeadKind kind, std::size_t key_size, Provider p) {
  auto a = Aead::create(kind, Bytes(key_size, 3), p);
  ASSERT_EQ(a->provider(), p);
  Bytes nonce(12, 1), aad(8, 2), aad2(1400, 5), buf(1400, 4), tag(16);
  EXPECT_EQ(allocations_per_100([&] { a->seal(nonce, aad, buf, buf.data(), tag); }), 0);
  EXPECT_EQ(allocations_per_100([&] {
              a->seal(nonce, aad, buf, buf.data(), tag);
              a->open(nonce, aad, buf, buf.data(), tag);
            }), 0);
  EXPECT_EQ(allocations_per_100([&] { a->open(nonce, aad, buf, buf.data(), tag); }), 0);  // bad tag path
  EXPECT_EQ(allocations_per_100([&] {
              a->seal2(nonce, aad, aad2, {}, nullptr, tag);
              a->open2(nonce, aad, aad2, {}, nullptr, tag);
            }), 0);
}

TEST(CryptoAlloc, AeadOpenSsl) {
  expect_aead_allocation_free(AeadKind::AesGcm, 16, Provider::OpenSsl);
  expect_aead_allocation_free(AeadKind::AesGcm, 32, Provider::OpenSsl);
  expect_aead_allocation_free(AeadKind::ChaCha20Poly1305, 32, Provider::OpenSsl);
}

TEST(CryptoAlloc, AeadIpsecMb) {
#ifndef AIPSEC_HAVE_IPSECMB
  GTEST_SKIP() << "built without intel-ipsec-mb";
#else
  expect_aead_allocation_free(AeadKind::AesGcm, 16, Provider::IpsecMb);
  expect_aead_allocation_free(AeadKind::AesGcm, 24, Provider::IpsecMb);
  expect_aead_allocation_free(AeadKind::AesGcm, 32, Provider::IpsecMb);
  expect_aead_allocation_free(AeadKind::ChaCha20Poly1305, 32, Provider::IpsecMb);
#endif
}

TEST(CryptoAlloc, Cipher) {
  for (CipherKind k : {CipherKind::AesCbc, CipherKind::AesCtr}) {
    auto c = Cipher::create(k, Bytes(16, 1));
    Bytes iv(16, 2), buf(1408, 3);
    EXPECT_EQ(allocations_per_100([&] { c->encrypt(iv, buf, buf.data()); }), 0);
    EXPECT_EQ(allocations_per_100([&] { c->decrypt(iv, buf, buf.data()); }), 0);
  }
}

TEST(CryptoAlloc, Mac) {
  for (MacKind k : {MacKind::HmacSha1, MacKind::HmacSha256, MacKind::HmacSha384,
                    MacKind::HmacSha512, MacKind::AesXcbc}) {
    auto m = Mac::create(k, Bytes(16, 1));
    Bytes data(1400, 2), out(12);
    EXPECT_EQ(allocations_per_100([&] {
                m->begin();
                m->update(data);
                m->finish(out);
                m->begin();
                m->update(data);
                (void)m->finish_verify(out);
              }), 0) << static_cast<int>(k);
  }
}

TEST(CryptoAlloc, RandomAndCompare) {
  Bytes a(32), b(32);
  EXPECT_EQ(allocations_per_100([&] { (void)equal_ct(a, b); }), 0);
}

}  // namespace
