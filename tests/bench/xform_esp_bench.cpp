// ESP encapsulation and decapsulation per packet (tunnel mode, IPv4 in IPv4),
// through xform_output / xform_input, for GCM-128, GCM-256 and CBC-128 +
// HMAC-SHA256 at 64, 512, 1400 and 9000-byte inner packets.
//
// Each benchmark also measures, in the same run and on the same core, the raw
// speed of the crypto libraries on the same number of bytes (no ESP framing):
//   x_raw      = ESP bytes/s divided by the raw bytes/s of the fastest library
//                (AES-GCM: best of OpenSSL EVP and intel-ipsec-mb; CBC+HMAC:
//                OpenSSL EVP AES-CBC plus SHA-256 over the same bytes),
//   tsc_per_pkt = time-stamp-counter cycles per packet (wall clock: meaningful on an
//                idle core only).
// Ratios use this thread's CPU time on both sides.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <x86intrin.h>

#include <time.h>

#include <cstring>
#include <vector>

#include "aipsec/packet.hpp"
#include "aipsec/xform.hpp"
#include "bench_baseline.hpp"

namespace {

using namespace aipsec;

// CPU time of this thread: the ratios compare CPU time with CPU time, so a busy
// machine slows both sides alike.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Bytes/s of fn(n) repeated for at least min_seconds of CPU time.
template <class Fn>
double bytes_per_cpu_s(std::size_t n, Fn&& fn, double min_seconds = 0.2) {
  const double start = cpu_seconds();
  std::size_t bytes = 0;
  double elapsed = 0;
  do {
    for (int i = 0; i < 64; ++i, bytes += n) fn();
    elapsed = cpu_seconds() - start;
  } while (elapsed < min_seconds);
  return double(bytes) / elapsed;
}

enum class Alg { kGcm128, kGcm256, kCbc128Sha256 };

SaConfig make_sa(Alg alg) {
  SaConfig c;
  c.proto = IpsecProto::kEsp;
  c.spi = 0x1001;
  c.src = *IpAddr::parse("192.0.2.1");
  c.dst = *IpAddr::parse("198.51.100.1");
  c.mode = Mode::kTunnel;
  c.replay_window = 0;  // the same packet is opened over and over
  std::vector<std::uint8_t> k(36, 0x42), a(32, 0x24);
  switch (alg) {
    case Alg::kGcm128:
      c.enc = EncAlg::kAesGcm16;
      c.enc_key = SecureBytes({k.data(), 20});
      break;
    case Alg::kGcm256:
      c.enc = EncAlg::kAesGcm16;
      c.enc_key = SecureBytes({k.data(), 36});
      break;
    case Alg::kCbc128Sha256:
      c.enc = EncAlg::kAesCbc;
      c.enc_key = SecureBytes({k.data(), 16});
      c.auth = AuthAlg::kHmacSha256_128;
      c.auth_key = SecureBytes({a.data(), 32});
      break;
  }
  return c;
}

// An IPv4/UDP datagram of exactly n bytes (n >= 28).
std::vector<std::uint8_t> inner_packet(std::size_t n) {
  std::vector<std::uint8_t> v(n, 0x5a);
  Ipv4HeaderFields f;
  f.src = *IpAddr::parse("10.1.0.1");
  f.dst = *IpAddr::parse("10.2.0.1");
  f.proto = ipproto::kUdp;
  f.total_len = std::uint16_t(n);
  build_ipv4_header(v.data(), f);
  store_be16(&v[20], 1234);
  store_be16(&v[22], 5678);
  store_be16(&v[24], std::uint16_t(n - 20));
  store_be16(&v[26], 0);
  return v;
}

// Raw AES-128-CBC encryption plus SHA-256 over n bytes with EVP, keyed once.
double raw_cbc_sha256_bytes_per_s(std::size_t n) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  EVP_MD_CTX* m = EVP_MD_CTX_new();
  std::uint8_t key[16] = {1}, iv[16] = {2}, md[32];
  EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), nullptr, key, iv);
  EVP_CIPHER_CTX_set_padding(c, 0);
  const std::size_t len = n / 16 * 16 + 16;
  std::vector<std::uint8_t> buf(len, 0x11);
  const double r = bytes_per_cpu_s(n, [&] {
    int out = 0;
    EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv);
    EVP_EncryptUpdate(c, buf.data(), &out, buf.data(), int(len));
    EVP_DigestInit_ex(m, EVP_sha256(), nullptr);
    EVP_DigestUpdate(m, buf.data(), len);
    EVP_DigestFinal_ex(m, md, nullptr);
    benchmark::DoNotOptimize(md);
  });
  EVP_MD_CTX_free(m);
  EVP_CIPHER_CTX_free(c);
  return r;
}

// Raw AES-GCM seal of n bytes with an 8-byte AAD through one library.
template <class Raw>
double raw_gcm_bytes_per_s(std::size_t key_size, std::size_t n) {
  Raw raw(key_size);
  std::vector<std::uint8_t> buf(n + 16, 0x11);
  std::uint8_t iv[12] = {}, aad[bench::kRawAadSize] = {}, tag[16];
  return bytes_per_cpu_s(n, [&] {
    raw.seal(iv, aad, buf.data(), n, tag);
    benchmark::DoNotOptimize(tag);
  });
}

