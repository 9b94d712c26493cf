// The card in co-simulation: the Verilated model of aipsec_card (hw/rtl/dp/)
// driven cycle by cycle. It is the driver's RegisterTransport (over the
// AXI4-Lite port) and moves whole frames in and out of the packet ports.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "aipsec/card_regs.hpp"
#include "aipsec/card_transport.hpp"
#include "aipsec/common.hpp"

namespace aipsec::cosim {

// The card's packet ports. In: plain (s_plain, to the outbound path),
// protected (s_prot, to the inbound path), host (s_host, to the path named by
// tuser.direction). Out: protected (m_prot, outbound results), plain (m_plain,
// inbound results), host (m_host, exceptions and events).
enum class Port : std::uint8_t { kPlain = 0, kProtected = 1, kHost = 2 };
inline constexpr std::size_t kPortCount = 3;

struct Frame {
  Bytes data;               // Ethernet frame without FCS
  card::PacketMeta meta;    // tuser of the first beat
};

struct CosimOptions {
  // Percent of cycles in which an output port is ready / an input port offers
  // its next beat; below 100 gives random back-pressure and gaps.
  unsigned out_ready_percent = 100;
  unsigned in_valid_percent = 100;
  std::uint32_t seed = 1;
};

class CosimCard : public card::RegisterTransport {
 public:
  // Built-in model parameters.
  virtual unsigned data_width() const = 0;
  virtual unsigned sa_count() const = 0;
  virtual unsigned flow_count() const = 0;

  // Queues a frame for an input port; its beats enter as the port takes them
  // while clocks run. Throws Error on an empty frame.
  virtual void push(Port in, ByteView frame, const card::PacketMeta& meta) = 0;
  // Runs clock cycles.
  virtual void run(std::uint64_t cycles) = 0;
  // True when every queued input beat has been taken by the card.
  virtual bool inputs_drained() const = 0;
  // The next whole frame that left an output port, if any.
  virtual std::optional<Frame> pop(Port out) = 0;
  // Reason codes of the drop/exception pulses the card counted since the last
  // call (the merged m_drop events that feed the drop counters), in order.
  virtual std::vector<std::uint8_t> take_drop_events() = 0;
  // Clock cycles since reset.
  virtual std::uint64_t cycles() const = 0;
};

// A card in reset state (reset applied and the counter RAMs cleared). The data
// width is the one this library was built for.
std::unique_ptr<CosimCard> make_cosim_card(const CosimOptions& options = {});

}  // namespace aipsec::cosim
