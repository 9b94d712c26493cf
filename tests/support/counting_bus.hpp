// A register bus that counts the accesses passed on to another one: tests of
// the card driver check that a call made no register traffic.
#pragma once

#include <cstdint>

#include "aipsec/card_transport.hpp"

namespace aipsec::testsupport {

class CountingBus : public card::RegisterTransport {
 public:
  explicit CountingBus(card::RegisterTransport& bus) : bus_(bus) {}
  std::uint32_t read32(std::uint32_t a) override {
    ++accesses;
    return bus_.read32(a);
  }
  void write32(std::uint32_t a, std::uint32_t v) override {
    ++accesses;
    bus_.write32(a, v);
  }
  std::uint64_t accesses = 0;

 private:
  card::RegisterTransport& bus_;
};

}  // namespace aipsec::testsupport
