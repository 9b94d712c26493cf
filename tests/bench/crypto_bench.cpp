// Seal throughput of aipsec::crypto at ESP packet sizes, next to the raw library
// speed (bench_baseline.hpp) measured in the same run, so figures can be quoted
// as ratios. Run: crypto_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <vector>

#include "aipsec/crypto.hpp"
#include "bench_baseline.hpp"

namespace {

using namespace aipsec::crypto;

void bm_seal(benchmark::State& state, AeadKind kind, std::size_t key_size, Provider p) {
  const std::vector<std::uint8_t> key(key_size, 0x42);
  auto aead = Aead::create(kind, key, p);
  if (aead->provider() != p) {
    state.SkipWithError("provider not available for this kind");
    return;
  }
  const std::size_t n = std::size_t(state.range(0));
  std::vector<std::uint8_t> buf(n, 0x11), nonce(12, 0), aad(aipsec::bench::kRawAadSize, 0), tag(16);
  for (auto _ : state) {
    aead->seal(nonce, aad, buf, buf.data(), tag);
    benchmark::DoNotOptimize(tag.data());
    ++nonce[11];
  }
  state.SetBytesProcessed(std::int64_t(state.iterations()) * state.range(0));
}

// ESP with AES-128-CBC and HMAC-SHA256-128: encrypt, then MAC the ciphertext.
// CBC needs whole blocks, so the size is rounded up to a multiple of 16.
void bm_cbc_hmac_sha256(benchmark::State& state) {
  auto cbc = Cipher::create(CipherKind::AesCbc, std::vector<std::uint8_t>(16, 0x42));
  auto mac = Mac::create(MacKind::HmacSha256, std::vector<std::uint8_t>(32, 0x24));
  const std::size_t n = (std::size_t(state.range(0)) + 15) / 16 * 16;
  std::vector<std::uint8_t> buf(n, 0x11), iv(16, 0), icv(16);
  for (auto _ : state) {
    cbc->encrypt(iv, buf, buf.data());
    mac->begin();
    mac->update(buf);
    mac->finish(icv);
    benchmark::DoNotOptimize(icv.data());
    ++iv[15];
  }
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(n));
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int n : {64, 512, 1400, 9000}) b->Arg(n);
}

}  // namespace

using aipsec::bench::bm_raw_gcm_seal_evp;
BENCHMARK_CAPTURE(bm_raw_gcm_seal_evp, raw_gcm128_evp, 16)->Apply(sizes);
BENCHMARK_CAPTURE(bm_raw_gcm_seal_evp, raw_gcm256_evp, 32)->Apply(sizes);
#ifdef AIPSEC_HAVE_IPSECMB
using aipsec::bench::bm_raw_gcm_seal_ipsecmb;
BENCHMARK_CAPTURE(bm_raw_gcm_seal_ipsecmb, raw_gcm128_ipsecmb, 16)->Apply(sizes);
BENCHMARK_CAPTURE(bm_raw_gcm_seal_ipsecmb, raw_gcm256_ipsecmb, 32)->Apply(sizes);
#endif
BENCHMARK_CAPTURE(bm_seal, gcm128_openssl, AeadKind::AesGcm, 16, Provider::OpenSsl)->Apply(sizes);
BENCHMARK_CAPTURE(bm_seal, gcm256_openssl, AeadKind::AesGcm, 32, Provider::OpenSsl)->Apply(sizes);
#ifdef AIPSEC_HAVE_IPSECMB
BENCHMARK_CAPTURE(bm_seal, gcm128_ipsecmb, AeadKind::AesGcm, 16, Provider::IpsecMb)->Apply(sizes);
BENCHMARK_CAPTURE(bm_seal, gcm256_ipsecmb, AeadKind::AesGcm, 32, Provider::IpsecMb)->Apply(sizes);
#endif
BENCHMARK_CAPTURE(bm_seal, chacha20poly1305_openssl, AeadKind::ChaCha20Poly1305, 32, Provider::OpenSsl)
    ->Apply(sizes);
#ifdef AIPSEC_HAVE_IPSECMB
BENCHMARK_CAPTURE(bm_seal, chacha20poly1305_ipsecmb, AeadKind::ChaCha20Poly1305, 32, Provider::IpsecMb)
    ->Apply(sizes);
#endif
BENCHMARK(bm_cbc_hmac_sha256)->Apply(sizes);
