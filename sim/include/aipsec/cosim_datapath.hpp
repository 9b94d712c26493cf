// The card in co-simulation with the host behind it: frames go through the
// Verilated card one at a time; what the card sends to the host (exceptions,
// SA events) is answered by the software data plane through CardOffload, as
// the host runtime does with a board.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "aipsec/card_offload.hpp"
#include "aipsec/cosim_card.hpp"
#include "aipsec/dataplane.hpp"

namespace aipsec::cosim {

struct Outcome {
  Verdict verdict = Verdict::kForward;
  Reason reason = Reason::kNone;
  bool by_card = false;     // the card forwarded or dropped the frame itself
  std::uint8_t card_reason = 0;  // the card's reason code (exception or drop), 0 if none
  Bytes frame;              // by_card and kForward: the frame the card sent out
  Packet packet;            // !by_card and kForward: the IP packet the host sent out
};

class CosimDataPath {
 public:
  // dp's SAD and SPD are what the card is programmed from (program()).
  explicit CosimDataPath(DataPlane& dp, const CosimOptions& options = {});
  ~CosimDataPath();

  void program();

  // One Ethernet frame, outbound (into the plain port) or inbound (into the
  // protected port), until the card has answered it and the host has answered
  // what the card sent it. Throws Error if the card never answers.
  Outcome process(Direction dir, ByteView frame);

  CosimCard& card() { return *card_; }
  const CosimCard& card() const { return *card_; }
  card::CardOffload& offload() { return *offload_; }
  const card::CardOffload& offload() const { return *offload_; }
  // Frames the card dropped itself, by card reason code (from its drop events).
  const std::array<std::uint64_t, 256>& card_drops() const { return card_drops_; }

 private:
  std::unique_ptr<CosimCard> card_;
  std::unique_ptr<card::CardOffload> offload_;
  std::array<std::uint64_t, 256> card_drops_{};
};

}  // namespace aipsec::cosim
