// ipsecd's "cosim" backend: the data-plane thread's packets go through the
// co-simulated card (CosimDataPath), the card's exceptions are answered by the
// daemon's DataPlane, and the card follows the daemon's SAD and SPD (each frame
// syncs it first). docs/ipsecd.md, "Backends".
#pragma once

#include <memory>

#include "aipsec/cosim_datapath.hpp"
#include "aipsec/daemon.hpp"

namespace aipsec::cosim {

// IP packets in and out: each is carried to the card in an Ethernet frame
// (zero MAC addresses, the EtherType of its IP version) and taken back out of
// the frame the card sends.
class CosimPacketPath final : public daemon::PacketPath {
 public:
  explicit CosimPacketPath(DataPlane& dp);
  Result output(Packet& p) override;
  Result input(Packet& p) override;
  // The offload's counters (card_forwarded, host_answered, SAs and flows on the
  // card), the frames the card dropped itself and the clock cycles run.
  std::vector<std::pair<std::string, std::uint64_t>> counters() const override;
  CosimDataPath& datapath() { return path_; }

 private:
  Result run(Direction dir, Packet& p);
  DataPlane& dp_;
  CosimDataPath path_;
  Bytes frame_;
  // Frames the card sent on that could not be handed back as a packet (too
  // short for an IP header, or larger than a packet buffer): dropped, counted.
  std::uint64_t bad_card_frames_ = 0;
};

// Registers "cosim" with daemon::register_backend.
void register_daemon_backend();

}  // namespace aipsec::cosim
