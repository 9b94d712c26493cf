// Output header of a protected frame, and the rest of its dispatcher command
// (docs/hw/datapath.md, outbound path). As the software transforms do it
// (host/src/xform/tunnel.cpp, esp.cpp, natt.cpp):
//   tunnel:    Ethernet (ethertype of the outer family), a new IPv4 header
//              (TOS copied, ECN cleared unless settings.ecn, ID from the SA's
//              counter, DF per settings.dfbit, TTL 64) or IPv6 header (traffic
//              class likewise, flow label 0, hop limit 64)
//   transport: Ethernet and the frame's IP header chain up to the insertion
//              point, with the next header 50 (17 for NAT-T), lengths and the
//              IPv4 checksum rewritten
// then the NAT-T UDP header (checksum 0), SPI, sequence number and IV.
//
// A pipeline of 8 register stages (at most 6 LUT levels between registers;
// all stages move together when the output is free or taken):
//   B0  the inputs (the fields used)
//   B1  IP header view (frame bytes from l3_off, a shift), Ethernet bytes,
//       masks and one-hot positions (copy, checksum words, next-header byte,
//       checksum bytes), small sums (IPv6 payload length, UDP length,
//       l3_off + IP header bytes)
//   B2  IP header without its checksum, checksum words (masked), the tail
//       (NAT-T, SPI, sequence number, IV), next-header byte of the chain
//   B3  IP header and tail moved to their places (shifts); checksum words
//       3:2 compressed (end-around carry: sums modulo 0xffff) 30 -> 7 rows
//   B4  header without the checksum; 7 -> 2 rows
//   B5  the two rows added (with and without carry in)
//   B6  the ones' complement sum (RFC 1071: 0 only when all words are 0)
//   B7  the command, with the IPv4 checksum in the header
`default_nettype none

module aipsec_ob_hdr_build (
  input  wire logic                         clk,
  input  wire logic                         rst,
  input  wire logic                         s_valid,
  output      logic                         s_ready,
  input  wire logic [8*aipsec_dp_pkg::HDR_BYTES-1:0] desc_hdr,
  /* verilator lint_off UNUSEDSIGNAL */  // parse and SA fields other paths use
  input  wire aipsec_dp_pkg::parse_t        parse,
  input  wire aipsec_regs_pkg::sa_context_t sa,
  input  wire logic [31:0]                  settings,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire logic [63:0]                  seq,
  input  wire logic [15:0]                  ipid,
  input  wire logic [15:0]                  pl,          // bytes encrypted (before the trailer)
  input  wire logic [1:0]                   pad,
  input  wire logic [15:0]                  esp_len,     // ESP header to ICV
  input  wire logic [15:0]                  ip_out_len,  // protected IP packet
  input  wire logic [11:0]                  ins,         // transport insertion offset (from the IP header)
  input  wire logic [11:0]                  nhf,         // offset of the next-header byte to rewrite
  input  wire logic                         src,
  input  wire logic [1:0]                   act,
  input  wire logic [63:0]                  tuser,
  output      logic                         m_valid,
  input  wire logic                         m_ready,
  output      aipsec_ob_pkg::ob_cmd_t       cmd
);

  localparam int HB = aipsec_dp_pkg::HDR_BYTES;
  localparam int HDR_MAX = aipsec_ob_pkg::HDR_MAX;
  localparam int NW = 30;                       // checksum words (60 bytes: IHL 15)

  wire en = !m_valid || m_ready;
  assign s_ready = en;

  function automatic logic [15:0] csa_s(input logic [15:0] a, input logic [15:0] b, input logic [15:0] c);
    csa_s = a ^ b ^ c;
  endfunction
  // Carry of a 3:2 compressor, bit 15's carry around to bit 0 (2^16 = 1 mod 0xffff).
  function automatic logic [15:0] csa_c(input logic [15:0] a, input logic [15:0] b, input logic [15:0] c);
    logic [15:0] m;
    m = (a & b) | (a & c) | (b & c);
    csa_c = {m[14:0], m[15]};
  endfunction

  // Fields carried unchanged to the command: src, act, tuser, pl, pad,
  // pad_zero, esn, seq, spi, salt, enc_key, key_256, icv_len.
  localparam int PT_W = 1 + 2 + 64 + 16 + 2 + 1 + 1 + 64 + 32 + 32 + 256 + 1 + 5;

  // ---------------------------------------------------------------- B0
  logic [7:0] v;                                // stage valid, B0..B7
  logic [8*HB-1:0] b0_hdr;
  logic [7:0] b0_l3, b0_tos;
  logic b0_ipv6, b0_df_in, b0_tunnel, b0_ov6, b0_natt, b0_ecn;
  logic [1:0] b0_dfbit;
  logic [127:0] b0_tsrc, b0_tdst;
  logic [15:0] b0_nsport, b0_ndport, b0_ipid, b0_esp_len, b0_ip_out_len;
  logic [11:0] b0_ins, b0_nhf;
  logic [PT_W-1:0] b0_pt;

  always_ff @(posedge clk) begin
    if (en) begin
      b0_hdr <= desc_hdr;
      b0_l3 <= parse.l3_off;
      b0_tos <= parse.tos;
      b0_ipv6 <= parse.ipv6;
      b0_df_in <= parse.df;
      b0_tunnel <= sa.mode == aipsec_regs_pkg::SA_CONTEXT_MODE_TUNNEL;
      b0_ov6 <= sa.outer_ipv6;
      b0_natt <= sa.natt;
      b0_ecn <= settings[aipsec_regs_pkg::CTRL_SETTINGS_ECN_LSB];
      b0_dfbit <= settings[aipsec_regs_pkg::CTRL_SETTINGS_DFBIT_LSB +: 2];
      b0_tsrc <= sa.tunnel_src;
      b0_tdst <= sa.tunnel_dst;
      b0_nsport <= sa.natt_sport;
      b0_ndport <= sa.natt_dport;
      b0_ipid <= ipid;
      b0_esp_len <= esp_len;
      b0_ip_out_len <= ip_out_len;
      b0_ins <= ins;
      b0_nhf <= nhf;
      b0_pt <= {src, act, tuser, pl, pad, sa.pad_mode == aipsec_regs_pkg::SA_CONTEXT_PAD_MODE_ZERO,
                sa.esn, seq, sa.spi, sa.salt, sa.enc_key, sa.enc_key_256, sa.icv_len};
    end
  end

  // ---------------------------------------------------------------- B1
  logic [8*HB-1:0] b1_ip;
  logic [8*22-1:0] b1_eth;
  logic [HB-1:0] b1_cmask, b1_nh1;
  logic [NW-1:0] b1_wmask;
  logic [HDR_MAX-1:0] b1_p10, b1_p11;
  logic [7:0] b1_l3, b1_otos;
  logic b1_ipv6, b1_df, b1_tunnel, b1_ov6, b1_natt, b1_v4out;
  logic [127:0] b1_tsrc, b1_tdst;
  logic [15:0] b1_nsport, b1_ndport, b1_ipid, b1_ip_out_len, b1_len6, b1_udp_len;
  logic [11:0] b1_nhf;
  logic [12:0] b1_lip_tr, b1_lip_t;
  logic [PT_W-1:0] b1_pt;

  always_ff @(posedge clk) begin
    if (en) begin
      b1_ip <= b0_hdr >> (8 * 32'(b0_l3));
      for (int i = 0; i < 22; i = i + 1) begin
        if (b0_tunnel && 32'(b0_l3) == i + 2) b1_eth[8*i +: 8] <= b0_ov6 ? 8'h86 : 8'h08;
        else if (b0_tunnel && 32'(b0_l3) == i + 1) b1_eth[8*i +: 8] <= b0_ov6 ? 8'hdd : 8'h00;
        else if (i < 32'(b0_l3)) b1_eth[8*i +: 8] <= b0_hdr[8*i +: 8];
        else b1_eth[8*i +: 8] <= 8'd0;
      end
      for (int i = 0; i < HB; i = i + 1) begin
        b1_cmask[i] <= i < 32'(b0_ins);
        b1_nh1[i] <= 32'(b0_nhf) == i;
      end
      for (int w = 0; w < NW; w = w + 1) b1_wmask[w] <= 2 * w < (b0_tunnel ? 20 : 32'(b0_ins));
      for (int i = 0; i < HDR_MAX; i = i + 1) begin
        b1_p10[i] <= 32'(b0_l3) + 10 == i;
        b1_p11[i] <= 32'(b0_l3) + 11 == i;
      end
      b1_l3 <= b0_l3;
      b1_otos <= {b0_tos[7:2], b0_ecn ? b0_tos[1:0] : 2'b00};
      // dfbit 2 copies an inner IPv4 DF; an inner IPv6 packet has none: clear.
      b1_df <= b0_dfbit == 2'd1 || (b0_dfbit == 2'd2 && !b0_ipv6 && b0_df_in);
      b1_ipv6 <= b0_ipv6;
      b1_tunnel <= b0_tunnel;
      b1_ov6 <= b0_ov6;
      b1_natt <= b0_natt;
      b1_v4out <= !(b0_tunnel ? b0_ov6 : b0_ipv6);
      b1_tsrc <= b0_tsrc;
      b1_tdst <= b0_tdst;
      b1_nsport <= b0_nsport;
      b1_ndport <= b0_ndport;
      b1_ipid <= b0_ipid;
      b1_ip_out_len <= b0_ip_out_len;
      b1_len6 <= b0_ip_out_len - 16'd40;
      b1_udp_len <= b0_esp_len + 16'd8;
      b1_nhf <= b0_nhf;
      b1_lip_tr <= 13'(b0_l3) + 13'(b0_ins);
      b1_lip_t <= 13'(b0_l3) + (b0_ov6 ? 13'd40 : 13'd20);
      b1_pt <= b0_pt;
    end
  end

  // ---------------------------------------------------------------- B2
  wire [63:0] b1_seq = b1_pt[PT_W-1-1-2-64-16-2-1-1 -: 64];
  wire [31:0] b1_spi = b1_pt[PT_W-1-1-2-64-16-2-1-1-64 -: 32];
  wire [7:0] b1_proto = b1_natt ? 8'd17 : 8'd50;

  logic [8*HB-1:0] ipo;
  logic [8*24-1:0] tail;
  logic [16*NW-1:0] cw;
  always_comb begin
    ipo = '0;
    if (b1_tunnel && !b1_ov6) begin
      ipo[8*0 +: 8] = 8'h45;
      ipo[8*1 +: 8] = b1_otos;
      ipo[8*2 +: 8] = b1_ip_out_len[15:8];
      ipo[8*3 +: 8] = b1_ip_out_len[7:0];
      ipo[8*4 +: 8] = b1_ipid[15:8];
      ipo[8*5 +: 8] = b1_ipid[7:0];
      ipo[8*6 +: 8] = b1_df ? 8'h40 : 8'h00;
      ipo[8*8 +: 8] = 8'd64;
      ipo[8*9 +: 8] = b1_proto;
      for (int i = 0; i < 4; i = i + 1) begin
        ipo[8*(12+i) +: 8] = b1_tsrc[31 - 8*i -: 8];
        ipo[8*(16+i) +: 8] = b1_tdst[31 - 8*i -: 8];
      end
    end else if (b1_tunnel) begin
      ipo[8*0 +: 8] = {4'h6, b1_otos[7:4]};
      ipo[8*1 +: 8] = {b1_otos[3:0], 4'h0};
      ipo[8*4 +: 8] = b1_len6[15:8];
      ipo[8*5 +: 8] = b1_len6[7:0];
      ipo[8*6 +: 8] = b1_proto;
      ipo[8*7 +: 8] = 8'd64;
      for (int i = 0; i < 16; i = i + 1) begin
        ipo[8*(8+i) +: 8] = b1_tsrc[127 - 8*i -: 8];
        ipo[8*(24+i) +: 8] = b1_tdst[127 - 8*i -: 8];
      end
    end else begin
      for (int i = 0; i < HB; i = i + 1) begin
        if (b1_cmask[i]) ipo[8*i +: 8] = b1_ip[8*i +: 8];
      end
      if (!b1_ipv6) begin
        ipo[8*2 +: 8] = b1_ip_out_len[15:8];
        ipo[8*3 +: 8] = b1_ip_out_len[7:0];
        ipo[8*9 +: 8] = b1_proto;
        ipo[8*10 +: 16] = 16'd0;
      end else begin
        ipo[8*4 +: 8] = b1_len6[15:8];
        ipo[8*5 +: 8] = b1_len6[7:0];
        for (int i = 0; i < HB; i = i + 1) begin
          if (b1_nh1[i]) ipo[8*i +: 8] = b1_proto;
        end
      end
    end
    // IPv4 header checksum (RFC 791) over IHL*4 bytes, options included.
    for (int w = 0; w < NW; w = w + 1) begin
      cw[16*w +: 16] = b1_wmask[w] ? {ipo[16*w +: 8], ipo[16*w + 8 +: 8]} : 16'd0;
    end

    tail = '0;
    if (b1_natt) begin
      tail[8*0 +: 8] = b1_nsport[15:8];
      tail[8*1 +: 8] = b1_nsport[7:0];
      tail[8*2 +: 8] = b1_ndport[15:8];
      tail[8*3 +: 8] = b1_ndport[7:0];
      tail[8*4 +: 8] = b1_udp_len[15:8];
      tail[8*5 +: 8] = b1_udp_len[7:0];
    end
    for (int i = 0; i < 4; i = i + 1) begin
      tail[8*(8*32'(b1_natt) + i) +: 8] = b1_spi[31 - 8*i -: 8];
      tail[8*(8*32'(b1_natt) + 4 + i) +: 8] = b1_seq[31 - 8*i -: 8];
    end
    for (int i = 0; i < 8; i = i + 1) begin
      tail[8*(8*32'(b1_natt) + 8 + i) +: 8] = b1_seq[63 - 8*i -: 8];
    end
  end

  logic [8*HB-1:0] b2_ipo;
  logic [8*24-1:0] b2_tail;
  logic [16*NW-1:0] b2_cw;
  logic [8*22-1:0] b2_eth;
  logic [HDR_MAX-1:0] b2_p10, b2_p11;
  logic [7:0] b2_l3, b2_nh_chain, b2_lip, b2_hdr_len;
  logic b2_lip_big, b2_ipv6, b2_tunnel, b2_v4out;
  logic [15:0] b2_pay_start;
  logic [PT_W-1:0] b2_pt;

  always_ff @(posedge clk) begin
    if (en) begin
      b2_ipo <= ipo;
      b2_tail <= tail;
      b2_cw <= cw;
      b2_eth <= b1_eth;
      b2_p10 <= b1_p10;
      b2_p11 <= b1_p11;
      b2_l3 <= b1_l3;
      b2_nh_chain <= 8'(b1_ip >> (8 * 32'(b1_nhf)));
      b2_lip <= b1_tunnel ? b1_lip_t[7:0] : b1_lip_tr[7:0];
      b2_lip_big <= b1_tunnel ? b1_lip_t[12:8] != 5'd0 : b1_lip_tr[12:8] != 5'd0;
      // l3 + IP header bytes + tail bytes (8 bits, as the command holds it)
      b2_hdr_len <= (b1_tunnel ? b1_lip_t[7:0] : b1_lip_tr[7:0]) + (b1_natt ? 8'd24 : 8'd16);
      b2_pay_start <= b1_tunnel ? 16'(b1_l3) : 16'(b1_lip_tr);
      b2_ipv6 <= b1_ipv6;
      b2_tunnel <= b1_tunnel;
      b2_v4out <= b1_v4out;
      b2_pt <= b1_pt;
    end
  end

  // ---------------------------------------------------------------- B3
  logic [16*20-1:0] r20;
  logic [16*14-1:0] r14;
  logic [16*10-1:0] r10;
  logic [16*7-1:0] r7;
  always_comb begin
    for (int g = 0; g < 10; g = g + 1) begin
      r20[16*(2*g) +: 16] = csa_s(b2_cw[16*(3*g) +: 16], b2_cw[16*(3*g+1) +: 16], b2_cw[16*(3*g+2) +: 16]);
      r20[16*(2*g+1) +: 16] = csa_c(b2_cw[16*(3*g) +: 16], b2_cw[16*(3*g+1) +: 16], b2_cw[16*(3*g+2) +: 16]);
    end
    for (int g = 0; g < 6; g = g + 1) begin
      r14[16*(2*g) +: 16] = csa_s(r20[16*(3*g) +: 16], r20[16*(3*g+1) +: 16], r20[16*(3*g+2) +: 16]);
      r14[16*(2*g+1) +: 16] = csa_c(r20[16*(3*g) +: 16], r20[16*(3*g+1) +: 16], r20[16*(3*g+2) +: 16]);
    end
    r14[16*12 +: 32] = r20[16*18 +: 32];
    for (int g = 0; g < 4; g = g + 1) begin
      r10[16*(2*g) +: 16] = csa_s(r14[16*(3*g) +: 16], r14[16*(3*g+1) +: 16], r14[16*(3*g+2) +: 16]);
      r10[16*(2*g+1) +: 16] = csa_c(r14[16*(3*g) +: 16], r14[16*(3*g+1) +: 16], r14[16*(3*g+2) +: 16]);
    end
    r10[16*8 +: 32] = r14[16*12 +: 32];
    for (int g = 0; g < 3; g = g + 1) begin
      r7[16*(2*g) +: 16] = csa_s(r10[16*(3*g) +: 16], r10[16*(3*g+1) +: 16], r10[16*(3*g+2) +: 16]);
      r7[16*(2*g+1) +: 16] = csa_c(r10[16*(3*g) +: 16], r10[16*(3*g+1) +: 16], r10[16*(3*g+2) +: 16]);
    end
    r7[16*6 +: 16] = r10[16*9 +: 16];
  end

  logic [16*7-1:0] b3_r7;
  logic b3_zero;
  logic [8*HDR_MAX-1:0] b3_ipo_sh, b3_tail_sh;
  logic [8*22-1:0] b3_eth;
  logic [HDR_MAX-1:0] b3_p10, b3_p11;
  logic [7:0] b3_next_hdr, b3_hdr_len;
  logic b3_v4out;
  logic [15:0] b3_pay_start;
  logic [PT_W-1:0] b3_pt;

  always_ff @(posedge clk) begin
    if (en) begin
      b3_r7 <= r7;
      b3_zero <= b2_cw == '0;
      b3_ipo_sh <= (HDR_MAX*8)'(b2_ipo) << (8 * 32'(b2_l3));
      b3_tail_sh <= b2_lip_big ? '0 : (HDR_MAX*8)'(b2_tail) << (8 * 32'(b2_lip));
      b3_eth <= b2_eth;
      b3_p10 <= b2_p10;
      b3_p11 <= b2_p11;
      b3_next_hdr <= b2_tunnel ? (b2_ipv6 ? 8'd41 : 8'd4) : b2_nh_chain;
      b3_hdr_len <= b2_hdr_len;
      b3_v4out <= b2_v4out;
      b3_pay_start <= b2_pay_start;
      b3_pt <= b2_pt;
    end
  end

  // ---------------------------------------------------------------- B4
  logic [16*5-1:0] r5;
  logic [16*4-1:0] r4;
  logic [16*3-1:0] r3;
  logic [16*2-1:0] r2;
  always_comb begin
    for (int g = 0; g < 2; g = g + 1) begin
      r5[16*(2*g) +: 16] = csa_s(b3_r7[16*(3*g) +: 16], b3_r7[16*(3*g+1) +: 16], b3_r7[16*(3*g+2) +: 16]);
      r5[16*(2*g+1) +: 16] = csa_c(b3_r7[16*(3*g) +: 16], b3_r7[16*(3*g+1) +: 16], b3_r7[16*(3*g+2) +: 16]);
    end
    r5[16*4 +: 16] = b3_r7[16*6 +: 16];
    r4[16*0 +: 16] = csa_s(r5[16*0 +: 16], r5[16*1 +: 16], r5[16*2 +: 16]);
    r4[16*1 +: 16] = csa_c(r5[16*0 +: 16], r5[16*1 +: 16], r5[16*2 +: 16]);
    r4[16*2 +: 32] = r5[16*3 +: 32];
    r3[16*0 +: 16] = csa_s(r4[16*0 +: 16], r4[16*1 +: 16], r4[16*2 +: 16]);
    r3[16*1 +: 16] = csa_c(r4[16*0 +: 16], r4[16*1 +: 16], r4[16*2 +: 16]);
    r3[16*2 +: 16] = r4[16*3 +: 16];
    r2[16*0 +: 16] = csa_s(r3[16*0 +: 16], r3[16*1 +: 16], r3[16*2 +: 16]);
    r2[16*1 +: 16] = csa_c(r3[16*0 +: 16], r3[16*1 +: 16], r3[16*2 +: 16]);
  end

  logic [16*2-1:0] b4_r2;
  logic b4_zero;
  logic [8*HDR_MAX-1:0] b4_hdr;
  logic [HDR_MAX-1:0] b4_p10, b4_p11;
  logic [7:0] b4_next_hdr, b4_hdr_len;
  logic b4_v4out;
  logic [15:0] b4_pay_start;
  logic [PT_W-1:0] b4_pt;

  always_ff @(posedge clk) begin
    if (en) begin
      b4_r2 <= r2;
      b4_zero <= b3_zero;
      b4_hdr <= (HDR_MAX*8)'(b3_eth) | b3_ipo_sh | b3_tail_sh;
      b4_p10 <= b3_p10;
      b4_p11 <= b3_p11;
      b4_next_hdr <= b3_next_hdr;
      b4_hdr_len <= b3_hdr_len;
      b4_v4out <= b3_v4out;
      b4_pay_start <= b3_pay_start;
      b4_pt <= b3_pt;
    end
  end

  // ---------------------------------------------------------------- B5, B6
  logic [16:0] b5_s0;
  logic [15:0] b5_s1;
  logic b5_zero;
  logic [8*HDR_MAX-1:0] b5_hdr, b6_hdr;
  logic [HDR_MAX-1:0] b5_p10, b5_p11, b6_p10, b6_p11;
  logic [7:0] b5_next_hdr, b5_hdr_len, b6_next_hdr, b6_hdr_len;
  logic b5_v4out, b6_v4out;
  logic [15:0] b5_pay_start, b6_pay_start, b6_cks;
  logic [PT_W-1:0] b5_pt, b6_pt;
  wire [15:0] b5_r = b5_s0[16] ? b5_s1 : b5_s0[15:0];

  always_ff @(posedge clk) begin
    if (en) begin
      b5_s0 <= 17'(b4_r2[15:0]) + 17'(b4_r2[31:16]);
      b5_s1 <= 16'(({b4_r2[15:0], 1'b1} + {b4_r2[31:16], 1'b1}) >> 1);
      b5_zero <= b4_zero;
      b5_hdr <= b4_hdr;
      b5_p10 <= b4_p10;
      b5_p11 <= b4_p11;
      b5_next_hdr <= b4_next_hdr;
      b5_hdr_len <= b4_hdr_len;
      b5_v4out <= b4_v4out;
      b5_pay_start <= b4_pay_start;
      b5_pt <= b4_pt;

      // Sum modulo 0xffff in 0..0xffff; a serial ones' complement sum from 0
      // is 0 only for all words 0, else 1..0xffff.
      b6_cks <= b5_zero ? 16'd0 : (b5_r == 16'd0 ? 16'hffff : b5_r);
      b6_hdr <= b5_hdr;
      b6_p10 <= b5_p10;
      b6_p11 <= b5_p11;
      b6_next_hdr <= b5_next_hdr;
      b6_hdr_len <= b5_hdr_len;
      b6_v4out <= b5_v4out;
      b6_pay_start <= b5_pay_start;
      b6_pt <= b5_pt;
    end
  end

  // ---------------------------------------------------------------- B7
  logic b6_src, b6_pad_zero, b6_esn, b6_key_256;
  logic [1:0] b6_act, b6_pad;
  logic [63:0] b6_tuser, b6_seq;
  logic [15:0] b6_pl;
  logic [31:0] b6_spi, b6_salt;
  logic [255:0] b6_key;
  logic [4:0] b6_icv;
  assign {b6_src, b6_act, b6_tuser, b6_pl, b6_pad, b6_pad_zero, b6_esn, b6_seq, b6_spi, b6_salt,
          b6_key, b6_key_256, b6_icv} = b6_pt;

  always_ff @(posedge clk) begin
    if (en) begin
      cmd.src <= b6_src;
      cmd.act <= b6_act;
      cmd.tuser <= b6_tuser;
      cmd.pay_start <= b6_pay_start;
      cmd.pay_len <= b6_pl;
      cmd.pad_len <= b6_pad;
      cmd.pad_zero <= b6_pad_zero;
      cmd.next_hdr <= b6_next_hdr;
      for (int i = 0; i < 4; i = i + 1) begin
        cmd.aad[8*i +: 8] <= b6_spi[31 - 8*i -: 8];
        cmd.aad[8*(4+i) +: 8] <= b6_esn ? b6_seq[63 - 8*i -: 8] : b6_seq[31 - 8*i -: 8];
        cmd.aad[8*(8+i) +: 8] <= b6_esn ? b6_seq[31 - 8*i -: 8] : 8'd0;
      end
      cmd.esn <= b6_esn;
      for (int i = 0; i < 32; i = i + 1) cmd.key[8*i +: 8] <= b6_key[255 - 8*i -: 8];
      cmd.key_256 <= b6_key_256;
      for (int i = 0; i < 4; i = i + 1) cmd.nonce[8*i +: 8] <= b6_salt[31 - 8*i -: 8];
      for (int i = 0; i < 8; i = i + 1) cmd.nonce[8*(4+i) +: 8] <= b6_seq[63 - 8*i -: 8];
      cmd.icv_len <= b6_icv;
      cmd.hdr_len <= b6_hdr_len;
      for (int i = 0; i < HDR_MAX; i = i + 1) begin
        cmd.hdr[8*i +: 8] <= b6_hdr[8*i +: 8] | (b6_v4out && b6_p10[i] ? ~b6_cks[15:8] : 8'd0) |
                             (b6_v4out && b6_p11[i] ? ~b6_cks[7:0] : 8'd0);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (en) v <= {v[6:0], s_valid};
    if (rst) v <= '0;
  end
  assign m_valid = v[7];

endmodule

`default_nettype wire
