// Frame parser: frame_desc_t in, the same descriptor plus parse_t out
// (docs/hw/datapath.md, common blocks). Six register stages, in order, one
// descriptor per cycle; the whole pipeline holds while the output waits.
//
//   A  Ethernet: 0..2 VLAN tags (0x8100, 0x88a8), ethertype, l3_off
//   B  IP header fields at l3_off; length checks; IPv4 checksum partial sums
//   C  IPv4 checksum and fragment; IPv6 first extension header (at 40)
//   D  IPv6 second extension header (at a variable offset)
//   E  end of the chain; 16 bytes at the upper-layer offset
//   F  ports, ESP, NAT-T (RFC 3948)
//
// The first problem found sets reason; later stages keep it. Fields are
// meaningful only up to the point the problem was found (l3_off and ipv6 are
// set for any IP frame). Parser bounds: upper-layer headers must lie in the
// HDR_BYTES captured bytes (16 bytes from the upper-layer offset), otherwise
// ext_hdr_limit; IPv4 options are summed into the checksum but not walked.
// NAT-T and ESP flags are set only for well-formed headers; a UDP 4500 payload
// that is none of keepalive, IKE or ESP (shorter than 8 bytes) leaves them all
// clear, as does an ESP header cut short by the IP length: the path decides.
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

  // Pipeline moves as a whole when the output register is free.
  logic f_valid_reg;
  wire en = !f_valid_reg || m_ready;
  assign s_ready = en;

  function automatic logic [7:0] hbyte(input logic [HDR_BYTES*8-1:0] h, input int i);
    hbyte = h[8*i +: 8];
  endfunction

  function automatic logic is_vlan(input logic [15:0] t);
    is_vlan = t == 16'h8100 || t == 16'h88a8;
  endfunction

  function automatic logic is_walked_ext(input logic [7:0] nh);
    is_walked_ext = nh == P_HOP || nh == P_ROUTING || nh == P_DSTOPTS;
  endfunction

  // ---- A: Ethernet ---------------------------------------------------------------
  aipsec_dp_pkg::frame_desc_t a_desc_reg;
  aipsec_dp_pkg::parse_t      a_p_reg, a_p;
  logic                       a_valid_reg;
  logic [1:0]                 a_sel_reg, a_sel;   // VLAN tags: l3_off = 14 + 4 * sel
  logic [15:0]                a_t0, a_t1, a_t2, a_type;

  always_comb begin
    a_t0 = {hbyte(s_desc.hdr, 12), hbyte(s_desc.hdr, 13)};
    a_t1 = {hbyte(s_desc.hdr, 16), hbyte(s_desc.hdr, 17)};
    a_t2 = {hbyte(s_desc.hdr, 20), hbyte(s_desc.hdr, 21)};
    if (!is_vlan(a_t0)) a_sel = 2'd0;
    else if (!is_vlan(a_t1)) a_sel = 2'd1;
    else a_sel = 2'd2;
    a_type = a_sel == 2'd0 ? a_t0 : a_sel == 2'd1 ? a_t1 : a_t2;
    a_p = '0;
    a_p.l3_off = 8'd14 + {4'd0, a_sel, 2'd0};
    a_p.ipv6 = a_type == 16'h86dd;
    if (s_desc.frame_len == 16'd0 || s_desc.frame_len < {8'd0, a_p.l3_off}) a_p.reason = R_TRUNCATED;
    else if (is_vlan(a_type) || (a_type != 16'h0800 && a_type != 16'h86dd)) a_p.reason = R_NOT_IP;
  end

  always_ff @(posedge clk) begin
    if (en) begin
      a_p_reg <= a_p;
      a_sel_reg <= a_sel;
      a_desc_reg <= s_desc;
      a_valid_reg <= s_valid;
    end
    if (rst) a_valid_reg <= 1'b0;
  end

  // ---- B: IP header ---------------------------------------------------------------
  localparam int IPW = 60;                      // IP header bytes looked at here
  logic [IPW*8-1:0] a_ip;
  always_comb begin
    case (a_sel_reg)
      2'd0: a_ip = a_desc_reg.hdr[14*8 +: IPW*8];
      2'd1: a_ip = a_desc_reg.hdr[18*8 +: IPW*8];
      default: a_ip = a_desc_reg.hdr[22*8 +: IPW*8];
    endcase
  end

  function automatic logic [7:0] ib(input logic [IPW*8-1:0] ip, input int i);
    ib = ip[8*i +: 8];
  endfunction

  // Header word i (bytes 2i, 2i+1) widened for summing; zero past the header length.
  function automatic logic [18:0] csum_word(input logic [IPW*8-1:0] ip, input logic [5:0] hlen, input int i);
    csum_word = (6'(2 * i) < hlen) ? {3'd0, ip[8*(2*i) +: 8], ip[8*(2*i+1) +: 8]} : 19'd0;
  endfunction

  aipsec_dp_pkg::frame_desc_t b_desc_reg;
  aipsec_dp_pkg::parse_t      b_p_reg, b_p;
  logic                       b_valid_reg;
  logic [16:0]                b_dgram_reg, b_dgram;   // IP datagram bytes (checked <= frame)
  logic [6*19-1:0]            b_csum_reg, b_csum;     // IPv4 header checksum partial sums
  logic                       b_frag4_reg;            // IPv4 MF or offset
  logic [7:0]                 b_e0_reg, b_e1_reg;     // bytes 40, 41 (first extension header)
  logic [15:0]                b_avail, b_total4;
  logic [14:0]                b_frag;               // DF, MF, fragment offset
  logic [16:0]                b_total6;
  logic [5:0]                 b_hlen;
  logic [7:0]                 b_ip0, b_ip1;

  always_comb begin
    b_p = a_p_reg;
    b_ip0 = ib(a_ip, 0);
    b_ip1 = ib(a_ip, 1);
    b_avail = a_desc_reg.frame_len - {8'd0, b_p.l3_off};
    b_hlen = {b_ip0[3:0], 2'b00};
    b_total4 = {ib(a_ip, 2), ib(a_ip, 3)};
    b_total6 = 17'd40 + {1'b0, ib(a_ip, 4), ib(a_ip, 5)};
    b_frag = 15'({ib(a_ip, 6), ib(a_ip, 7)});   // bit 15 is reserved
    if (b_p.ipv6) begin
      b_p.tos = {b_ip0[3:0], b_ip1[7:4]};
      b_p.flow_label = {b_ip1[3:0], ib(a_ip, 2), ib(a_ip, 3)};
      b_p.l3_len = b_total6[15:0];
      b_p.l4_proto = ib(a_ip, 6);
      b_p.ttl = ib(a_ip, 7);
      b_p.l3_hdr_len = 8'd40;
      b_p.nh_off = b_p.l3_off + 8'd6;
      for (int i = 0; i < 16; i = i + 1) begin
        b_p.src[127 - 8*i -: 8] = ib(a_ip, 8 + i);
        b_p.dst[127 - 8*i -: 8] = ib(a_ip, 24 + i);
      end
      if (b_p.reason == R_NONE) begin
        if (b_avail < 16'd40) b_p.reason = R_TRUNCATED;
        else if (b_ip0[7:4] != 4'd6) b_p.reason = R_MALFORMED;
        else if (b_total6 > {1'b0, b_avail}) b_p.reason = R_TRUNCATED;
      end
      b_dgram = b_total6;
    end else begin
      b_p.tos = b_ip1;
      b_p.df = b_frag[14];
      b_p.l3_len = b_total4;
      b_p.l4_proto = ib(a_ip, 9);
      b_p.ttl = ib(a_ip, 8);
      b_p.l3_hdr_len = {2'd0, b_hlen};
      b_p.nh_off = b_p.l3_off + 8'd9;
      b_p.src = {96'd0, ib(a_ip, 12), ib(a_ip, 13), ib(a_ip, 14), ib(a_ip, 15)};
      b_p.dst = {96'd0, ib(a_ip, 16), ib(a_ip, 17), ib(a_ip, 18), ib(a_ip, 19)};
      if (b_p.reason == R_NONE) begin
        if (b_avail < 16'd20) b_p.reason = R_TRUNCATED;
        else if (b_ip0[7:4] != 4'd4 || b_hlen < 6'd20) b_p.reason = R_MALFORMED;
        else if ({10'd0, b_hlen} > b_avail) b_p.reason = R_TRUNCATED;
        else if (b_total4 < {10'd0, b_hlen}) b_p.reason = R_MALFORMED;
        else if (b_total4 > b_avail) b_p.reason = R_TRUNCATED;
      end
      b_dgram = {1'b0, b_total4};
    end
    // Checksum: 30 header words in 6 groups of 5 (summed as a tree), words past IHL*4 as zero.
    for (int g = 0; g < 6; g = g + 1) begin
      b_csum[19*g +: 19] = (csum_word(a_ip, b_hlen, 5 * g) + csum_word(a_ip, b_hlen, 5 * g + 1)) +
                           (csum_word(a_ip, b_hlen, 5 * g + 2) + csum_word(a_ip, b_hlen, 5 * g + 3)) +
                           csum_word(a_ip, b_hlen, 5 * g + 4);
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      b_dgram_reg <= b_dgram;
      b_csum_reg <= b_csum;
      b_frag4_reg <= b_frag[13] || b_frag[12:0] != 13'd0;
      b_e0_reg <= ib(a_ip, 40);
      b_e1_reg <= ib(a_ip, 41);
      b_p_reg <= b_p;
      b_desc_reg <= a_desc_reg;
      b_valid_reg <= a_valid_reg;
    end
    if (rst) b_valid_reg <= 1'b0;
  end

  // ---- C: IPv4 checksum and fragment; IPv6 extension header at 40 ------------------
  aipsec_dp_pkg::frame_desc_t c_desc_reg;
  aipsec_dp_pkg::parse_t      c_p_reg, c_p;
  logic                       c_valid_reg;
  logic [16:0]                c_dgram_reg;
  logic [11:0]                c_off_reg, c_off;   // IP-relative offset of the next header
  logic [7:0]                 c_fo_reg;           // its frame offset (low byte)
  logic                       c_walked_reg, c_walked;  // one extension header walked
  logic [11:0]                c_off8_reg;         // c_off + 8 (the next header's minimum end)
  logic [16:0]                c_room_reg;         // datagram bytes from c_off on
  logic                       c_fo_far_reg;       // the next header's first two bytes are not captured
  logic [21:0]                c_sum;
  logic [16:0]                c_fold1;
  logic [15:0]                c_fold2;
  logic [11:0]                c_elen;
  logic [12:0]                c_fo;

  always_comb begin
    c_p = b_p_reg;
    c_off = 12'd40;
    c_walked = 1'b0;
    c_sum = '0;
    for (int g = 0; g < 6; g = g + 1) c_sum = c_sum + {3'd0, b_csum_reg[19*g +: 19]};
    c_fold1 = {11'd0, c_sum[21:16]} + {1'b0, c_sum[15:0]};
    c_fold2 = {15'd0, c_fold1[16]} + c_fold1[15:0];   // no carry: c_fold1 <= 0x1003e
    c_elen = {1'b0, b_e1_reg, 3'b000} + 12'd8;
    if (!c_p.ipv6) begin
      if (c_p.reason == R_NONE && c_fold2 != 16'hffff) c_p.reason = R_CHECKSUM;
      if (c_p.reason == R_NONE && b_frag4_reg) c_p.reason = R_FRAGMENT;
      c_off = {6'd0, c_p.l3_hdr_len[5:0]};
    end else if (c_p.reason == R_NONE) begin
      if (c_p.l4_proto == P_FRAG) c_p.reason = R_FRAGMENT;
      else if (is_walked_ext(c_p.l4_proto)) begin
        if (b_dgram_reg < 17'd48) c_p.reason = R_TRUNCATED;
        else if ({5'd0, c_elen} > b_dgram_reg - 17'd40) c_p.reason = R_TRUNCATED;
        else begin
          c_p.nh_off = c_p.l3_off + 8'd40;
          c_p.l4_proto = b_e0_reg;
          c_off = 12'd40 + c_elen;
          c_walked = 1'b1;
        end
      end
    end
    c_fo = {5'd0, c_p.l3_off} + {1'b0, c_off};
  end

  always_ff @(posedge clk) begin
    if (en) begin
      c_off_reg <= c_off;
      c_fo_reg <= c_fo[7:0];
      c_walked_reg <= c_walked;
      c_off8_reg <= c_off + 12'd8;
      c_room_reg <= b_dgram_reg - {5'd0, c_off};
      c_fo_far_reg <= c_fo[12:8] != 5'd0 || c_fo[7:0] > 8'(HDR_BYTES - 2);
      c_dgram_reg <= b_dgram_reg;
      c_p_reg <= c_p;
      c_desc_reg <= b_desc_reg;
      c_valid_reg <= b_valid_reg;
    end
    if (rst) c_valid_reg <= 1'b0;
  end

  // ---- D: IPv6 second extension header -----------------------------------------------
  // Frame offsets of IP-relative multiples of 8 (and of IPv4 header lengths) are
  // 2 mod 4: the reads below select among the 32 such positions.
  function automatic logic [15:0] hword_at(input logic [HDR_BYTES*8-1:0] h, input logic [5:0] q);
    logic [15:0] w;
    w = '0;
    for (int k = 0; k < HDR_BYTES / 4; k = k + 1) begin
      if (q == 6'(k)) w = {h[8*(4*k+2) +: 8], h[8*(4*k+3) +: 8]};
    end
    hword_at = w;
  endfunction

  aipsec_dp_pkg::frame_desc_t d_desc_reg;
  aipsec_dp_pkg::parse_t      d_p_reg, d_p;
  logic                       d_valid_reg;
  logic [16:0]                d_dgram_reg;
  logic [11:0]                d_off_reg, d_off;
  logic [15:0]                d_e;

  always_comb begin
    d_p = c_p_reg;
    d_off = c_off_reg;
    d_e = hword_at(c_desc_reg.hdr, c_fo_reg[7:2]);
    // Lengths were prepared in C so that only a compare and an add follow the read.
    if (d_p.ipv6 && d_p.reason == R_NONE && c_walked_reg) begin
      if (d_p.l4_proto == P_FRAG) d_p.reason = R_FRAGMENT;
      else if (d_p.l4_proto == P_HOP) d_p.reason = R_EXT_LIMIT;  // hop-by-hop only first (RFC 8200 4.3)
      else if (is_walked_ext(d_p.l4_proto)) begin
        if (c_room_reg < 17'd8) d_p.reason = R_TRUNCATED;
        else if (c_fo_far_reg) d_p.reason = R_EXT_LIMIT;
        else if ({6'd0, d_e[7:0], 3'b111} >= c_room_reg) d_p.reason = R_TRUNCATED;  // 8*(len+1) > room
        else begin
          d_p.nh_off = c_fo_reg;
          d_p.l4_proto = d_e[15:8];
          d_off = c_off8_reg + {1'b0, d_e[7:0], 3'b000};
        end
      end
    end
    if (d_p.ipv6) d_p.l3_hdr_len = d_off[7:0];
  end

  always_ff @(posedge clk) begin
    if (en) begin
      d_off_reg <= d_off;
      d_dgram_reg <= c_dgram_reg;
      d_p_reg <= d_p;
      d_desc_reg <= c_desc_reg;
      d_valid_reg <= c_valid_reg;
    end
    if (rst) d_valid_reg <= 1'b0;
  end

  // ---- E: end of chain; upper-layer bytes ------------------------------------------------
  localparam int L4B = 16;                      // UDP header + ESP SPI and sequence number
  function automatic logic [L4B*8-1:0] l4_bytes_at(input logic [HDR_BYTES*8-1:0] h, input logic [5:0] q);
    logic [L4B*8-1:0] w;
    w = '0;
    for (int k = 0; 4 * k + 2 + L4B <= HDR_BYTES; k = k + 1) begin
      if (q == 6'(k)) w = h[8*(4*k+2) +: L4B*8];
    end
    l4_bytes_at = w;
  endfunction

  aipsec_dp_pkg::frame_desc_t e_desc_reg;
  aipsec_dp_pkg::parse_t      e_p_reg, e_p;
  logic                       e_valid_reg;
  logic [L4B*8-1:0]           e_l4_reg;
  logic [16:0]                e_rest_reg;       // datagram bytes from the upper-layer header on
  logic [7:0]                 e_fo_reg;
  logic [12:0]                e_fo;             // frame offset of the upper-layer header

  always_comb begin
    e_p = d_p_reg;
    e_fo = {5'd0, e_p.l3_off} + {1'b0, d_off_reg};
    if (e_p.ipv6 && e_p.reason == R_NONE) begin
      if (e_p.l4_proto == P_FRAG) e_p.reason = R_FRAGMENT;
      else if (is_walked_ext(e_p.l4_proto)) e_p.reason = R_EXT_LIMIT;
      else if (e_fo[12:8] != 5'd0 || e_fo[7:0] > 8'(HDR_BYTES - L4B)) e_p.reason = R_EXT_LIMIT;
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      e_l4_reg <= l4_bytes_at(d_desc_reg.hdr, e_fo[7:2]);
      e_rest_reg <= d_dgram_reg - {5'd0, d_off_reg};
      e_fo_reg <= e_fo[7:0];
      e_p_reg <= e_p;
      e_desc_reg <= d_desc_reg;
      e_valid_reg <= d_valid_reg;
    end
    if (rst) e_valid_reg <= 1'b0;
  end

  // ---- F: ports, ESP, NAT-T ----------------------------------------------------------------
  function automatic logic [7:0] lb(input logic [L4B*8-1:0] l4, input int i);
    lb = l4[8*i +: 8];
  endfunction

  aipsec_dp_pkg::frame_desc_t f_desc_reg;
  aipsec_dp_pkg::parse_t      f_p_reg, f_p;
  logic [15:0]                f_udp_len;
  logic                       f_ok;

  always_comb begin
    f_p = e_p_reg;
    f_udp_len = {lb(e_l4_reg, 4), lb(e_l4_reg, 5)};
    // Upper-layer fields only for a sound IP layer (fragments have a reason).
    f_ok = f_p.reason == R_NONE;
    if (f_ok && (f_p.l4_proto == P_TCP || f_p.l4_proto == P_UDP || f_p.l4_proto == P_SCTP) &&
        e_rest_reg >= 17'd4) begin
      f_p.sport = {lb(e_l4_reg, 0), lb(e_l4_reg, 1)};
      f_p.dport = {lb(e_l4_reg, 2), lb(e_l4_reg, 3)};
    end
    if (f_ok && f_p.l4_proto == P_ESP && e_rest_reg >= 17'd8) begin
      f_p.esp = 1'b1;
      f_p.esp_off = e_fo_reg;
      f_p.spi = {lb(e_l4_reg, 0), lb(e_l4_reg, 1), lb(e_l4_reg, 2), lb(e_l4_reg, 3)};
      f_p.seq = {lb(e_l4_reg, 4), lb(e_l4_reg, 5), lb(e_l4_reg, 6), lb(e_l4_reg, 7)};
    end
    if (f_ok && f_p.l4_proto == P_UDP && e_rest_reg >= 17'd8 && f_p.dport == 16'd4500 &&
        f_udp_len >= 16'd8 && {1'b0, f_udp_len} <= e_rest_reg) begin
      if (f_udp_len == 16'd9 && lb(e_l4_reg, 8) == 8'hff) begin
        f_p.natt_keepalive = 1'b1;
      end else if (f_udp_len >= 16'd12 && e_l4_reg[64 +: 32] == 32'd0) begin
        f_p.ike_marker = 1'b1;
      end else if (f_udp_len >= 16'd16) begin
        f_p.esp = 1'b1;
        f_p.natt = 1'b1;
        f_p.esp_off = e_fo_reg + 8'd8;
        f_p.spi = {lb(e_l4_reg, 8), lb(e_l4_reg, 9), lb(e_l4_reg, 10), lb(e_l4_reg, 11)};
        f_p.seq = {lb(e_l4_reg, 12), lb(e_l4_reg, 13), lb(e_l4_reg, 14), lb(e_l4_reg, 15)};
      end
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      f_p_reg <= f_p;
      f_desc_reg <= e_desc_reg;
      f_valid_reg <= e_valid_reg;
    end
    if (rst) f_valid_reg <= 1'b0;
  end

  assign m_valid = f_valid_reg;
  assign m_desc = f_desc_reg;
  assign m_parse = f_p_reg;

endmodule

`default_nettype wire
