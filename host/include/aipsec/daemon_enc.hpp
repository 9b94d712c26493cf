// The enc(4) point of the daemon: packets before outbound protection and after
// inbound decapsulation (and, with the IPSEC_FILTERTUNNEL equivalent, the outer
// packets) are written to a pcap file (LINKTYPE_RAW) and matched against a
// pcap-filter expression compiled by libpcap; a match drops the packet.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "aipsec/common.hpp"

namespace aipsec::daemon {

class EncPoint {
 public:
  // Empty pcap_path: no capture. Empty filter: nothing dropped. Throws Error when
  // the file cannot be created or the expression does not compile (with
  // libpcap's message).
  EncPoint(const std::string& pcap_path, const std::string& filter);
  ~EncPoint();
  EncPoint(const EncPoint&) = delete;
  EncPoint& operator=(const EncPoint&) = delete;

  // Captures the IP datagram and returns false if the filter matches it.
  bool pass(ByteView ip_packet);
  void flush();
  bool active() const { return capturing_ || filtering_; }

  std::uint64_t captured() const { return captured_; }
  std::uint64_t matched() const { return matched_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool capturing_ = false, filtering_ = false;
  std::uint64_t captured_ = 0, matched_ = 0;
};

}  // namespace aipsec::daemon
