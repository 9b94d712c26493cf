// Transforms: ESP (RFC 4303), AH (RFC 4302) and IPComp (RFC 3173) applied to one
// packet with one SA, in transport or tunnel mode, plus NAT-T UDP encapsulation
// (RFC 3948). The policy engine (dataplane.hpp) chains them into bundles.
#pragma once

#include <cstdint>

#include "aipsec/packet.hpp"
#include "aipsec/reason.hpp"
#include "aipsec/sa.hpp"
#include "aipsec/sysctl.hpp"

namespace aipsec {

// Outbound: p holds an IP datagram (data() = IP header). On success p holds the
// protected datagram: in tunnel mode a new outer header (sa src -> dst, family of
// the SA addresses) around the whole packet; in transport mode the header inserted
// after the IP header (and its options / the extension headers that precede it).
// mode is the effective mode (the request's, or the SA's when it is not kAny).
// Counts bytes/packets on the SA; returns Reason::kNone or why it was dropped
// (kSeqOverflow, kLifetimeExpired, kNoRoom, kTooBig, ...).
Reason xform_output(Sa& sa, Mode mode, Packet& p, const Sysctl& sc);

// What an inbound transform did, for the decapsulation history.
struct InputStep {
  IpsecProto proto{};
  Mode mode = Mode::kTransport;  // kTunnel if an inner IP datagram was decapsulated
  std::uint32_t spi = 0;
  IpAddr src, dst;               // outer addresses of the packet as received
};

// Inbound: p holds an IP datagram whose upper protocol (after its extension
// headers) is the SA's protocol at info.l4_off, as parse_ip() found it (for NAT-T
// the caller has already removed the UDP header and fixed the IP header).
// Verifies and removes the transform: replay pre-check, ICV, decrypt, window update
// after the ICV verifies; tunnel mode leaves the inner datagram in p; transport
// mode leaves the IP header with its next-header restored and lengths fixed.
// Returns Reason::kNone or the drop reason (kReplay, kReplayOld, kIcvFail,
// kBadPadding, kDummyPacket, kDecompressFail, ...).
Reason xform_input(Sa& sa, Packet& p, const IpInfo& info, const Sysctl& sc, InputStep& step);

// The same for a datagram not parsed yet, when the SA is known without a parse
// (the card's SA index on an exception, a cached lookup): the same answers as
// parse_ip(p.bytes()) (IPv4 header checksum verified), its error if it fails,
// then xform_input. The common shape of tunnel-mode ESP with an AEAD (an outer
// IPv4 header without options or IPv6 without extension headers) is read in
// line, without building an IpInfo.
Reason xform_input(Sa& sa, Packet& p, const Sysctl& sc, InputStep& step);

// That common shape: the IP version (4 or 6) of a datagram whose header is
// followed right away by ESP, an IPv4 header without options that is not a
// fragment or an IPv6 header without extension headers; 0 for any other.
// Only those bytes are looked at: lengths and the checksum are the reader's.
inline int esp_plain_outer(ByteView v) {
  if (v.size() >= kIpv4HeaderLen && v[0] == 0x45 && v[9] == ipproto::kEsp && (load_be16(v.data() + 6) & 0x3fff) == 0)
    return 4;
  if (v.size() >= kIpv6HeaderLen && (v[0] >> 4) == 6 && v[6] == ipproto::kEsp) return 6;
  return 0;
}

// IPComp in tunnel mode sends a datagram it cannot make smaller without an IPComp
// header (RFC 3173 section 2.2), so the peer receives plain IP-in-IP from the SA's
// source. p holds that datagram (info.ulproto 4 or 41): removes the outer header
// (with the same ECN and inner-header checks as any tunnel) and records the step
// as the IPComp SA's, so the inbound policy sees the IPComp request satisfied.
Reason ipcomp_uncompressed_tunnel_input(Sa& sa, Packet& p, const IpInfo& info, const Sysctl& sc,
                                        InputStep& step);

// NAT-T (RFC 3948): UDP header with the SA's ports around ESP (called by
// xform_output when sa.config().natt_dport != 0). Exposed for the data plane's
// inbound demultiplexer: strips the UDP header of a UDP-encapsulated ESP packet.
// Returns kNattKeepalive for a 1-byte 0xFF keepalive and kIkeMarker for a packet
// that starts with the non-ESP marker (four zero bytes).
Reason natt_decapsulate(Packet& p, const IpInfo& info);

}  // namespace aipsec
