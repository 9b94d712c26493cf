// The driver's only way to the card: 32-bit register reads and writes on the
// AXI4-Lite control aperture. Implemented over XRT on a board, over the
// Verilator model in co-simulation, and by CardRegisterModel in unit tests.
#pragma once

#include <cstdint>
#include <string>

#include "aipsec/common.hpp"

namespace aipsec::card {

// The card answered SLVERR (unmapped or read-only address, index out of range,
// window busy), or the transport could not reach it.
class BusError : public Error {
 public:
  using Error::Error;
};

class RegisterTransport {
 public:
  virtual ~RegisterTransport() = default;
  // Both throw BusError when the card answers with an error.
  virtual std::uint32_t read32(std::uint32_t address) = 0;
  virtual void write32(std::uint32_t address, std::uint32_t value) = 0;
};

}  // namespace aipsec::card
