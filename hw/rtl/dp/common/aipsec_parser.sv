// Frame parser: frame_desc_t in, the same descriptor plus parse_t out
// (docs/hw/datapath.md, common blocks). Ten register stages, one descriptor
// per cycle; the whole pipeline holds while the output waits. No stage chains
// two adders or an adder and a compare: each sum, difference or compare a
// later stage needs is formed one stage ahead, from registers (at most 6 LUT
// levels per stage, hw/syn/dp.cmake).
//
//   0  Ethernet: what each of 0, 1 and 2 VLAN tags would give
//   1  Ethernet: 0..2 VLAN tags (0x8100, 0x88a8), ethertype, l3_off; the
//      bytes available from l3_off on
//   2  IP header fields at l3_off and the checks on them (as flags); IPv4
//      header words masked to IHL
//   3  reasons of stage 2; candidate offsets of the upper layer; checksum
//      30 words -> 10
//   4  IPv6 first extension header (at 40): walked or not; checksum -> 4
//   5  the 2 bytes at that offset (IPv6 second extension header); checksum -> 2
//   6  IPv6 second extension header; checksum -> 1
//   7  end of the chain; IPv4 checksum and fragment; 16 bytes at the
//      upper-layer offset
//   8  ports, ESP, NAT-T (RFC 3948) as flags
//   9  the fields of stage 8
//
// The first problem found sets reason; later stages keep it. The IPv4
// reasons (checksum, then fragment) are set in stage 7, before any stage
// that looks at IPv4 again, so the order of reasons is the one the checks
// are listed in below. Fields are meaningful only up to the point the problem
// was found (l3_off and ipv6 are set for any IP frame). Parser bounds:
// upper-layer headers must lie in the HDR_BYTES captured bytes (16 bytes from
// the upper-layer offset), otherwise ext_hdr_limit; IPv4 options are summed
// into the checksum but not walked. NAT-T and ESP flags are set only for
// well-formed headers; a UDP 4500 payload that is none of keepalive, IKE or
// ESP (shorter than 8 bytes) leaves them all clear, as does an ESP header cut
// short by the IP length: the path decides.
`default_nettype none

module aipsec_parser #(
  parameter int DATA_W = 128                  // stream width of the path (unused here; kept for symmetry)
) (
  input  wire logic clk,
  input  wire logic rst,

  input  wire logic s_valid,
  output      logic s_ready,
  input  wire aipsec_dp_pkg::frame_desc_t s_desc,

  output      logic m_valid,
  input  wire logic m_ready,
  output      aipsec_dp_pkg::frame_desc_t m_desc,
  output      aipsec_dp_pkg::parse_t m_parse
);

  localparam int HDR_BYTES = aipsec_dp_pkg::HDR_BYTES;
  localparam int STAGES = 10;
  localparam logic [7:0] R_NONE = aipsec_regs_pkg::REASON_NONE;
  localparam logic [7:0] R_TRUNCATED = aipsec_regs_pkg::REASON_TRUNCATED;
  localparam logic [7:0] R_MALFORMED = aipsec_regs_pkg::REASON_MALFORMED_IP;
  localparam logic [7:0] R_CHECKSUM = aipsec_regs_pkg::REASON_BAD_IP_CHECKSUM;
  localparam logic [7:0] R_NOT_IP = aipsec_regs_pkg::REASON_NOT_ETHERNET_IP;
  localparam logic [7:0] R_FRAGMENT = aipsec_regs_pkg::REASON_FRAGMENT;
  localparam logic [7:0] R_EXT_LIMIT = aipsec_regs_pkg::REASON_EXT_HDR_LIMIT;
  localparam logic [7:0] P_TCP = 8'd6, P_UDP = 8'd17, P_SCTP = 8'd132, P_ESP = 8'd50;
  localparam logic [7:0] P_HOP = 8'd0, P_ROUTING = 8'd43, P_FRAG = 8'd44, P_DSTOPTS = 8'd60;

  initial begin
    if (DATA_W < 8 || HDR_BYTES != 128 || aipsec_dp_pkg::MAX_EXT_HDRS != 2) begin
      $error("aipsec_parser: written for HDR_BYTES 128 and MAX_EXT_HDRS 2");
    end
  end

  // The pipeline moves as a whole when the output register is free. The
  // descriptor and parse_t travel through every stage; each stage adds the
  // values the next ones need.
  logic out_valid;
  wire en = !out_valid || m_ready;
  assign s_ready = en;

  localparam int DESC_W = 64 + 16 + HDR_BYTES * 8;   // frame_desc_t: tuser, frame_len, hdr
  logic [DESC_W-1:0]          desc_reg [STAGES];
  logic                       valid_reg [STAGES];
  always_ff @(posedge clk) begin
    if (en) begin
      desc_reg[0] <= s_desc;
      valid_reg[0] <= s_valid;
      for (int i = 1; i < STAGES; i = i + 1) begin
        desc_reg[i] <= desc_reg[i - 1];
        valid_reg[i] <= valid_reg[i - 1];
      end
    end
    if (rst) begin
      for (int i = 0; i < STAGES; i = i + 1) valid_reg[i] <= 1'b0;
    end
  end
  assign out_valid = valid_reg[STAGES - 1];
  // The header bytes (frame_desc_t.hdr, its low bits) that stages 5 and 7 read.
  logic [HDR_BYTES*8-1:0] hdr4, hdr6;
  assign hdr4 = desc_reg[4][HDR_BYTES*8-1:0];
  assign hdr6 = desc_reg[6][HDR_BYTES*8-1:0];

  function automatic logic is_vlan(input logic [15:0] t);
    is_vlan = t == 16'h8100 || t == 16'h88a8;
  endfunction

  function automatic logic is_walked_ext(input logic [7:0] nh);
    is_walked_ext = nh == P_HOP || nh == P_ROUTING || nh == P_DSTOPTS;
  endfunction

  // ---- 0: Ethernet, each of the three places of the ethertype -------------------------
  // Everything that depends on the number of VLAN tags is formed for 0, 1 and
  // 2 tags side by side; stage 1 chooses.
  function automatic logic [15:0] etype_at(input logic [HDR_BYTES*8-1:0] h, input int k);
    etype_at = {h[8*(12 + 4*k) +: 8], h[8*(13 + 4*k) +: 8]};
  endfunction

  // Bit or field k: the ethertype after k VLAN tags, l3_off = 14 + 4k.
  logic [2:0]            vlan0, ip4_0, ip6_0;     // that ethertype
  logic [2:0]            short0;                  // frame_len < l3_off
  logic [3*16-1:0]       avail0, avail40_0;       // frame_len - l3_off, and less 40
  logic [2:0]            vlan0_reg, ip4_0_reg, ip6_0_reg, short0_reg;
  logic [3*16-1:0]       avail0_reg, avail40_0_reg;
  logic                  zero0_reg;               // frame_len 0 (cut by the ingress)

  always_comb begin
    for (int k = 0; k < 3; k = k + 1) begin
      vlan0[k] = is_vlan(etype_at(s_desc.hdr, k));
      ip4_0[k] = etype_at(s_desc.hdr, k) == 16'h0800;
      ip6_0[k] = etype_at(s_desc.hdr, k) == 16'h86dd;
      short0[k] = s_desc.frame_len < 16'(14 + 4 * k);
      avail0[16*k +: 16] = s_desc.frame_len - 16'(14 + 4 * k);
      avail40_0[16*k +: 16] = s_desc.frame_len - 16'(54 + 4 * k);
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      vlan0_reg <= vlan0;
      ip4_0_reg <= ip4_0;
      ip6_0_reg <= ip6_0;
      short0_reg <= short0;
      avail0_reg <= avail0;
      avail40_0_reg <= avail40_0;
      zero0_reg <= s_desc.frame_len == 16'd0;
    end
  end

  // ---- 1: Ethernet -------------------------------------------------------------------
  aipsec_dp_pkg::parse_t p1, p1_reg;
  logic [1:0]            sel1, sel1_reg;          // VLAN tags: l3_off = 14 + 4 * sel
  logic [15:0]           avail1_reg;              // frame bytes from l3_off on
  logic [15:0]           avail40_1_reg;           // the same less 40

  always_comb begin
    if (!vlan0_reg[0]) sel1 = 2'd0;
    else if (!vlan0_reg[1]) sel1 = 2'd1;
    else sel1 = 2'd2;
    p1 = '0;
    p1.l3_off = 8'd14 + {4'd0, sel1, 2'd0};
    p1.ipv6 = ip6_0_reg[sel1];
    if (zero0_reg || short0_reg[sel1]) p1.reason = R_TRUNCATED;
    else if (vlan0_reg[sel1] || !(ip4_0_reg[sel1] || ip6_0_reg[sel1])) p1.reason = R_NOT_IP;
  end

  always_ff @(posedge clk) begin
    if (en) begin
      p1_reg <= p1;
      sel1_reg <= sel1;
      avail1_reg <= avail0_reg[16*sel1 +: 16];
      avail40_1_reg <= avail40_0_reg[16*sel1 +: 16];
    end
  end

  // ---- 2: IP header --------------------------------------------------------------------
  localparam int IPW = 60;                      // IP header bytes looked at here
  localparam int CSUM_WORDS = IPW / 2;
  logic [IPW*8-1:0] ip;
  always_comb begin
    case (sel1_reg)
      2'd0: ip = desc_reg[1][14*8 +: IPW*8];   // hdr is the descriptor's low part
      2'd1: ip = desc_reg[1][18*8 +: IPW*8];
      default: ip = desc_reg[1][22*8 +: IPW*8];
    endcase
  end

  function automatic logic [7:0] ib(input logic [IPW*8-1:0] h, input int i);
    ib = h[8*i +: 8];
  endfunction

  // Problems found in the IP header, turned into reasons by stage 3 in this order.
  typedef struct packed {
    logic short_hdr;   // fewer bytes than a minimal header: truncated
    logic bad_hdr;     // version (and IPv4 IHL < 5): malformed
    logic hdr_past;    // IPv4 header longer than the bytes: truncated
    logic total_small; // IPv4 total length below the header length: malformed
    logic total_past;  // datagram longer than the bytes: truncated
  } ip_flags_t;

  aipsec_dp_pkg::parse_t p2, p2_reg;
  ip_flags_t             f2, f2_reg;
  logic [16:0]           dgram2, dgram2_reg;      // IP datagram bytes
  logic [15:0]           plen2_reg;               // IPv6 payload length
  logic                  plen_lt8_2_reg;          // IPv6 payload length < 8
  logic [15:0]           plen8_2_reg;             // IPv6 payload length - 8 (datagram bytes after 48)
  logic                  v4frag_2_reg;            // IPv4 MF or offset
  logic [7:0]            e0_2_reg, e1_2_reg;      // IP bytes 40, 41 (first extension header)
  logic [5:0]            hlen2, hlen2_reg;        // IPv4 IHL*4
  logic [8:0]            l3p40_2_reg, l3p48_2_reg;  // l3_off + 40, + 48
  logic [16*CSUM_WORDS-1:0] words2_reg;           // IPv4 header words, zero past IHL*4
  logic [15:0]           total4, plen;
  logic [14:0]           frag;                    // DF, MF, fragment offset
  logic [7:0]            ip0, ip1;

  always_comb begin
    p2 = p1_reg;
    f2 = '0;
    ip0 = ib(ip, 0);
    ip1 = ib(ip, 1);
    hlen2 = {ip0[3:0], 2'b00};
    total4 = {ib(ip, 2), ib(ip, 3)};
    plen = {ib(ip, 4), ib(ip, 5)};
    frag = 15'({ib(ip, 6), ib(ip, 7)});   // bit 15 is reserved
    if (p2.ipv6) begin
      p2.tos = {ip0[3:0], ip1[7:4]};
      p2.flow_label = {ip1[3:0], ib(ip, 2), ib(ip, 3)};
      p2.l3_len = plen + 16'd40;
      p2.l4_proto = ib(ip, 6);
      p2.ttl = ib(ip, 7);
      p2.l3_hdr_len = 8'd40;
      p2.nh_off = p2.l3_off + 8'd6;
      for (int i = 0; i < 16; i = i + 1) begin
        p2.src[127 - 8*i -: 8] = ib(ip, 8 + i);
        p2.dst[127 - 8*i -: 8] = ib(ip, 24 + i);
      end
      f2.short_hdr = avail1_reg < 16'd40;
      f2.bad_hdr = ip0[7:4] != 4'd6;
      f2.total_past = plen > avail40_1_reg;     // 40 + plen > avail (avail >= 40 here)
      dgram2 = {1'b0, plen} + 17'd40;
    end else begin
      p2.tos = ip1;
      p2.df = frag[14];
      p2.l3_len = total4;
      p2.l4_proto = ib(ip, 9);
      p2.ttl = ib(ip, 8);
      p2.l3_hdr_len = {2'd0, hlen2};
      p2.nh_off = p2.l3_off + 8'd9;
      p2.src = {96'd0, ib(ip, 12), ib(ip, 13), ib(ip, 14), ib(ip, 15)};
      p2.dst = {96'd0, ib(ip, 16), ib(ip, 17), ib(ip, 18), ib(ip, 19)};
      f2.short_hdr = avail1_reg < 16'd20;
      f2.bad_hdr = ip0[7:4] != 4'd4 || hlen2 < 6'd20;
      f2.hdr_past = {10'd0, hlen2} > avail1_reg;
      f2.total_small = total4 < {10'd0, hlen2};
      f2.total_past = total4 > avail1_reg;
      dgram2 = {1'b0, total4};
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      p2_reg <= p2;
      f2_reg <= f2;
      dgram2_reg <= dgram2;
      plen2_reg <= plen;
      plen_lt8_2_reg <= plen < 16'd8;
      plen8_2_reg <= plen - 16'd8;
      v4frag_2_reg <= frag[13] || frag[12:0] != 13'd0;
      e0_2_reg <= ib(ip, 40);
      e1_2_reg <= ib(ip, 41);
      hlen2_reg <= hlen2;
      l3p40_2_reg <= {1'b0, p1_reg.l3_off} + 9'd40;
      l3p48_2_reg <= {1'b0, p1_reg.l3_off} + 9'd48;
      // Header word i counts when its 4-byte unit i/2 is below IHL.
      for (int i = 0; i < CSUM_WORDS; i = i + 1) begin
        words2_reg[16*i +: 16] <= (4'(i / 2) < ip0[3:0]) ? {ib(ip, 2*i), ib(ip, 2*i+1)} : 16'd0;
      end
    end
  end

  // ---- 3: reasons of the IP header; offsets; checksum 30 -> 10 -------------------------------
  localparam int CS3 = CSUM_WORDS / 3;
  aipsec_dp_pkg::parse_t p3, p3_reg;
  logic [18*CS3-1:0]     sum3_reg;
  logic [7:0]            e0_3_reg;
  logic                  v4frag_3_reg, plen_lt8_3_reg;
  logic                  elen_past_3_reg;         // IPv6 first extension header past the datagram
  logic [7:0]            off1_3_reg, off1_8_3_reg;  // 48 + 8 * e1: IP offset after it; + 8 (low bytes)
  logic [12:0]           fo1_3_reg;               // its frame offset
  logic [16:0]           room1_3_reg;             // datagram bytes after it
  logic [12:0]           fo_v4_3_reg;             // IPv4: frame offset of the upper layer
  logic [16:0]           room_v4_3_reg;           // IPv4: datagram bytes from there
  logic [7:0]            hlen8_3_reg;             // IPv4: IHL*4 + 8
  logic [15:0]           plen3_reg;
  logic [5:0]            hlen3_reg;
  logic [8:0]            l3p40_3_reg;
  logic [10:0]           e1x8;

  always_comb begin
    p3 = p2_reg;
    if (p3.reason == R_NONE) begin
      if (f2_reg.short_hdr) p3.reason = R_TRUNCATED;
      else if (f2_reg.bad_hdr) p3.reason = R_MALFORMED;
      else if (f2_reg.hdr_past) p3.reason = R_TRUNCATED;
      else if (f2_reg.total_small) p3.reason = R_MALFORMED;
      else if (f2_reg.total_past) p3.reason = R_TRUNCATED;
    end
    e1x8 = {e1_2_reg, 3'b000};
  end

  always_ff @(posedge clk) begin
    if (en) begin
      p3_reg <= p3;
      for (int g = 0; g < CS3; g = g + 1) begin
        sum3_reg[18*g +: 18] <= 18'(words2_reg[16*(3*g) +: 16]) + 18'(words2_reg[16*(3*g+1) +: 16]) +
                                18'(words2_reg[16*(3*g+2) +: 16]);
      end
      e0_3_reg <= e0_2_reg;
      v4frag_3_reg <= v4frag_2_reg;
      plen_lt8_3_reg <= plen_lt8_2_reg;
      // 8 * (e1 + 1) > datagram - 40, that is 8 * e1 > payload length - 8
      elen_past_3_reg <= {5'd0, e1x8} > plen8_2_reg;
      off1_3_reg <= 8'd48 + e1x8[7:0];
      off1_8_3_reg <= 8'd56 + e1x8[7:0];
      fo1_3_reg <= {4'd0, l3p48_2_reg} + {2'd0, e1x8};
      room1_3_reg <= {1'b0, plen8_2_reg} - {6'd0, e1x8};
      fo_v4_3_reg <= {5'd0, p2_reg.l3_off} + {7'd0, hlen2_reg};
      room_v4_3_reg <= dgram2_reg - {11'd0, hlen2_reg};
      hlen8_3_reg <= {2'd0, hlen2_reg} + 8'd8;
      plen3_reg <= plen2_reg;
      hlen3_reg <= hlen2_reg;
      l3p40_3_reg <= l3p40_2_reg;
    end
  end

  // ---- 4: IPv6 first extension header; checksum 10 -> 4 ----------------------------------------
  aipsec_dp_pkg::parse_t p4, p4_reg;
  logic [20*4-1:0]       sum4_reg;
  // Offsets relative to the IP header are kept as their low byte: l3_hdr_len
  // is all that uses them (frame offsets and lengths are kept whole).
  logic [7:0]            off4, off4_reg;          // IP-relative offset of the next header
  logic [7:0]            off8_4, off8_4_reg;      // off4 + 8 (the next header's minimum end)
  logic [12:0]           fo4, fo4_reg;            // its frame offset
  logic [16:0]           room4, room4_reg;        // datagram bytes from off4 on
  logic                  walked4, walked4_reg;    // one extension header walked
  logic                  v4frag_4_reg;

  always_comb begin
    p4 = p3_reg;
    walked4 = 1'b0;
    if (!p4.ipv6) begin
      off4 = {2'd0, hlen3_reg};
      off8_4 = hlen8_3_reg;
      fo4 = fo_v4_3_reg;
      room4 = room_v4_3_reg;
    end else begin
      off4 = 8'd40;
      off8_4 = 8'd48;
      fo4 = {4'd0, l3p40_3_reg};
      room4 = {1'b0, plen3_reg};
      if (p4.reason == R_NONE) begin
        if (p4.l4_proto == P_FRAG) p4.reason = R_FRAGMENT;
        else if (is_walked_ext(p4.l4_proto)) begin
          if (plen_lt8_3_reg || elen_past_3_reg) p4.reason = R_TRUNCATED;
          else begin
            p4.nh_off = l3p40_3_reg[7:0];
            p4.l4_proto = e0_3_reg;
            off4 = off1_3_reg;
            off8_4 = off1_8_3_reg;
            fo4 = fo1_3_reg;
            room4 = room1_3_reg;
            walked4 = 1'b1;
          end
        end
      end
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      p4_reg <= p4;
      for (int g = 0; g < 3; g = g + 1) begin
        sum4_reg[20*g +: 20] <= 20'(sum3_reg[18*(3*g) +: 18]) + 20'(sum3_reg[18*(3*g+1) +: 18]) +
                                20'(sum3_reg[18*(3*g+2) +: 18]);
      end
      sum4_reg[20*3 +: 20] <= 20'(sum3_reg[18*9 +: 18]);
      off4_reg <= off4;
      off8_4_reg <= off8_4;
      fo4_reg <= fo4;
      room4_reg <= room4;
      walked4_reg <= walked4;
      v4frag_4_reg <= v4frag_3_reg;
    end
  end

  // ---- 5: the two bytes at fo4; checks on fo4 and room4; checksum 4 -> 2 ---------------------------
  // Frame offsets of IP-relative multiples of 8 (and of IPv4 header lengths) are
  // 2 mod 4: the reads below select among the positions 4k + 2.
  // A shift (a balanced multiplexer), not a chain of ifs or of ORs.
  function automatic logic [15:0] hword_at(input logic [HDR_BYTES*8-1:0] h, input logic [5:0] q);
    logic [15:0] sh;
    sh = 16'(h >> {q[4:0], 5'b10000});   // frame byte 4q + 2 at sh[7:0]
    hword_at = q[5] ? 16'd0 : {sh[7:0], sh[15:8]};   // past the captured bytes: zero
  endfunction

  aipsec_dp_pkg::parse_t p5_reg;
  logic [21*2-1:0]       sum5_reg;
  logic [15:0]           e5_reg;                  // second extension header: next header, length
  logic                  fo_far5_reg;             // those two bytes are not captured
  logic                  room_lt8_5_reg;
  logic [7:0]            off5_reg, off8_5_reg;
  logic [12:0]           fo5_reg, fo8_5_reg;      // fo4, fo4 + 8
  logic [16:0]           room5_reg, room8_5_reg;  // room4, room4 - 8
  logic                  walked5_reg, v4frag_5_reg;

  always_ff @(posedge clk) begin
    if (en) begin
      p5_reg <= p4_reg;
      for (int g = 0; g < 2; g = g + 1) begin
        sum5_reg[21*g +: 21] <= 21'(sum4_reg[20*(2*g) +: 20]) + 21'(sum4_reg[20*(2*g+1) +: 20]);
      end
      e5_reg <= hword_at(hdr4, fo4_reg[7:2]);
      fo_far5_reg <= fo4_reg[12:8] != 5'd0 || fo4_reg[7:0] > 8'(HDR_BYTES - 2);
      room_lt8_5_reg <= room4_reg < 17'd8;
      off5_reg <= off4_reg;
      off8_5_reg <= off8_4_reg;
      fo5_reg <= fo4_reg;
      fo8_5_reg <= fo4_reg + 13'd8;
      room5_reg <= room4_reg;
      room8_5_reg <= room4_reg - 17'd8;
      walked5_reg <= walked4_reg;
      v4frag_5_reg <= v4frag_4_reg;
    end
  end

  // ---- 6: IPv6 second extension header; checksum 2 -> 1 ------------------------------------------
  aipsec_dp_pkg::parse_t p6, p6_reg;
  logic [20:0]           sum6_reg;
  logic [7:0]            off6;                    // IP-relative offset of the upper layer (low byte: l3_hdr_len)
  logic [12:0]           fo6, fo6_reg;            // its frame offset
  logic [16:0]           rest6, rest6_reg;        // datagram bytes from there
  logic                  v4frag_6_reg;
  logic [10:0]           ex8;
  logic [7:0]            off_walk;
  logic [12:0]           fo_walk;
  logic [16:0]           rest_walk;

  always_comb begin
    p6 = p5_reg;
    ex8 = {e5_reg[7:0], 3'b000};
    // The sums if the header is walked, formed beside the checks that decide it.
    off_walk = off8_5_reg + ex8[7:0];
    fo_walk = fo8_5_reg + {2'd0, ex8};
    rest_walk = room8_5_reg - {6'd0, ex8};
    off6 = off5_reg;
    fo6 = fo5_reg;
    rest6 = room5_reg;
    if (p6.ipv6 && p6.reason == R_NONE && walked5_reg) begin
      if (p6.l4_proto == P_FRAG) p6.reason = R_FRAGMENT;
      else if (p6.l4_proto == P_HOP) p6.reason = R_EXT_LIMIT;  // hop-by-hop only first (RFC 8200 4.3)
      else if (is_walked_ext(p6.l4_proto)) begin
        if (room_lt8_5_reg) p6.reason = R_TRUNCATED;
        else if (fo_far5_reg) p6.reason = R_EXT_LIMIT;
        else if ({6'd0, e5_reg[7:0], 3'b111} >= room5_reg) p6.reason = R_TRUNCATED;  // 8*(len+1) > room
        else begin
          p6.nh_off = fo5_reg[7:0];
          p6.l4_proto = e5_reg[15:8];
          off6 = off_walk;
          fo6 = fo_walk;
          rest6 = rest_walk;
        end
      end
    end
    if (p6.ipv6) p6.l3_hdr_len = off6;
  end

  always_ff @(posedge clk) begin
    if (en) begin
      p6_reg <= p6;
      sum6_reg <= sum5_reg[0 +: 21] + sum5_reg[21 +: 21];
      fo6_reg <= fo6;
      rest6_reg <= rest6;
      v4frag_6_reg <= v4frag_5_reg;
    end
  end

  // ---- 7: end of chain; IPv4 checksum and fragment; upper-layer bytes ---------------------------------
  localparam int L4B = 16;                      // UDP header + ESP SPI and sequence number
  // Positions past the captured bytes (q > 27) read as zero.
  function automatic logic [L4B*8-1:0] l4_bytes_at(input logic [HDR_BYTES*8-1:0] h, input logic [5:0] q);
    l4_bytes_at = (q[5] || q[4:0] > 5'(HDR_BYTES / 4 - 5)) ? '0 : (L4B*8)'(h >> {q[4:0], 5'b10000});
  endfunction

  aipsec_dp_pkg::parse_t p7, p7_reg;
  logic [L4B*8-1:0]      l4_7_reg;
  logic [16:0]           rest7_reg;
  logic [7:0]            fo7_reg;
  logic                  csum_ok;

  always_comb begin
    p7 = p6_reg;
    // The 21-bit sum s of the header words folds to 0xffff exactly when
    // s[15:0] + s[20:16] = 0xffff (s[20:16] < 32 cannot carry out of that).
    csum_ok = sum6_reg[15:5] == 11'h7ff && sum6_reg[4:0] == ~sum6_reg[20:16];
    if (p7.reason == R_NONE) begin
      if (!p7.ipv6) begin
        if (!csum_ok) p7.reason = R_CHECKSUM;
        else if (v4frag_6_reg) p7.reason = R_FRAGMENT;
      end else if (p7.l4_proto == P_FRAG) p7.reason = R_FRAGMENT;
      else if (is_walked_ext(p7.l4_proto)) p7.reason = R_EXT_LIMIT;
      else if (fo6_reg[12:8] != 5'd0 || fo6_reg[7:0] > 8'(HDR_BYTES - L4B)) p7.reason = R_EXT_LIMIT;
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      p7_reg <= p7;
      l4_7_reg <= l4_bytes_at(hdr6, fo6_reg[7:2]);
      rest7_reg <= rest6_reg;
      fo7_reg <= fo6_reg[7:0];
    end
  end

  // ---- 8: ports, ESP, NAT-T as flags -------------------------------------------------------------------
  function automatic logic [7:0] lb(input logic [L4B*8-1:0] l4, input int i);
    lb = l4[8*i +: 8];
  endfunction

  typedef struct packed {
    logic ports;       // TCP, UDP or SCTP with its ports present
    logic esp;         // ESP header (SPI and sequence number) present
    logic natt_udp;    // UDP to 4500 with a length from 8 to the bytes there
  } l4_flags_t;

  aipsec_dp_pkg::parse_t p8_reg;
  l4_flags_t             f8, f8_reg;
  logic [L4B*8-1:0]      l4_8_reg;
  logic [7:0]            fo8_reg;
  logic [15:0]           udp_len8_reg;
  logic                  ok7;

  always_comb begin
    // Upper-layer fields only for a sound IP layer (fragments have a reason).
    ok7 = p7_reg.reason == R_NONE;
    f8.ports = ok7 && (p7_reg.l4_proto == P_TCP || p7_reg.l4_proto == P_UDP || p7_reg.l4_proto == P_SCTP) &&
               rest7_reg >= 17'd4;
    f8.esp = ok7 && p7_reg.l4_proto == P_ESP && rest7_reg >= 17'd8;
    f8.natt_udp = ok7 && p7_reg.l4_proto == P_UDP && rest7_reg >= 17'd8 &&
                  {lb(l4_7_reg, 2), lb(l4_7_reg, 3)} == 16'd4500 &&
                  {lb(l4_7_reg, 4), lb(l4_7_reg, 5)} >= 16'd8 &&
                  {1'b0, lb(l4_7_reg, 4), lb(l4_7_reg, 5)} <= rest7_reg;
  end

  always_ff @(posedge clk) begin
    if (en) begin
      p8_reg <= p7_reg;
      f8_reg <= f8;
      l4_8_reg <= l4_7_reg;
      fo8_reg <= fo7_reg;
      udp_len8_reg <= {lb(l4_7_reg, 4), lb(l4_7_reg, 5)};
    end
  end

  // ---- 9: the fields ---------------------------------------------------------------------------------
  aipsec_dp_pkg::parse_t p9, p9_reg;

  always_comb begin
    p9 = p8_reg;
    if (f8_reg.ports) begin
      p9.sport = {lb(l4_8_reg, 0), lb(l4_8_reg, 1)};
      p9.dport = {lb(l4_8_reg, 2), lb(l4_8_reg, 3)};
    end
    if (f8_reg.esp) begin
      p9.esp = 1'b1;
      p9.esp_off = fo8_reg;
      p9.spi = {lb(l4_8_reg, 0), lb(l4_8_reg, 1), lb(l4_8_reg, 2), lb(l4_8_reg, 3)};
      p9.seq = {lb(l4_8_reg, 4), lb(l4_8_reg, 5), lb(l4_8_reg, 6), lb(l4_8_reg, 7)};
    end
    if (f8_reg.natt_udp) begin
      if (udp_len8_reg == 16'd9 && lb(l4_8_reg, 8) == 8'hff) begin
        p9.natt_keepalive = 1'b1;
      end else if (udp_len8_reg >= 16'd12 && l4_8_reg[64 +: 32] == 32'd0) begin
        p9.ike_marker = 1'b1;
      end else if (udp_len8_reg >= 16'd16) begin
        p9.esp = 1'b1;
        p9.natt = 1'b1;
        p9.esp_off = fo8_reg + 8'd8;
        p9.spi = {lb(l4_8_reg, 8), lb(l4_8_reg, 9), lb(l4_8_reg, 10), lb(l4_8_reg, 11)};
        p9.seq = {lb(l4_8_reg, 12), lb(l4_8_reg, 13), lb(l4_8_reg, 14), lb(l4_8_reg, 15)};
      end
    end
  end

  always_ff @(posedge clk) begin
    if (en) p9_reg <= p9;
  end

  assign m_valid = out_valid;
  assign m_desc = desc_reg[STAGES - 1];
  assign m_parse = p9_reg;

endmodule

`default_nettype wire
