// The host side of the card offload: programs the card from the host's SAD and
// SPD, answers what the card sends to the host (exceptions through the
// software data plane, SA events) and keeps the host's SA state in step with
// what the card did.
//
// Inbound SAs go into the card's SA table by hash (card_hash.hpp), outbound
// ones into any free entry when a flow first needs them. The flow tables are
// caches: a packet with no flow entry reaches the host as flow_miss, the
// software data plane answers it, and when the SPD's answer is one the card
// can give by itself an exact-match flow entry is installed, so later packets
// of the flow stay on the card. Outbound: protect with one card-capable SA,
// bypass, discard. Inbound (packets that arrive without ESP): bypass (the
// inbound policy needs no IPsec) or discard; a flow whose inbound policy
// wants IPsec stays with the host, which drops its clear packets.
// Everything else stays with the software data plane.
//
// Following the host (sync()). The card mirrors the SAD and caches the SPD, so
// sync() acts only when something it mirrors may have changed since it last
// ran; otherwise it returns at once, without a register access:
// - Sad::generation() moved (add, update, remove, flush): entries of SAs the
//   SAD no longer holds, or that were replaced by an update, are cleared; SAs
//   the SAD holds and the card has not seen yet (added after program(), or the
//   new SA of an update) are placed in the inbound table; outbound entries are
//   placed when a flow first needs the SA, whenever it was added.
// - Spd::generation() moved: every flow entry of both tables is removed (they
//   are caches of the SPD's answers and refill on the next flow_miss), and the
//   inbound selectors the card checks are taken again from the SPD (an entry
//   whose selector changed is rewritten, and the card's live state of that SA
//   restarts).
// - An SA of the card may have died without a SAD change (the software data
//   plane's hard lifetime or sequence overflow, a card event, the daemon's
//   lifetime pass): every SA that becomes dead counts in Sa::deaths(), and a
//   sync() that sees the count moved looks at the state of the card's SAs
//   (O(SAs on the card)); otherwise it costs one comparison. The card's
//   events also mark it directly; sa_states_changed() forces the look.
// A dead SA's entry is cleared, except an inbound entry the card disabled
// itself (its lifetime_expired event): that one stays until the SAD drops the
// SA, so the SA's packets are dropped on the card as lifetime_expired rather
// than reaching the host as unknown_spi.
//
// Writing an inbound entry restarts the card's replay window: the card takes
// the entry's seq as its highest accepted number, counts it as received and
// forgets which numbers below it were. So an entry for an SA whose host
// replay state has accepted a packet (top > 0, replay window of W packets) is
// written with seq top + W, not top: every number up to top is then left of
// the card's window (dropped as replay_old, or with ESN read as the next
// 2^32 block and failing the ICV), and nothing the host, or the card before
// the rewrite, accepted is accepted again. This applies when program() or
// sync() places an SA that received packets through the host first and when
// an entry is rewritten for a selector change. The cost is the conservative
// one RFC 4303 3.4.3 allows: the one packet numbered top + W, and packets at
// or below top the host had not seen, are dropped as replays. An SA without
// a window (W = 0) is written with top. Without ESN, an SA whose top + W
// passes 2^32 - 1 is left to the host (sa_seq_end): a write could not hide
// its accepted numbers. The host's own replay state is not raised: it follows
// the packets the card opens (note_card_forward), inferring their high halves
// from the window as the card has it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "aipsec/card_discovery.hpp"
#include "aipsec/card_regs.hpp"
#include "aipsec/dataplane.hpp"

