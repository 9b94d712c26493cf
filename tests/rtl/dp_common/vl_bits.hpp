// Bit and byte access to Verilated signals of any width (CData..QData or
// VlWide), so a bench is written once for every DATA_W.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "verilated.h"

namespace vlbits {

template <typename T>
struct is_wide : std::false_type {};
template <std::size_t N>
struct is_wide<VlWide<N>> : std::true_type {};

template <typename T>
bool get_bit(const T& sig, std::size_t i) {
  if constexpr (is_wide<T>::value) {
    return (sig[i / 32] >> (i % 32)) & 1u;
  } else {
    return (static_cast<std::uint64_t>(sig) >> i) & 1u;
  }
}

template <typename T>
void set_bit(T& sig, std::size_t i, bool v) {
  if constexpr (is_wide<T>::value) {
    const std::uint32_t m = 1u << (i % 32);
    sig[i / 32] = v ? (sig[i / 32] | m) : (sig[i / 32] & ~m);
  } else {
    const T m = static_cast<T>(T{1} << i);
    sig = v ? static_cast<T>(sig | m) : static_cast<T>(sig & ~m);
  }
}

// Field of up to 64 bits at bit lsb.
template <typename T>
std::uint64_t get_bits(const T& sig, std::size_t lsb, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(get_bit(sig, lsb + i)) << i;
  return v;
}

template <typename T>
void set_bits(T& sig, std::size_t lsb, std::size_t n, std::uint64_t v) {
  for (std::size_t i = 0; i < n; ++i) set_bit(sig, lsb + i, (v >> i) & 1u);
}

template <typename T>
std::uint8_t get_byte(const T& sig, std::size_t i) {
  return static_cast<std::uint8_t>(get_bits(sig, 8 * i, 8));
}

template <typename T>
void set_byte(T& sig, std::size_t i, std::uint8_t v) {
  set_bits(sig, 8 * i, 8, v);
}

}  // namespace vlbits

// Failure counting shared by the benches: a bench returns non-zero if any check failed.
inline int g_failures = 0;

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    if (!(cond)) {                                                         \
      if (++g_failures <= 20) {                                            \
        std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
        std::fprintf(stderr, __VA_ARGS__);                                 \
        std::fprintf(stderr, "\n");                                        \
      }                                                                    \
    }                                                                      \
  } while (0)
