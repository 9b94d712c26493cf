// The per-packet path allocates nothing: operator new (the library's own code)
// and OpenSSL's allocator (through CRYPTO_set_mem_functions) are counted while
// packets are protected and opened, after a warm-up packet.
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

// The replaced operator new below is malloc-based, so free() in the replaced
// delete is the matching call; GCC cannot see that across the replacement.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <atomic>
#include <cstdlib>
#include <new>

#include "aipsec/packet.hpp"
#include "aipsec/xform.hpp"
#include "xform_oracle.hpp"
#include "xform_test_sa.hpp"

namespace {
std::atomic<long> g_new{0}, g_ossl{0};

void* counting_malloc(std::size_t n, const char*, int) {
  g_ossl.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n);
}
void* counting_realloc(void* p, std::size_t n, const char*, int) {
  g_ossl.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, n);
}
void plain_free(void* p, const char*, int) { std::free(p); }

// Must run before OpenSSL allocates anything.
const bool g_hooked = CRYPTO_set_mem_functions(counting_malloc, counting_realloc, plain_free) == 1;
}  // namespace

void* operator new(std::size_t n) {
  g_new.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace aipsec;
using oracle::Bytes;

SaConfig ah_sha256(Mode m) {
  SaConfig c;
  c.proto = IpsecProto::kAh;
  c.spi = 0x2002;
  c.mode = m;
  xtest::set_endpoints(c, 4);
  c.auth = AuthAlg::kHmacSha256_128;
  c.auth_key = SecureBytes(Bytes(32, 1));
  c.replay_window = 1024;
  return c;
}

SaConfig ipcomp(Mode m) {
  SaConfig c;
  c.proto = IpsecProto::kIpComp;
  c.spi = 0x300;
  c.mode = m;
  xtest::set_endpoints(c, 4);
  c.comp = CompAlg::kDeflate;
  return c;
}

// Protects and opens n packets in preallocated buffers; returns the allocations seen.
std::pair<long, long> count_allocations(Sa& tx, Sa& rx, Mode m, int n) {
  const Bytes orig = oracle::ipv4(oracle::v4addrs(1, 2), 17, oracle::udp(Bytes(400, 'x')));
  Packet p(ByteView(orig.data(), orig.size()));
  const Sysctl sc;
  InputStep step;
  auto once = [&] {
    p.assign(ByteView(orig.data(), orig.size()));
    EXPECT_EQ(xform_output(tx, m, p, sc), Reason::kNone);
    const auto pr = parse_ip(p.bytes());
    EXPECT_EQ(xform_input(rx, p, *pr.info, sc, step), Reason::kNone);
  };
  once();  // warm-up: per-thread scratch, provider caches
  const long n0 = g_new.load(), o0 = g_ossl.load();
  for (int i = 0; i < n; ++i) once();
  return {g_new.load() - n0, g_ossl.load() - o0};
}

TEST(XformNoAlloc, PerPacketPathDoesNotAllocate) {
  ASSERT_TRUE(g_hooked) << "OpenSSL allocated before the hook could be installed";
  const long before = g_ossl.load();
  EVP_CIPHER_CTX_free(EVP_CIPHER_CTX_new());
  ASSERT_GT(g_ossl.load(), before) << "OpenSSL allocations are not counted";
  std::vector<std::pair<std::string, SaConfig>> sas;
  for (const auto& k : xtest::esp_cases()) {
    if (k.name == "gcm16_128" || k.name == "chacha20poly1305" || k.name == "gmac_128" || k.name == "cbc128_sha1" ||
        k.name == "ctr128_sha1" || k.name == "null_xcbc" || k.name == "cbc256_sha512")
      sas.push_back({k.name, xtest::esp_config(k, Mode::kTunnel, 4, true, 1024)});
  }
  sas.push_back({"ah_sha256", ah_sha256(Mode::kTunnel)});
  sas.push_back({"ipcomp", ipcomp(Mode::kTunnel)});
  for (auto& [name, cfg] : sas) {
    const long n0 = g_new.load();
    Sa tx(cfg), rx(cfg);
    // The counters are live: creating an SA allocates (contexts, window).
    EXPECT_GT(g_new.load(), n0) << name;
    const auto [cxx, ossl] = count_allocations(tx, rx, Mode::kTunnel, 50);
    EXPECT_EQ(cxx, 0) << name << ": operator new on the per-packet path";
    EXPECT_EQ(ossl, 0) << name << ": OpenSSL allocations on the per-packet path";
  }
}

}  // namespace