// The fastest library on this core, now.
double raw_bytes_per_s(Alg alg, std::size_t n) {
  if (alg == Alg::kCbc128Sha256) return raw_cbc_sha256_bytes_per_s(n);
  const std::size_t key = alg == Alg::kGcm128 ? 16 : 32;
  double best = raw_gcm_bytes_per_s<bench::RawEvpGcm>(key, n);
#ifdef AIPSEC_HAVE_IPSECMB
  best = std::max(best, raw_gcm_bytes_per_s<bench::RawIpsecMbGcm>(key, n));
#endif
  return best;
}

void report(benchmark::State& state, Alg alg, std::size_t n, double seconds, std::uint64_t tsc) {
  const double pkts = double(state.iterations());
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(n));
  state.counters["tsc_per_pkt"] = double(tsc) / pkts;
  state.counters["x_raw"] = (pkts * double(n) / seconds) / raw_bytes_per_s(alg, n);
}

// Each packet is protected where it lies, as a gateway protects a packet in
// its receive buffer, and the raw baseline encrypts its buffer in place. To
// hand the next iteration a packet again without copying it, the ESP framing
// is cut off (the body, now ciphertext, stays where the inner packet was) and
// only the inner IP and UDP headers are written back: the cipher's work does
// not depend on the bytes, the header fields the data plane reads do.
void BM_EspEncap(benchmark::State& state, Alg alg) {
  const std::size_t n = std::size_t(state.range(0));
  Sa sa(make_sa(alg));
  Sysctl sc;
  const auto plain = inner_packet(n);
  constexpr std::size_t kHeaders = 28;  // inner IPv4 + UDP
  Packet p;
  p.assign(plain);
  const std::uint8_t* const inner_at = p.data();
  const double t0 = cpu_seconds();
  const std::uint64_t c0 = __rdtsc();
  for (auto _ : state) {
    if (xform_output(sa, Mode::kTunnel, p, sc) != Reason::kNone) {
      state.SkipWithError("xform_output failed");
      break;
    }
    benchmark::DoNotOptimize(p.data());
    p.pull_front(std::size_t(inner_at - p.data()));
    p.trim_back(p.size() - n);
    std::memcpy(p.data(), plain.data(), kHeaders);
  }
  const std::uint64_t c1 = __rdtsc();
  if (p.data() != inner_at) state.SkipWithError("the packet moved in its buffer");
  report(state, alg, n, cpu_seconds() - t0, c1 - c0);
}

// Opening decrypts in place, so every packet needs its ciphertext back: a
// ring of packets is refilled with the timers stopped and then opened one
// after the other, and only the opening is timed (the thread's CPU clock read
// once per ring, which the ESP side pays and the raw baseline does not).
void BM_EspDecap(benchmark::State& state, Alg alg) {
  constexpr std::size_t kRing = 256;  // 384 KB at 1400 B: in L2; the clock is read twice per ring
  const std::size_t n = std::size_t(state.range(0));
  Sa out(make_sa(alg)), in(make_sa(alg));
  Sysctl sc;
  std::vector<Packet> ring(kRing);
  ring[0].assign(inner_packet(n));
  if (xform_output(out, Mode::kTunnel, ring[0], sc) != Reason::kNone) {
    state.SkipWithError("xform_output failed");
    return;
  }
  const std::vector<std::uint8_t> prot(ring[0].data(), ring[0].data() + ring[0].size());
  double seconds = 0;
  std::uint64_t tsc = 0;
  while (state.KeepRunningBatch(kRing)) {
    state.PauseTiming();
    for (auto& p : ring) p.assign(prot);
    state.ResumeTiming();
    const double t0 = cpu_seconds();
    const std::uint64_t c0 = __rdtsc();
    for (auto& p : ring) {
      const auto parsed = parse_ip(p.bytes(), false);
      InputStep step;
      if (!parsed.info || xform_input(in, p, *parsed.info, sc, step) != Reason::kNone) {
        state.SkipWithError("xform_input failed");
        break;
      }
      benchmark::DoNotOptimize(p.data());
    }
    tsc += __rdtsc() - c0;
    seconds += cpu_seconds() - t0;
  }
  report(state, alg, n, seconds, tsc);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int n : {64, 512, 1400, 9000}) b->Arg(n);
}

BENCHMARK_CAPTURE(BM_EspEncap, gcm128, Alg::kGcm128)->Apply(sizes);
BENCHMARK_CAPTURE(BM_EspDecap, gcm128, Alg::kGcm128)->Apply(sizes);
BENCHMARK_CAPTURE(BM_EspEncap, gcm256, Alg::kGcm256)->Apply(sizes);
BENCHMARK_CAPTURE(BM_EspDecap, gcm256, Alg::kGcm256)->Apply(sizes);
BENCHMARK_CAPTURE(BM_EspEncap, cbc128_sha256, Alg::kCbc128Sha256)->Apply(sizes);
BENCHMARK_CAPTURE(BM_EspDecap, cbc128_sha256, Alg::kCbc128Sha256)->Apply(sizes);

}  // namespace