namespace aipsec::card {

struct OffloadStats {
  std::uint64_t sa_inbound = 0;         // SAs placed in the card's inbound table
  std::uint64_t sa_outbound = 0;        // SAs placed for outbound flows
  std::uint64_t sa_not_capable = 0;     // SAs the card cannot do (software only)
  std::uint64_t sa_no_room = 0;         // no free entry for a capable SA (software meanwhile): once per SA and direction
  std::uint64_t sa_placed_late = 0;     // SAs placed after waiting: inbound at a sync() after an entry was freed, outbound at a flow's next miss
  std::uint64_t sa_seq_end = 0;         // inbound SAs left to the host: top + window passes 2^32 - 1 (no ESN)
  std::uint64_t flows_installed = 0;     // both tables
  std::uint64_t flows_inbound = 0;       // of them in the inbound table
  std::uint64_t flows_removed = 0;       // outbound entries removed with the SA they protected with
  std::uint64_t flows_flushed = 0;       // entries of either table removed because the SPD or a sysctl changed
  std::uint64_t sysctl_changes = 0;      // sysctl changes sync() followed (settings rewritten, flows flushed)
  std::uint64_t sa_cleared = 0;          // SA entries cleared: SA deleted from the SAD, replaced, or dead
  std::uint64_t flows_no_room = 0;      // flow bucket full: the flow stays in software
  std::uint64_t flows_not_cacheable = 0;  // the SPD's answer is not one the card can give
  std::uint64_t card_forwarded = 0;     // packets the card processed and sent on itself
  std::uint64_t host_answered = 0;      // exceptions the software data plane answered
  std::uint64_t events = 0;             // SA events (lifetime, sequence overflow)
  std::uint64_t cleartext_checked = 0;  // inbound packets without ESP the card sent to the host for its inbound policy
  std::array<std::uint64_t, kCardReasonCount> exceptions{};  // frames to the host, by card reason
};

// Whether a frame to the host is an SA event rather than a packet: bit 6 of
// packet_meta (hw/spec/metadata.yaml), read from the packed word.
inline bool is_sa_event(const PacketMeta& meta) { return ((meta.pack()[0] >> 6) & 1u) != 0; }

// The card's own counters of one SA entry.
struct CardSaCounters {
  std::uint32_t index = 0, spi = 0;
  bool inbound = false;
  std::uint64_t packets = 0, bytes = 0;
};

class CardOffload {
 public:
  // dp is the software data plane whose SAD and SPD the card mirrors.
  CardOffload(RegisterTransport& bus, DataPlane& dp);
  ~CardOffload();
  CardOffload(const CardOffload&) = delete;
  CardOffload& operator=(const CardOffload&) = delete;

  // Discovers the card, writes the settings (dfbit, ecn from the data plane's
  // sysctls), places every card-capable SA of the SAD in the inbound table and
  // enables the data path (unless the card cannot follow the sysctls: esp_enable
  // 0, or net.inet and net.inet6 ecn apart; then every packet is the host's). Throws Error / BusError; Error for a card whose
  // flow_window block predates flow entries with the inbound bit (1.0).
  void program();

  const CardInfo& card() const;
  const OffloadStats& stats() const;

  // Follows the SAD and the SPD (see the top of this file): the card entry of
  // an SA the SAD no longer holds (deleted, flushed, replaced by an update) or
  // that is dead is written invalid with its key words zero, and the outbound
  // flow entries protecting with it are removed; SAs new to the SAD are placed
  // (found through the SAD's change log, Sad::changed_since, so the work
  // follows the changes rather than the SAD's size; a walk of the whole SAD
  // only when more than Sad::kChangeLog changes came between two calls);
  // an SPD change removes every flow entry; so does a sysctl change, which
  // also rewrites the settings and turns the data path off or on as
  // program() would. Does nothing (no register access) when none of them
  // changed and no SA can have died since the last call.
  // answer() calls it first, note_card_forward() last; a host loop calls it
  // before handing the card new traffic.
  void sync();

  // An SA may have died by other means than the SAD, the software data plane
  // run by answer() or a card event: the next sync() checks the card's SAs.
  void sa_states_changed();

  // A frame the card sent to the host (m_host). An exception is run through
  // the software data plane (its direction from meta): the result is returned
  // and, when kForward, out holds the IP packet to send. An SA event updates
  // the SA's state and gives nullopt.
  std::optional<Result> answer(const PacketMeta& meta, ByteView frame, Packet& out);

  // The card protected (outbound) or opened (inbound) in_frame itself and sent
  // out_frame: the host's SA state follows (sequence number, replay window,
  // outer IPv4 identification, lifetime counts). False when no SA of the card
  // was involved (a bypass flow entry in either direction). The frame is
  // matched against the entries the card had when it handled it; sync() runs
  // after.
  bool note_card_forward(Direction dir, ByteView in_frame, ByteView out_frame);

  // The card's drop counters through the registers, indexed by card reason code.
  std::vector<std::uint64_t> read_drop_counters();
  // The packet and byte counters of every SA entry in use, through the registers.
  std::vector<CardSaCounters> read_sa_counters();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aipsec::card
