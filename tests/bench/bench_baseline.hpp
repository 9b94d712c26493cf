// Raw library speed, for benchmarks that report their figures as a ratio to "the
// fastest AEAD library on this machine, measured in the same run". These call
// OpenSSL EVP and intel-ipsec-mb directly, not through aipsec::crypto, so they
// measure the ceiling any wrapper can reach.
//
//   raw_gcm128_seal_bytes_per_s(1400)  -> best of EVP and ipsec-mb, bytes/s
//   BENCHMARK_CAPTURE(aipsec::bench::bm_raw_gcm_seal_evp, g128, 16)->Arg(1400);
#pragma once

#include <benchmark/benchmark.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#ifdef AIPSEC_HAVE_IPSECMB
#include <intel-ipsec-mb.h>
#endif

namespace aipsec::bench {

inline constexpr std::size_t kRawAadSize = 8;  // ESP: SPI || sequence number

// One AES-GCM seal per call with the cheapest per-packet setup EVP allows: the
// context is keyed once and only the IV is set per packet.
class RawEvpGcm {
 public:
  explicit RawEvpGcm(std::size_t key_size) : ctx_(EVP_CIPHER_CTX_new()) {
    const std::vector<std::uint8_t> key(key_size, 0x42);
    EVP_EncryptInit_ex(ctx_, key_size == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), nullptr,
                       key.data(), nullptr);
    dctx_ = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(dctx_, key_size == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), nullptr,
                       key.data(), nullptr);
  }
  ~RawEvpGcm() {
    EVP_CIPHER_CTX_free(ctx_);
    EVP_CIPHER_CTX_free(dctx_);
  }
  RawEvpGcm(const RawEvpGcm&) = delete;
  RawEvpGcm& operator=(const RawEvpGcm&) = delete;
  void seal(const std::uint8_t* iv, const std::uint8_t* aad, std::uint8_t* buf, std::size_t n,
            std::uint8_t* tag) {
    int len = 0;
    EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv);
    EVP_EncryptUpdate(ctx_, nullptr, &len, aad, int(kRawAadSize));
    EVP_EncryptUpdate(ctx_, buf, &len, buf, int(n));
    EVP_EncryptFinal_ex(ctx_, buf + n, &len);
    EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, 16, tag);
  }
  // Decrypts in place and checks the tag; false on a mismatch.
  bool open(const std::uint8_t* iv, const std::uint8_t* aad, std::uint8_t* buf, std::size_t n,
            const std::uint8_t* tag) {
    int len = 0;
    EVP_DecryptInit_ex(dctx_, nullptr, nullptr, nullptr, iv);
    EVP_DecryptUpdate(dctx_, nullptr, &len, aad, int(kRawAadSize));
    EVP_DecryptUpdate(dctx_, buf, &len, buf, int(n));
    EVP_CIPHER_CTX_ctrl(dctx_, EVP_CTRL_AEAD_SET_TAG, 16, const_cast<std::uint8_t*>(tag));
    return EVP_DecryptFinal_ex(dctx_, buf + n, &len) == 1;
  }

 private:
  EVP_CIPHER_CTX* ctx_;
  EVP_CIPHER_CTX* dctx_ = nullptr;
};

