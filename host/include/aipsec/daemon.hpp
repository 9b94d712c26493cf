// The gateway daemon (ipsecd): PF_KEY v2 on a Unix SOCK_SEQPACKET socket, a
// line-oriented control socket, and the packet path between a TUN interface
// (protected side) and raw/UDP sockets (unprotected side) through the software
// data plane. docs/ipsecd.md describes the options, protocols and threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aipsec/dataplane.hpp"

namespace aipsec::daemon {

struct Options {
  std::string pfkey_socket;    // --pfkey-socket PATH (SOCK_SEQPACKET)
  std::string control_socket;  // --control-socket PATH (SOCK_STREAM, line protocol)
  std::string tun;             // --tun NAME: create this TUN interface
  std::string outer_address;   // --outer-address ADDR: local end of the tunnels
  std::string backend = "software";
  std::string config;          // --config FILE: setkey file applied at start
  std::string enc_pcap;        // --enc-pcap FILE
  std::string enc_filter;      // --enc-filter EXPR (pcap-filter syntax)
  bool enc_tunnel = false;     // --enc-tunnel: outer packets pass the enc point too
  std::uint16_t natt_port = 4500;           // --natt-port N
  std::size_t held_max_packets = 64;        // --held-max N
  std::uint32_t held_timeout_ms = 3000;     // --held-timeout-ms N
  std::uint32_t lifetime_tick_ms = 200;     // --lifetime-tick-ms N
};

// Parses the command line (argv[0] is the program). Throws Error with a message
// that names the bad option; "--help" throws UsageRequested.
struct UsageRequested {};
Options parse_options(int argc, const char* const* argv);
std::string usage();

// The counters the daemon keeps beside the data plane's.
struct DaemonCounters {
  std::uint64_t tun_rx = 0, tun_tx = 0;        // packets read from / written to the TUN
  std::uint64_t net_rx = 0, net_tx = 0;        // outer packets received / sent
  std::uint64_t send_errors = 0;               // sendto/write failures
  std::uint64_t held = 0, held_sent = 0, held_expired = 0;  // ACQUIRE hold queue
  std::uint64_t held_queue_full = 0;           // not held: queue full (Reason::kHeldQueueFull)
  std::uint64_t acquires_sent = 0;             // SADB_ACQUIRE messages reaching a socket
  std::uint64_t expires_soft = 0, expires_hard = 0;
  std::uint64_t policy_expires = 0;
  std::uint64_t spd_acquires_sent = 0;  // SADB_X_SPDACQUIRE for ipsec policies without requests  // SPD entries removed by their lifetime (SADB_X_SPDEXPIRE)
  std::uint64_t peers_refused = 0;             // PF_KEY or control peers refused by SO_PEERCRED
  std::uint64_t pfkey_dropped = 0;             // broadcasts not queued (a slow reader)
  std::uint64_t enc_outer_filtered = 0;        // outer packets dropped at the enc point
  std::uint64_t bypass_ttl_exceeded = 0;       // bypassed packets whose TTL/hop limit ran out
};

// The packet path the data-plane thread drives. "software" is the DataPlane
// itself; another backend puts a card in front of it (the card's exceptions
// are answered by the same DataPlane). output() takes an IP packet from the
// protected side, input() one from the unprotected side; on kForward, p is the
// packet to send on. A dropped or held packet is left as it was.
class PacketPath {
 public:
  virtual ~PacketPath() = default;
  virtual Result output(Packet& p) = 0;
  virtual Result input(Packet& p) = 0;
  // The backend's own counters, for the control socket's `stats` (as
  // `backend.NAME N`; never reset). Called on the data-plane thread.
  virtual std::vector<std::pair<std::string, std::uint64_t>> counters() const { return {}; }
};
using PacketPathFactory = std::function<std::unique_ptr<PacketPath>(DataPlane&)>;

// Makes a backend selectable with --backend NAME (before parse_options; an
// ipsecd built with the card co-simulation registers "cosim").
void register_backend(const std::string& name, PacketPathFactory make);
// The backends this program can use, "software" first.
std::vector<std::string> backends();
// The path for opts.backend on dp. Throws Error for a name nobody registered.
std::unique_ptr<PacketPath> make_packet_path(const std::string& backend, DataPlane& dp);

// Bounds of the PF_KEY socket server (docs/ipsecd.md, "Delivery").
struct PfkeyServerLimits {
  static constexpr std::size_t kMaxClients = 128;
  static constexpr std::size_t kQueueMessages = 4096;    // per client, broadcasts waiting
  static constexpr std::size_t kQueueBytes = 8 << 20;
  static constexpr int kSendTimeoutMs = 10000;           // a reader that reads nothing
};

class Daemon {
 public:
  // Opens the sockets and the TUN, loads the configuration. Throws Error.
  explicit Daemon(Options opts);
  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  void start();  // the data-plane and control threads
  // Stops the threads, flushes the SAD and SPD (keys wiped), removes the
  // socket files. Idempotent.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace aipsec::daemon
