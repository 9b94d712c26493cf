// Common vocabulary of the host runtime: byte buffers, wiped key storage,
// IP addresses and prefixes, and the error type of the public API.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aipsec {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutByteView = std::span<std::uint8_t>;

// Raised for invalid configuration and API misuse (never on the per-packet path,
// where failures are counted drops with a reason).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Overwrites memory in a way the compiler cannot elide (OPENSSL_cleanse).
void secure_wipe(void* p, std::size_t n) noexcept;

// Key material: heap storage that is wiped when released or reassigned.
// Never printed: there is deliberately no operator<< and no to_string.
class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(ByteView v) : b_(v.begin(), v.end()) {}
  SecureBytes(const SecureBytes& o) : b_(o.b_) {}
  SecureBytes(SecureBytes&& o) noexcept : b_(std::move(o.b_)) {}
  SecureBytes& operator=(const SecureBytes& o) {
    if (this != &o) { clear(); b_ = o.b_; }
    return *this;
  }
  SecureBytes& operator=(SecureBytes&& o) noexcept {
    if (this != &o) { clear(); b_ = std::move(o.b_); }
    return *this;
  }
  ~SecureBytes() { clear(); }
  void clear() noexcept {
    if (!b_.empty()) secure_wipe(b_.data(), b_.size());
    b_.clear();
    b_.shrink_to_fit();
  }
  std::size_t size() const noexcept { return b_.size(); }
  bool empty() const noexcept { return b_.empty(); }
  const std::uint8_t* data() const noexcept { return b_.data(); }
  ByteView view() const noexcept { return {b_.data(), b_.size()}; }
  bool operator==(const SecureBytes& o) const noexcept;  // constant time in the length

 private:
  std::vector<std::uint8_t> b_;
};

// Hex helpers (tests, config). from_hex accepts an optional 0x prefix; throws Error.
std::string to_hex(ByteView v);
Bytes from_hex(std::string_view s);

// An IPv4 or IPv6 address. family is 4 or 6 (0 = unspecified / any).
struct IpAddr {
  std::uint8_t family = 0;
  std::array<std::uint8_t, 16> b{};  // IPv4 uses b[0..3]

  static IpAddr v4(std::uint32_t host_order);
  static IpAddr from_bytes(int family, const std::uint8_t* p);
  static std::optional<IpAddr> parse(std::string_view s);  // "192.0.2.1", "2001:db8::1"
  std::size_t size() const { return family == 4 ? 4 : family == 6 ? 16 : 0; }
  bool is_unspecified() const;
  std::string to_string() const;
  auto operator<=>(const IpAddr&) const = default;
};

// In line: the data plane builds addresses from packet bytes per packet.
inline IpAddr IpAddr::from_bytes(int family, const std::uint8_t* p) {
  IpAddr a;
  a.family = std::uint8_t(family);
  std::memcpy(a.b.data(), p, family == 4 ? 4 : 16);
  return a;
}

// An address prefix; prefix_len is in bits (0 = any address of the family).
struct IpPrefix {
  IpAddr addr;
  std::uint8_t prefix_len = 0;
  bool contains(const IpAddr& a) const;
  std::string to_string() const;
  auto operator<=>(const IpPrefix&) const = default;
};

// Read/write big-endian integers: one unaligned access and a byte swap (on a
// little-endian host), which the compiler does not always form from byte-wise
// code once the bytes may alias other data.
namespace detail {
template <typename T>
inline T to_be(T v) {
  if constexpr (std::endian::native == std::endian::big) return v;
  else if constexpr (sizeof(T) == 2) return T(__builtin_bswap16(v));
  else if constexpr (sizeof(T) == 4) return T(__builtin_bswap32(v));
  else return T(__builtin_bswap64(v));
}
}  // namespace detail
inline std::uint16_t load_be16(const std::uint8_t* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return detail::to_be(v);
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return detail::to_be(v);
}
inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  v = detail::to_be(v);
  std::memcpy(p, &v, 2);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  v = detail::to_be(v);
  std::memcpy(p, &v, 4);
}
inline void store_be64(std::uint8_t* p, std::uint64_t v) {
  v = detail::to_be(v);
  std::memcpy(p, &v, 8);
}

}  // namespace aipsec