#ifdef AIPSEC_HAVE_IPSECMB
// One AES-GCM seal per call through ipsec-mb's one-shot direct API.
class RawIpsecMbGcm {
 public:
  explicit RawIpsecMbGcm(std::size_t key_size) : mgr_(alloc_mb_mgr(0)), key_size_(key_size) {
    IMB_ARCH arch{};
    init_mb_mgr_auto(mgr_, &arch);
    const std::vector<std::uint8_t> key(key_size, 0x42);
    if (key_size == 16) IMB_AES128_GCM_PRE(mgr_, key.data(), &key_);
    else IMB_AES256_GCM_PRE(mgr_, key.data(), &key_);
  }
  ~RawIpsecMbGcm() { free_mb_mgr(mgr_); }
  RawIpsecMbGcm(const RawIpsecMbGcm&) = delete;
  RawIpsecMbGcm& operator=(const RawIpsecMbGcm&) = delete;
  void seal(const std::uint8_t* iv, const std::uint8_t* aad, std::uint8_t* buf, std::size_t n,
            std::uint8_t* tag) {
    if (key_size_ == 16) IMB_AES128_GCM_ENC(mgr_, &key_, &ctx_, buf, buf, n, iv, aad, kRawAadSize, tag, 16);
    else IMB_AES256_GCM_ENC(mgr_, &key_, &ctx_, buf, buf, n, iv, aad, kRawAadSize, tag, 16);
  }
  // Decrypts in place and checks the tag; false on a mismatch.
  bool open(const std::uint8_t* iv, const std::uint8_t* aad, std::uint8_t* buf, std::size_t n,
            const std::uint8_t* tag) {
    std::uint8_t got[16];
    if (key_size_ == 16) IMB_AES128_GCM_DEC(mgr_, &key_, &ctx_, buf, buf, n, iv, aad, kRawAadSize, got, 16);
    else IMB_AES256_GCM_DEC(mgr_, &key_, &ctx_, buf, buf, n, iv, aad, kRawAadSize, got, 16);
    return CRYPTO_memcmp(got, tag, 16) == 0;
  }

 private:
  IMB_MGR* mgr_;
  std::size_t key_size_;
  alignas(64) gcm_key_data key_{};
  gcm_context_data ctx_{};
};
#endif

// Google Benchmark bodies: state.range(0) is the packet size; key_size 16 or 32.
template <class Raw>
void bm_raw_gcm_seal(benchmark::State& state, std::size_t key_size) {
  Raw raw(key_size);
  std::vector<std::uint8_t> buf(std::size_t(state.range(0)) + 16, 0x11);
  std::uint8_t iv[12] = {}, aad[kRawAadSize] = {}, tag[16];
  for (auto _ : state) {
    raw.seal(iv, aad, buf.data(), std::size_t(state.range(0)), tag);
    benchmark::DoNotOptimize(tag);
    ++iv[11];
  }
  state.SetBytesProcessed(std::int64_t(state.iterations()) * state.range(0));
}
inline void bm_raw_gcm_seal_evp(benchmark::State& s, std::size_t k) { bm_raw_gcm_seal<RawEvpGcm>(s, k); }
#ifdef AIPSEC_HAVE_IPSECMB
inline void bm_raw_gcm_seal_ipsecmb(benchmark::State& s, std::size_t k) { bm_raw_gcm_seal<RawIpsecMbGcm>(s, k); }
#endif

// Bytes/s of repeated seals of n bytes for at least min_seconds.
template <class Raw>
double raw_seal_bytes_per_s(std::size_t key_size, std::size_t n, double min_seconds) {
  Raw raw(key_size);
  std::vector<std::uint8_t> buf(n + 16, 0x11);
  std::uint8_t iv[12] = {}, aad[kRawAadSize] = {}, tag[16];
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::size_t bytes = 0;
  double elapsed = 0;
  do {
    for (int i = 0; i < 256; ++i, bytes += n) raw.seal(iv, aad, buf.data(), n, tag);
    benchmark::DoNotOptimize(tag);
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < min_seconds);
  return double(bytes) / elapsed;
}

struct RawSpeed {
  double bytes_per_s;
  std::string library;
};

// "Raw AEAD speed of the fastest library": AES-GCM-128 seal of n bytes with an
// 8-byte AAD, the best of OpenSSL EVP and intel-ipsec-mb, measured now.
inline RawSpeed raw_gcm128_seal_bytes_per_s(std::size_t n, double min_seconds = 0.2) {
  RawSpeed best{raw_seal_bytes_per_s<RawEvpGcm>(16, n, min_seconds), "openssl"};
#ifdef AIPSEC_HAVE_IPSECMB
  const double mb = raw_seal_bytes_per_s<RawIpsecMbGcm>(16, n, min_seconds);
  if (mb > best.bytes_per_s) best = {mb, "intel-ipsec-mb"};
#endif
  return best;
}

}  // namespace aipsec::bench
