// Types shared by the blocks of the card's packet data path (docs/hw/datapath.md).
// Byte conventions: byte 0 of a frame is tdata[7:0] of its first beat; a
// captured header array holds frame byte i in hdr[8*i +: 8]. Addresses are
// numbers with the first byte on the wire most significant (an IPv4 address in
// bits 31:0, an IPv6 address in bits 127:0), as in hw/spec/sa_context.yaml.
`default_nettype none
// Each block uses a part of the package.
/* verilator lint_off UNUSEDPARAM */

package aipsec_dp_pkg;

  // Bytes of each frame the parser sees: Ethernet with two VLAN tags (22),
  // IPv6 (40), two extension headers of up to 24 bytes each, ESP or L4 header.
  localparam int HDR_BYTES = 128;
  // IPv6 extension headers (hop-by-hop, routing, destination options) walked
  // before the upper layer; one more is ext_hdr_limit.
  localparam int MAX_EXT_HDRS = 2;
  // Flow table and inbound SA lookup: buckets of WAYS entries; the bucket of a
  // key is crc32c(key) mod (entries / WAYS) (docs/hw/datapath.md, hashing).
  localparam int WAYS = 4;

  // Result of parsing one frame (aipsec_parser).
  typedef struct packed {
    logic [7:0]   reason;       // card reason code: 0 parsed; else not_ethernet_ip,
                                // fragment, ext_hdr_limit, truncated, malformed_ip,
                                // bad_ip_checksum (hw/spec/reasons.yaml)
    logic         ipv6;         // IP version of the (outer) header
    logic [7:0]   l3_off;       // frame offset of the IP header (14, 18 or 22)
    logic [7:0]   l3_hdr_len;   // IPv4: IHL*4. IPv6: 40 + extension headers walked
    logic [7:0]   nh_off;       // frame offset of the byte that holds l4_proto
                                // (IPv4 protocol, IPv6 next header of the last header walked)
    logic [7:0]   l4_proto;     // protocol after the IP header chain
    logic [15:0]  l3_len;       // IP packet bytes per its header (IPv4 total length,
                                // IPv6 40 + payload length); the frame may be longer (padding)
    logic [127:0] src;
    logic [127:0] dst;
    logic [15:0]  sport;        // TCP / UDP / SCTP ports; 0 for other protocols
    logic [15:0]  dport;
    logic [7:0]   tos;          // IPv4 TOS / IPv6 traffic class (DSCP and ECN)
    logic         df;           // IPv4 DF bit (0 for IPv6)
    logic [7:0]   ttl;          // TTL / hop limit
    logic [19:0]  flow_label;   // IPv6 flow label (0 for IPv4)
    // ESP, directly after the IP header chain (l4_proto 50) or in UDP to port
    // 4500 with a non-zero first word (RFC 3948): esp_off is its frame offset.
    logic         esp;
    logic         natt;         // ESP is in UDP (l4_proto 17)
    logic         natt_keepalive; // UDP 4500 payload of the single byte 0xff
    logic         ike_marker;   // UDP 4500 with a zero first word (IKE)
    logic [7:0]   esp_off;
    logic [31:0]  spi;
    logic [31:0]  seq;          // ESP sequence number (low 32 bits)
  } parse_t;

  // Per-frame descriptor of the ingress block, and of the parser output.
  typedef struct packed {
    logic [63:0]             tuser;      // packet_meta of the frame's first beat
    logic [15:0]             frame_len;  // bytes of the frame
    logic [HDR_BYTES*8-1:0]  hdr;        // first HDR_BYTES bytes (zero past frame_len)
  } frame_desc_t;

  // CRC-32C (Castagnoli, reflected, init and final xor 0xffffffff: RFC 3720
  // B.4) of the first n bytes of a byte string (byte i in bits 8i+7..8i).
  function automatic logic [31:0] crc32c(input logic [8*64-1:0] bytes, input int n);
    logic [31:0] c;
    c = 32'hffffffff;
    for (int i = 0; i < 64; i = i + 1) begin
      if (i < n) begin
        c = c ^ {24'd0, bytes[8*i +: 8]};
        for (int b = 0; b < 8; b = b + 1) begin
          c = c[0] ? ((c >> 1) ^ 32'h82f63b78) : (c >> 1);
        end
      end
    end
    crc32c = c ^ 32'hffffffff;
  endfunction

  // Flow key (38 bytes, in this order): ipv6 flag (1), protocol (1), source
  // port (2, big endian), destination port (2), source address (16, big
  // endian, IPv4 in the last 4), destination address (16).
  localparam int FLOW_KEY_BYTES = 38;
  function automatic logic [8*64-1:0] flow_key_bytes(
      input logic ipv6, input logic [7:0] proto, input logic [15:0] sport,
      input logic [15:0] dport, input logic [127:0] src, input logic [127:0] dst);
    flow_key_bytes = '0;
    flow_key_bytes[7:0] = {7'd0, ipv6};
    flow_key_bytes[15:8] = proto;
    flow_key_bytes[23:16] = sport[15:8];
    flow_key_bytes[31:24] = sport[7:0];
    flow_key_bytes[39:32] = dport[15:8];
    flow_key_bytes[47:40] = dport[7:0];
    for (int i = 0; i < 16; i = i + 1) begin
      flow_key_bytes[48 + 8*i +: 8] = src[127 - 8*i -: 8];
      flow_key_bytes[176 + 8*i +: 8] = dst[127 - 8*i -: 8];
    end
  endfunction

  // Inbound SA key (22 bytes): SPI (4, big endian), protocol (1: 50 ESP,
  // 51 AH), ipv6 flag (1), destination address (16, big endian).
  localparam int SA_KEY_BYTES = 22;
  function automatic logic [8*64-1:0] sa_key_bytes(
      input logic [31:0] spi, input logic [7:0] proto, input logic ipv6,
      input logic [127:0] dst);
    sa_key_bytes = '0;
    for (int i = 0; i < 4; i = i + 1) sa_key_bytes[8*i +: 8] = spi[31 - 8*i -: 8];
    sa_key_bytes[39:32] = proto;
    sa_key_bytes[47:40] = {7'd0, ipv6};
    for (int i = 0; i < 16; i = i + 1) sa_key_bytes[48 + 8*i +: 8] = dst[127 - 8*i -: 8];
  endfunction

  // Longest frame the ingress stores whole; a longer one is cut there and its
  // descriptor says frame_len 0 (the parser reports truncated).
  localparam int MAX_FRAME_BYTES = 9216;

  // Counters and compares of the paths' live state without carry chains:
  // bit i of an increment flips when every bit below it is 1 (a prefix AND),
  // of a decrement when every bit below it is 0; a >= b over 64 bits as
  // (greater, equal) of groups of 4, merged by 4.
  function automatic logic [63:0] inc64(input logic [63:0] x);
    logic [63:0] r;
    for (int i = 0; i < 64; i = i + 1) r[i] = x[i] ^ (&(x | ~((64'd1 << i) - 64'd1)));
    inc64 = r;
  endfunction
  function automatic logic [63:0] dec64(input logic [63:0] x);
    logic [63:0] r;
    for (int i = 0; i < 64; i = i + 1) r[i] = x[i] ^ ~(|(x & ((64'd1 << i) - 64'd1)));
    dec64 = r;
  endfunction
  // Narrower counters: the low bits of the 64-bit ones (bit i depends only on
  // bits i..0, so the rest is pruned).
  function automatic logic [47:0] inc48(input logic [47:0] x);
    inc48 = 48'(inc64({16'd0, x}));
  endfunction
  function automatic logic [47:0] dec48(input logic [47:0] x);
    dec48 = 48'(dec64({16'd0, x}));
  endfunction
  function automatic logic [31:0] dec32(input logic [31:0] x);
    dec32 = 32'(dec64({32'd0, x}));
  endfunction
  function automatic logic ge64(input logic [63:0] a, input logic [63:0] b);
    logic [63:0] g, e;
    logic [15:0] g1, e1;
    logic [3:0] g2, e2;
    g = a & ~b;
    e = ~(a ^ b);
    for (int i = 0; i < 16; i = i + 1) begin
      g1[i] = g[4*i+3] | (e[4*i+3] & g[4*i+2]) | (e[4*i+3] & e[4*i+2] & g[4*i+1]) |
              (e[4*i+3] & e[4*i+2] & e[4*i+1] & g[4*i]);
      e1[i] = &e[4*i +: 4];
    end
    for (int i = 0; i < 4; i = i + 1) begin
      g2[i] = g1[4*i+3] | (e1[4*i+3] & g1[4*i+2]) | (e1[4*i+3] & e1[4*i+2] & g1[4*i+1]) |
              (e1[4*i+3] & e1[4*i+2] & e1[4*i+1] & g1[4*i]);
      e2[i] = &e1[4*i +: 4];
    end
    ge64 = g2[3] | (e2[3] & g2[2]) | (e2[3] & e2[2] & g2[1]) | (e2[3] & e2[2] & e2[1] & g2[0]) | (&e2);
  endfunction

  // The packet-metadata word (tuser) of both paths, at the field positions
  // generated from hw/spec/metadata.yaml (docs/hw/metadata.md); reserved bits 0.
  // (Field positions, not the generated packet_meta_t: yosys 0.23 does not
  // take a struct-typed variable in a function.)
  function automatic logic [63:0] packet_meta(
      input logic inbound, input logic [1:0] port, input logic index_kind, input logic exception,
      input logic mirrored, input logic sa_event, input logic [7:0] reason, input logic [15:0] index,
      input logic [15:0] pkt_len, input logic [7:0] l3_offset);
    logic [63:0] m;
    m = '0;
    m[aipsec_regs_pkg::PACKET_META_DIRECTION_LSB] = inbound;
    m[aipsec_regs_pkg::PACKET_META_PORT_LSB +: 2] = port;
    m[aipsec_regs_pkg::PACKET_META_INDEX_KIND_LSB] = index_kind;
    m[aipsec_regs_pkg::PACKET_META_EXCEPTION_LSB] = exception;
    m[aipsec_regs_pkg::PACKET_META_MIRRORED_LSB] = mirrored;
    m[aipsec_regs_pkg::PACKET_META_SA_EVENT_LSB] = sa_event;
    m[aipsec_regs_pkg::PACKET_META_REASON_LSB +: 8] = reason;
    m[aipsec_regs_pkg::PACKET_META_INDEX_LSB +: 16] = index;
    m[aipsec_regs_pkg::PACKET_META_PKT_LEN_LSB +: 16] = pkt_len;
    m[aipsec_regs_pkg::PACKET_META_L3_OFFSET_LSB +: 8] = l3_offset;
    packet_meta = m;
  endfunction

endpackage
/* verilator lint_on UNUSEDPARAM */
