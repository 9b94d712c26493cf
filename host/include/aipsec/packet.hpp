// Packet buffers and IPv4/IPv6 header parsing.
//
// A Packet owns one contiguous buffer with headroom and tailroom, so that
// encapsulation prepends and appends in place (as mbufs and skbs do): no heap
// allocation per packet once the buffer exists. data() is the first byte of the
// L3 (IP) header unless the caller says otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "aipsec/common.hpp"
#include "aipsec/reason.hpp"

namespace aipsec {

class Packet {
 public:
  static constexpr std::size_t kDefaultHeadroom = 256;
  static constexpr std::size_t kDefaultCapacity = 65535 + 1024;

  explicit Packet(std::size_t capacity = kDefaultCapacity, std::size_t headroom = kDefaultHeadroom);
  Packet(ByteView contents, std::size_t headroom = kDefaultHeadroom);

  std::uint8_t* data() { return buf_.data() + head_; }
  const std::uint8_t* data() const { return buf_.data() + head_; }
  std::size_t size() const { return len_; }
  MutByteView bytes() { return {data(), len_}; }
  ByteView bytes() const { return {data(), len_}; }
  std::size_t headroom() const { return head_; }
  std::size_t tailroom() const { return buf_.size() - head_ - len_; }

  // Grow at the front / back; nullptr (nothing changed) if there is no room.
  // Inline: every transform calls them per packet.
  std::uint8_t* push_front(std::size_t n) {
    if (n > head_) return nullptr;
    head_ -= n;
    len_ += n;
    return data();
  }
  std::uint8_t* push_back(std::size_t n) {
    if (n > tailroom()) return nullptr;
    std::uint8_t* p = data() + len_;
    len_ += n;
    return p;
  }
  // Shrink at the front / back; false (nothing changed) if n > size().
  bool pull_front(std::size_t n) {
    if (n > len_) return false;
    head_ += n;
    len_ -= n;
    return true;
  }
  bool trim_back(std::size_t n) {
    if (n > len_) return false;
    len_ -= n;
    return true;
  }
  // Insert n bytes at offset off (moving the bytes before off towards the head);
  // used to insert an ESP/AH header after the IP header in transport mode.
  std::uint8_t* insert(std::size_t off, std::size_t n);
  // Remove n bytes at offset off (moving the bytes before off towards the tail).
  bool erase(std::size_t off, std::size_t n);
  // Replace the contents; false if it does not fit.
  bool assign(ByteView contents, std::size_t headroom = kDefaultHeadroom);

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t head_ = 0;
  std::size_t len_ = 0;
};

// IP protocol numbers used across the runtime.
namespace ipproto {
inline constexpr std::uint8_t kHopOpts = 0, kIcmp = 1, kIpIp = 4, kTcp = 6, kUdp = 17, kIpv6 = 41,
                              kRouting = 43, kFragment = 44, kEsp = 50, kAh = 51, kIcmpv6 = 58,
                              kNoNext = 59, kDstOpts = 60, kIpComp = 108, kAny = 255;
}

// What the parser learned about an IP packet (IPv4 with options, IPv6 with its
// extension-header chain).
struct IpInfo {
  std::uint8_t version = 0;     // 4 or 6
  IpAddr src, dst;
  std::uint16_t total_len = 0;  // bytes of the datagram according to its header
  std::uint8_t ttl = 0;         // TTL / hop limit
  std::uint8_t tos = 0;         // IPv4 TOS / IPv6 traffic class (DSCP | ECN)
  bool df = false;              // IPv4 DF
  bool is_fragment = false;     // IPv4 MF or offset != 0; IPv6 fragment header present
  std::size_t ip_hdr_len = 0;   // IPv4 IHL*4 or 40 for IPv6
  // Offset (from the start of the IP header) where an IPsec header goes in transport
  // mode (RFC 4303 3.1.1, RFC 4302 3.1.1): after IPv4 options; for IPv6 right after
  // the last hop-by-hop, routing or fragment header, so destination options before
  // one of those stay in front, and a final destination options header (after all
  // of them) goes behind ESP/AH, where it is protected (the RFC allows either).
  std::size_t transport_insert_off = 0;
  // Offset of the byte holding the next-header value that points at transport_insert_off.
  std::size_t next_header_field_off = 0;
  std::uint8_t next_header_at_insert = 0;  // the protocol found at transport_insert_off
  // The upper-layer protocol after all IPv6 extension headers, and where it starts.
  // ESP, AH and IPComp count as upper layer here (the parser does not look inside).
  // For a non-first fragment this is the fragment's protocol and no ports are read.
  std::uint8_t ulproto = 0;
  std::size_t l4_off = 0;
  // Ports (TCP/UDP/SCTP) or ICMP/ICMPv6 type and code, when present in the packet.
  std::optional<std::uint16_t> sport, dport;
  std::optional<std::uint8_t> icmp_type, icmp_code;
};

// Parses the IP header(s) at the start of v; bytes after the datagram's length
// (link-layer padding) are ignored. On failure returns the drop reason:
// kTruncated (fewer bytes than the headers say), kMalformedIp (IHL < 5, total
// length below the header, bad IPv4 option lengths), kBadIpVersion,
// kBadIpChecksum, kExtHdrLimit (more than kMaxIpv6ExtHeaders extension headers, or
// hop-by-hop not first), kUnsupported (IPv6 jumbogram), kTooBig (IPv6 datagram
// longer than 65535 bytes, which total_len cannot hold).
struct ParseResult {
  std::optional<IpInfo> info;
  Reason error = Reason::kNone;
};
ParseResult parse_ip(ByteView v, bool verify_ipv4_checksum = true);

// Internet checksum (RFC 1071) helpers.
std::uint16_t inet_checksum(ByteView v, std::uint32_t initial = 0);
void ipv4_update_checksum(std::uint8_t* ip_hdr);  // recompute the IPv4 header checksum
// Recompute the TCP/UDP/ICMPv6 checksum of a packet whose addresses changed (NAT-T
// transport mode, RFC 3948 3.1.2) or whose payload was built by us; ICMPv4 too
// (no pseudo-header). False, with nothing changed, for other protocols, fragments,
// packets that do not parse, and IPv6 packets whose routing header still has
// segments left (the pseudo-header would need the final destination).
bool l4_update_checksum(MutByteView ip_packet);

// Ethernet framing (with up to two VLAN tags) for captures.
struct EthInfo {
  std::size_t l3_off = 0;     // where the IP header starts
  std::uint16_t ethertype = 0;  // 0x0800 or 0x86dd (innermost)
  std::size_t ethertype_off = 0;  // offset of the innermost EtherType field
};
std::optional<EthInfo> parse_ethernet(ByteView frame);

// Bounds and sizes used by the parser and the tunnel framing.
inline constexpr std::size_t kIpv4HeaderLen = 20;  // without options
inline constexpr std::size_t kIpv6HeaderLen = 40;
// At most this many IPv6 extension headers (hop-by-hop, routing, fragment,
// destination options) are walked before the upper layer; a longer chain is
// Reason::kExtHdrLimit. RFC 8200 4.1 allows at most 6 in a well-formed packet
// (destination options twice), so 8 leaves room without letting a crafted chain
// of tiny headers cost unbounded work.
inline constexpr std::size_t kMaxIpv6ExtHeaders = 8;

// Tunnel framing: fresh outer headers written in place at p (no options, no
// extension headers). Addresses must be of the matching family.
struct Ipv4HeaderFields {
  IpAddr src, dst;
  std::uint8_t proto = 0;
  std::uint8_t tos = 0;
  std::uint8_t ttl = 64;
  std::uint16_t id = 0;
  bool df = false;
  std::uint16_t total_len = 0;  // whole datagram, header included
};
// Writes kIpv4HeaderLen bytes, checksum included.
void build_ipv4_header(std::uint8_t* p, const Ipv4HeaderFields& f);

struct Ipv6HeaderFields {
  IpAddr src, dst;
  std::uint8_t next_header = 0;
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;  // low 20 bits used
  std::uint8_t hop_limit = 64;
  std::uint16_t payload_len = 0;  // bytes after the fixed 40-byte header
};
// Writes kIpv6HeaderLen bytes.
void build_ipv6_header(std::uint8_t* p, const Ipv6HeaderFields& f);

// Length fields after a change of size: the IPv4 total length (and the header
// checksum) or the IPv6 payload length.
void ipv4_set_total_length(std::uint8_t* ip_hdr, std::uint16_t total_len);
void ipv6_set_payload_length(std::uint8_t* ip_hdr, std::uint16_t payload_len);
// Sets the length field of the IP packet that fills ip_packet exactly (by its
// version nibble); false if the version is unknown or the size does not fit.
bool ip_set_length_from_size(MutByteView ip_packet);

}  // namespace aipsec
