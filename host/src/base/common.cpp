#include "aipsec/common.hpp"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <cstring>

namespace aipsec {

void secure_wipe(void* p, std::size_t n) noexcept { OPENSSL_cleanse(p, n); }

bool SecureBytes::operator==(const SecureBytes& o) const noexcept {
  if (b_.size() != o.b_.size()) return false;
  return b_.empty() || CRYPTO_memcmp(b_.data(), o.b_.data(), b_.size()) == 0;
}

std::string to_hex(ByteView v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(v.size() * 2);
  for (auto c : v) {
    s.push_back(kDigits[c >> 4]);
    s.push_back(kDigits[c & 15]);
  }
  return s;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Bytes from_hex(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.size() % 2 != 0) throw Error("hex string has an odd number of digits");
  Bytes out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0) throw Error("invalid hex digit in '" + std::string(s) + "'");
    out[i] = std::uint8_t(hi << 4 | lo);
  }
  return out;
}

IpAddr IpAddr::v4(std::uint32_t host_order) {
  IpAddr a;
  a.family = 4;
  store_be32(a.b.data(), host_order);
  return a;
}

std::optional<IpAddr> IpAddr::parse(std::string_view s) {
  std::string str(s);
  IpAddr a;
  if (inet_pton(AF_INET, str.c_str(), a.b.data()) == 1) {
    a.family = 4;
    return a;
  }
  if (inet_pton(AF_INET6, str.c_str(), a.b.data()) == 1) {
    a.family = 6;
    return a;
  }
  return std::nullopt;
}

bool IpAddr::is_unspecified() const {
  for (std::size_t i = 0; i < size(); ++i)
    if (b[i]) return false;
  return true;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == 4) return inet_ntop(AF_INET, b.data(), buf, sizeof buf);
  if (family == 6) return inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  return "any";
}

bool IpPrefix::contains(const IpAddr& a) const {
  if (addr.family == 0) return true;
  if (a.family != addr.family) return false;
  std::size_t full = prefix_len / 8, rest = prefix_len % 8;
  if (std::memcmp(a.b.data(), addr.b.data(), full) != 0) return false;
  if (rest == 0) return true;
  std::uint8_t mask = std::uint8_t(0xff << (8 - rest));
  return (a.b[full] & mask) == (addr.b[full] & mask);
}

std::string IpPrefix::to_string() const {
  return addr.to_string() + "/" + std::to_string(prefix_len);
}

}  // namespace aipsec
