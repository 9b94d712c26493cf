// Inbound output stage: takes the jobs in order and, for each, the frame
// from the side FIFO or the plaintext from the buffer with its tail record.
// For a decrypted packet it decides the verdict in the software's order
// (host/src/xform/xform.cpp xform_input, esp.cpp esp_input, tunnel.cpp):
// hard lifetime, replay recheck against the committed window, ICV, window
// update, padding, dummy packet, next header, inner header, ECN (RFC 6040),
// selectors; then writes the decapsulated frame through a byte packer to the
// plain side, or drops / mirrors it, and emits the counter and SA events.
// It owns the SA live state (highest sequence number, replay memory, lifetime
// counts) and gives the classifier read access to it.
//
// The verdict is a pipeline of at most 6 LUT levels between registers (all
// stages move together, when the last one can hand its command on; the job
// after a decrypted packet waits one clock, so that the only live-state write
// a job in R can miss is that of L2, which is forwarded):
//
//   S0  the job and its tail record
//   P1  what depends on the job and tail record only, first part: padding
//       compares, next header, inner version / lengths / addresses / ports,
//       selector prefix masks, outer and inner ECN, the inner IPv4 checksum
//       (carry-save tree down to 4 rows), next header put into the outer
//       header, the tunnel header (Ethernet + inner header) shifted to l3,
//       replay ring mask, seq + window and lifetime thresholds (low parts)
//   P2  plaintext length, padding verdict, inner checksum rows with the
//       original and the ECN-patched first word (2 rows each), outer header
//       aligned (transport), replay word address, thresholds completed,
//       selector mismatch
//   P3  inner length checks, inner checksums (end-around-carry adds), IP
//       length of the transport packet, outer checksum tree (4 rows), body
//       range, header length
//   P4  inner checksum compare, outer checksum rows (2), body range in beats
//   P5  the reason when the live state passes (padding .. selectors, in the
//       software's order), outer checksum, metadata length, mover constants
//   R   the header assembled; reads the SA's live state (top, epoch, dead,
//       soft sent, packet and byte counts; the write of the job in L2 in the
//       same clock forwarded) and the replay word (registered read)
//   L1  replay compares (balanced trees), new window word and top, lifetime
//       compares against the thresholds, next counts
//   L2  the reason (dead, replay, ICV first, then the one from P5), the live
//       state written back (an SA write in the clocks since R wins, as it
//       does when it comes after the verdict), counter events, the command
//       to the mover and the packet meta
//
// The mover (header beats from a shift register, body beats with their range
// in beat flags counted ahead, side FIFO frames through a pipe register, SA
// events) takes the commands from a two-entry FIFO; the beats it makes for the
// byte packer go through a pipe register, so the packer is fed from registers.
`default_nettype none
/* verilator lint_off PINCONNECTEMPTY */  // FIFO fill counts are used where needed only

module aipsec_inbound_out #(
  parameter int DATA_W = 128,
  parameter int SA_COUNT = 64,
  parameter int REPLAY_WORDS = 8192
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire aipsec_inbound_pkg::job_t s_job,
  input  wire logic              s_job_valid,
  output      logic              s_job_ready,

  input  wire logic [DATA_W-1:0] s_side_tdata,
  input  wire logic [KW-1:0]     s_side_tkeep,
  input  wire logic              s_side_tlast,
  input  wire logic              s_side_tvalid,
  output      logic              s_side_tready,

  input  wire logic [DATA_W-1:0] s_buf_tdata,
  /* verilator lint_off UNUSEDSIGNAL */  // the body range is counted from the trailer, not the keep bits
  input  wire logic [KW-1:0]     s_buf_tkeep,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire logic              s_buf_tlast,
  input  wire logic              s_buf_tvalid,
  output      logic              s_buf_tready,

  input  wire aipsec_inbound_pkg::tail_t s_tail,
  input  wire logic              s_tail_valid,
  output      logic              s_tail_ready,

  // SA writes reset the live state
  input  wire logic              sa_wr,
  input  wire logic [SW-1:0]     sa_wr_index,
  input  wire logic [63:0]       sa_wr_seq,

  // classifier's read access
  input  wire logic [SW-1:0]     rd_index,
  output      logic [63:0]       rd_top,
  output      logic              rd_dead,
  output      logic [aipsec_inbound_pkg::EPOCH_W-1:0] rd_epoch,
  /* verilator lint_off UNUSEDSIGNAL */  // addresses past REPLAY_WORDS are the host's error
  input  wire logic [15:0]       rd_word_addr,
  /* verilator lint_on UNUSEDSIGNAL */
  output      logic [aipsec_inbound_pkg::RWORD_W-1:0] rd_word,   // one clock after the address

  output      logic [DATA_W-1:0] m_axis_tdata,
  output      logic [KW-1:0]     m_axis_tkeep,
  output      logic              m_axis_tlast,
  output      logic [63:0]       m_axis_tuser,
  output      logic              m_axis_tvalid,
  input  wire logic              m_axis_tready,

  output      logic [DATA_W-1:0] m_host_tdata,
  output      logic [KW-1:0]     m_host_tkeep,
  output      logic              m_host_tlast,
  output      logic [63:0]       m_host_tuser,
  output      logic              m_host_tvalid,
  input  wire logic              m_host_tready,

  output      logic              m_sa_cnt_valid,
  output      logic [SW-1:0]     m_sa_cnt_index,
  output      logic [15:0]       m_sa_cnt_bytes,
  output      logic              m_drop_valid,
  output      logic [7:0]        m_drop_reason
);
  localparam int KW = DATA_W / 8;
  localparam int OW = $clog2(KW);
  localparam int QW = 16 - OW;                 // beat number of a 16-bit stream offset
  localparam int SW = $clog2(SA_COUNT);
  localparam int RW = aipsec_inbound_pkg::RWORD_W;
  localparam int EW = aipsec_inbound_pkg::EPOCH_W;
  localparam int HB = aipsec_dp_pkg::HDR_BYTES;
  localparam int CAP = aipsec_inbound_pkg::CAP_BYTES;
  localparam int RAW = $clog2(REPLAY_WORDS);
  localparam int CAPB = CAP * 8;
  localparam int PG = KW < 16 ? KW : 16;       // side keep bits counted per group
  localparam int NG = KW / PG;

  // ---------------------------------------------------------------- live state
  logic [63:0] top_mem [0:SA_COUNT-1];
  logic [EW-1:0] epoch_mem [0:SA_COUNT-1];
  logic [SA_COUNT-1:0] dead_mem, soft_sent_mem;
  logic [63:0] pkts_mem [0:SA_COUNT-1];
  logic [63:0] bytes_mem [0:SA_COUNT-1];
  logic [RW-1:0] replay_mem [0:REPLAY_WORDS-1];

  assign rd_top = top_mem[rd_index];
  assign rd_dead = dead_mem[rd_index];
  assign rd_epoch = epoch_mem[rd_index];
  always_ff @(posedge clk) rd_word <= replay_mem[RAW'(rd_word_addr)];

  // ---------------------------------------------------------------- helpers
  function automatic logic [15:0] be16(input logic [CAP*8-1:0] b, input int i);
    be16 = {b[8*i +: 8], b[8*(i+1) +: 8]};
  endfunction
  // Sum and carry rows of a 3:2 compressor modulo 0xffff (bit 15's carry
  // goes around to bit 0: 2^16 = 1 mod 0xffff).
  function automatic logic [31:0] csa(input logic [15:0] a, input logic [15:0] b, input logic [15:0] c);
    logic [15:0] m;
    m = (a & b) | (a & c) | (b & c);
    csa = {m[14:0], m[15], a ^ b ^ c};
  endfunction
  // 28 words to 4 rows through five layers of compressors (28 -> 19 -> 13
  // -> 9 -> 6 -> 4; a row left over in a layer passes to the next).
  function automatic logic [16*4-1:0] csa28_4(input logic [16*28-1:0] ws);
    logic [16*19-1:0] r19;
    logic [16*13-1:0] r13;
    logic [16*9-1:0] r9;
    logic [16*6-1:0] r6;
    logic [16*4-1:0] r4;
    for (int g = 0; g < 9; g = g + 1)
      r19[32*g +: 32] = csa(ws[16*(3*g) +: 16], ws[16*(3*g+1) +: 16], ws[16*(3*g+2) +: 16]);
    r19[16*18 +: 16] = ws[16*27 +: 16];
    for (int g = 0; g < 6; g = g + 1)
      r13[32*g +: 32] = csa(r19[16*(3*g) +: 16], r19[16*(3*g+1) +: 16], r19[16*(3*g+2) +: 16]);
    r13[16*12 +: 16] = r19[16*18 +: 16];
    for (int g = 0; g < 4; g = g + 1)
      r9[32*g +: 32] = csa(r13[16*(3*g) +: 16], r13[16*(3*g+1) +: 16], r13[16*(3*g+2) +: 16]);
    r9[16*8 +: 16] = r13[16*12 +: 16];
    for (int g = 0; g < 3; g = g + 1)
      r6[32*g +: 32] = csa(r9[16*(3*g) +: 16], r9[16*(3*g+1) +: 16], r9[16*(3*g+2) +: 16]);
    for (int g = 0; g < 2; g = g + 1)
      r4[32*g +: 32] = csa(r6[16*(3*g) +: 16], r6[16*(3*g+1) +: 16], r6[16*(3*g+2) +: 16]);
    csa28_4 = r4;
  endfunction
  // a + b with end-around carry: the one's complement sum as the serial
  // fold gives it (0 only when both rows are 0, which the compressors keep
  // only for all-zero words).
  function automatic logic [15:0] add_eac(input logic [15:0] a, input logic [15:0] b);
    logic [16:0] s0;
    logic [15:0] s1;
    s0 = {1'b0, a} + {1'b0, b};
    s1 = a + b + 16'd1;
    add_eac = s0[16] ? s1 : s0[15:0];
  endfunction
  // Selector prefix mask of an address (IPv4 in the low 32 bits).
  function automatic logic [127:0] pmask(input logic [7:0] plen, input logic v6);
    logic [127:0] m;
    for (int i = 0; i < 128; i = i + 1) begin
      if (i < 32) m[i] = v6 ? (8'(127 - i) < plen) : (8'(31 - i) < plen);
      else m[i] = v6 && (8'(127 - i) < plen);
    end
    pmask = m;
  endfunction

  // The inbound packet-metadata word (aipsec_dp_pkg::packet_meta).
  function automatic logic [63:0] meta(input logic [1:0] port, input logic kind, input logic exc, input logic mir,
                                       input logic evt, input logic [7:0] reason, input logic [15:0] index,
                                       input logic [15:0] len, input logic [7:0] l3);
    meta = aipsec_dp_pkg::packet_meta(aipsec_regs_pkg::PACKET_META_DIRECTION_INBOUND, port, kind, exc, mir, evt,
                                      reason, index, len, l3);
  endfunction

  // ---------------------------------------------------------------- mover command
  typedef enum logic [3:0] {
    O_IDLE, O_HDR, O_BODY, O_SIDE_PACK, O_SIDE_HOST, O_SIDE_DROP, O_EVENT
  } ostate_t;

  // What the mover does with one packet (made by the verdict stage). The
  // body range [lo, hi) of the plaintext stream is given in beats: lq/lr and
  // hq/hr the beat and byte of lo and hi, hc the beats up to hi (rounded up),
  // and the flags of beat 0.
  typedef struct packed {
    ostate_t         first;        // O_HDR, O_BODY (a rejected packet's buffer), O_SIDE_*
    logic [HB*8-1:0] hdr;
    logic [7:0]      hdr_len;
    logic            body_empty;   // hi <= lo
    logic [OW-1:0]   lr, hr;
    logic            lr_nz;
    logic [OW:0]     d_hl, d_kl;   // hr - lr, KW - lr
    logic [QW-1:0]   lq_m1, hq_m1, hc_m2;
    logic            eq_l0, eq_h0, lt_hc0, last_h0, gt_l0;
    logic            body_done;
    logic            mirror_copy;  // the side FIFO holds a copy of this frame
    logic            fwd_copy;     // and it goes to the host
    logic [63:0]     host_tuser;
    logic [1:0]      ev_pending;   // bit 0: lifetime_soft, bit 1: lifetime_expired
    logic [63:0]     ev_tuser;
  } cmd_t;

  // ---------------------------------------------------------------- pipeline registers
  /* verilator lint_off UNUSEDSIGNAL */  // each stage uses a part of the job and record
  aipsec_inbound_pkg::job_t j0, j1, j2, j3, j4, j5, jr, jl1, jl2;
  aipsec_inbound_pkg::tail_t t0, t1, t2, t3, t4, t5, tr, tl1, tl2;
  /* verilator lint_on UNUSEDSIGNAL */
  logic v0, v1, v2, v3, v4, v5, vr, vl1, vl2;

  logic cmd_ready, cmd_valid, cmd_pop, tu_ready;
  // All stages move together when L2 is empty or hands its job on.
  wire adv = !vl2 || (tu_ready && cmd_ready);
  wire s_is_decrypt = s_job.kind == aipsec_inbound_pkg::JOB_DECRYPT;
  wire d_load = adv && !(v0 && j0.kind == aipsec_inbound_pkg::JOB_DECRYPT) && s_job_valid &&
                (!s_is_decrypt || s_tail_valid);
  assign s_job_ready = d_load;
  assign s_tail_ready = d_load && s_is_decrypt;

  // ================================================================ P1 (from S0)
  wire [7:0] l3_0 = {3'd0, j0.l3_off[4:0]};
  wire [7:0] pad0 = t0.pad_len;
  wire [7:0] nh0 = t0.next_hdr;
  wire ver4_0 = t0.head[7:4] == 4'd4;
  wire ver6_0 = t0.head[7:4] == 4'd6;
  wire [7:0] hl4_0 = {2'b00, t0.head[3:0], 2'b00};
  wire tun_v6_0 = j0.tunnel && ver6_0;
  wire in_v6_0 = j0.tunnel ? ver6_0 : j0.ipv6;
  wire [7:0] in_proto_0 = !j0.tunnel ? nh0 : ver4_0 ? t0.head[8*9 +: 8] : ver6_0 ? t0.head[8*6 +: 8] : 8'd0;
  logic [127:0] in_src_0, in_dst_0;
  logic [15:0] in_sport_0, in_dport_0;
  logic [15:0] v4sp_0, v4dp_0;
  logic [31:0] hsh_0;
  logic [HB*8-1:0] hdr_nh_0, tbase_0;
  logic [HB*8+CAP*8-1:0] tsh_0;
  logic [1:0] o_ecn_0;
  /* verilator lint_off UNUSEDSIGNAL */  // the ECN bits of the outer TOS / traffic class byte only
  logic [7:0] obyte1_0;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] l3hot_0;
  logic [15:0] w_in [0:29];
  logic [16*28-1:0] ws_in, ws_out;
  logic [16*4-1:0] ca4;
  always_comb begin
    in_src_0 = '0;
    in_dst_0 = '0;
    for (int i = 0; i < 16; i = i + 1) begin
      in_src_0[127 - 8*i -: 8] = t0.head[8*(8 + i) +: 8];
      in_dst_0[127 - 8*i -: 8] = t0.head[8*(24 + i) +: 8];
    end
    if (!j0.tunnel) begin
      in_src_0 = j0.src;
      in_dst_0 = j0.dst;
    end else if (!ver6_0) begin
      in_src_0 = ver4_0 ? {96'd0, t0.head[8*12 +: 8], t0.head[8*13 +: 8], t0.head[8*14 +: 8], t0.head[8*15 +: 8]} : '0;
      in_dst_0 = ver4_0 ? {96'd0, t0.head[8*16 +: 8], t0.head[8*17 +: 8], t0.head[8*18 +: 8], t0.head[8*19 +: 8]} : '0;
    end
    // ports of the inner IPv4 header after its IHL words
    hsh_0 = 32'(t0.head >> (32 * t0.head[3:0]));
    v4sp_0 = {hsh_0[7:0], hsh_0[15:8]};
    v4dp_0 = {hsh_0[23:16], hsh_0[31:24]};
    in_sport_0 = 16'd0;
    in_dport_0 = 16'd0;
    if (in_proto_0 == 8'd6 || in_proto_0 == 8'd17 || in_proto_0 == 8'd132) begin
      if (!j0.tunnel) begin
        in_sport_0 = be16(t0.head, 0);
        in_dport_0 = be16(t0.head, 2);
      end else if (ver6_0) begin
        in_sport_0 = be16(t0.head, 40);
        in_dport_0 = be16(t0.head, 42);
      end else if (ver4_0) begin
        in_sport_0 = v4sp_0;
        in_dport_0 = v4dp_0;
      end
    end
    // the outer header with the next header restored (fix_ip_lengths)
    hdr_nh_0 = j0.hdr;
    for (int i = 0; i < HB; i = i + 1) if (j0.nh_off[6:0] == 7'(i)) hdr_nh_0[8*i +: 8] = nh0;
    // Ethernet header + the inner header at l3 (the tunnel's output header)
    tsh_0 = {{HB*8{1'b0}}, t0.head} << (8 * l3_0);
    for (int i = 0; i < HB; i = i + 1) tbase_0[8*i +: 8] = (8'(i) < l3_0) ? j0.hdr[8*i +: 8] : tsh_0[8*i +: 8];
    obyte1_0 = 8'(j0.hdr >> (8 * (l3_0 + 8'd1)));
    o_ecn_0 = j0.ipv6 ? obyte1_0[5:4] : obyte1_0[1:0];
    l3hot_0 = 32'd1 << l3_0[4:0];
    // inner IPv4 checksum: words 1..29 but 5 (the checksum), those inside
    // the IHL, to 4 rows
    for (int k = 0; k < 30; k = k + 1)
      w_in[k] = (k != 5 && 5'(k) < {t0.head[3:0], 1'b0}) ? be16(t0.head, 2*k) : 16'd0;
    begin
      for (int k = 1; k < 30; k = k + 1) if (k != 5) ws_in[16*(k < 5 ? k - 1 : k - 2) +: 16] = w_in[k];
      ca4 = csa28_4(ws_in);
    end
  end

  // P1 registers
  logic [8:0]  p1_pad2;
  logic [9:0]  p1_padm1;
  logic        p1_pad_nz, p1_pad_eq, p1_mode1_ok, p1_nh59, p1_nh_tun_ok;
  logic        p1_ver4, p1_ver6, p1_in_v6, p1_tun_v6;
  logic [7:0]  p1_in_hl, p1_in_proto, p1_hdr_len;
  logic [15:0] p1_tot4, p1_tot6;
  logic [127:0] p1_in_src, p1_in_dst, p1_msrc, p1_mdst;
  logic [15:0] p1_sport, p1_dport;
  logic [HB*8-1:0] p1_hdr_nh, p1_tbase;
  logic [1:0]  p1_o_ecn, p1_i_ecn;
  logic [31:0] p1_l3hot;
  logic [16*4-1:0] p1_ca4;
  logic [15:0] p1_w0, p1_ring;
  logic [16:0] p1_sw_lo;
  logic [47:0] p1_sw_hi;
  logic        p1_sw_hic, p1_seq_z, p1_win_z;
  logic [63:0] p1_oh64;
  logic [31:0] p1_hp1, p1_sp1;
  logic        p1_hp_nz, p1_sp_nz, p1_hb_nz, p1_sb_nz;
  logic [16:0] p1_hb_lo, p1_sb_lo;
  logic [47:0] p1_hb_dec, p1_sb_dec;
  logic        p1_hb_hiz, p1_sb_hiz;

  // ================================================================ P2 (from P1)
  wire [15:0] plain_1 = j1.text_len - 16'(p1_pad2);
  wire pad_short_1 = 16'(p1_pad2) > j1.text_len;
  wire mode0_ok_1 = p1_pad_eq && t1.seq_run >= p1_padm1;
  logic [1:0] n_ecn_1;
  logic [7:0] byte1p_1;
  logic patch_1;
  logic [16*3-1:0] cb3;
  logic [16*2-1:0] cb2, cb2o, cb2p;
  logic [CAP*8-1:0] oh_1;
  logic [29:0] om_1;
  logic sel_bad_1;
  always_comb begin
    // RFC 6040 4.2 (tunnel.cpp combine_ecn)
    n_ecn_1 = p1_i_ecn;
    if (p1_o_ecn == 2'd3) n_ecn_1 = 2'd3;
    else if (p1_o_ecn == 2'd1 && p1_i_ecn == 2'd2) n_ecn_1 = 2'd1;
    patch_1 = j1.ecn && n_ecn_1 != p1_i_ecn;
    byte1p_1 = t1.head[15:8];
    if (p1_ver6) byte1p_1[5:4] = n_ecn_1;
    else byte1p_1[1:0] = n_ecn_1;
    cb3[0 +: 32] = csa(p1_ca4[0 +: 16], p1_ca4[16 +: 16], p1_ca4[32 +: 16]);
    cb3[32 +: 16] = p1_ca4[48 +: 16];
    cb2 = csa(cb3[0 +: 16], cb3[16 +: 16], cb3[32 +: 16]);
    cb2o = csa(cb2[0 +: 16], cb2[16 +: 16], p1_w0);
    cb2p = csa(cb2[0 +: 16], cb2[16 +: 16], p1_in_hl != 8'd0 ? {t1.head[7:0], byte1p_1} : 16'd0);
    // the outer IP header (transport), aligned
    oh_1 = CAPB'(p1_hdr_nh >> (8 * {3'd0, j1.l3_off[4:0]}));
    for (int k = 0; k < 30; k = k + 1) om_1[k] = 8'(2*k) < j1.l3_hdr_len;
    // selectors (sa.sel_check): inner family, prefixes, protocol, ports
    sel_bad_1 = p1_in_v6 != j1.sel_ipv6 ||
                |((p1_in_src ^ j1.sel_src) & p1_msrc) ||
                |((p1_in_dst ^ j1.sel_dst) & p1_mdst) ||
                (j1.sel_proto != 8'd255 && j1.sel_proto != p1_in_proto) ||
                (j1.sel_sport != 16'd0 && j1.sel_sport != p1_sport) ||
                (j1.sel_dport != 16'd0 && j1.sel_dport != p1_dport);
  end

  // P2 registers
  logic [15:0] p2_plain;
  logic        p2_pad_bad, p2_nh59, p2_nh_tun_ok, p2_ver4, p2_ver6, p2_in_v6, p2_tun_v6, p2_patch, p2_ce;
  logic [7:0]  p2_in_hl, p2_hdr_len, p2_byte1p;
  logic [15:0] p2_in_total;
  logic [16*2-1:0] p2_cbo, p2_cbp;
  logic [CAP*8-1:0] p2_oh;
  logic [29:0] p2_om;
  logic [HB*8-1:0] p2_hdr_nh, p2_tbase;
  logic [31:0] p2_l3hot;
  logic        p2_sel_bad;
  // what the live-state stages use of a job, from P2 on
  typedef struct packed {
    logic [RAW-1:0] addr;          // replay word
    logic [64:0]    seqw;          // seq + window
    logic           seq_z, win_z;
    logic [63:0]    oh64;          // bit seq[5:0] of the word
    logic [31:0]    hp1, sp1;      // packet limits - 1
    logic           hp_nz, sp_nz, hb_nz, sb_nz;
    logic           hb_lt, sb_lt;  // byte limit < esp_len
    logic [63:0]    hbm, sbm;      // byte limits - esp_len
  } lvc_t;
  lvc_t p2_lv, p3_lv, p4_lv, p5_lv, r_lv, l1_lv;

  // ================================================================ P3 (from P2)
  logic [15:0] w_out [0:29];
  logic [16*4-1:0] cc4;
  always_comb begin
    // outer IPv4 checksum (transport): words 0..29 but 1 (the length) and 5
    for (int k = 0; k < 30; k = k + 1) w_out[k] = (k != 1 && k != 5 && p2_om[k]) ? be16(p2_oh, 2*k) : 16'd0;
    begin
      for (int k = 0; k < 30; k = k + 1)
        if (k != 1 && k != 5) ws_out[16*(k == 0 ? 0 : k < 5 ? k - 1 : k - 2) +: 16] = w_out[k];
      cc4 = csa28_4(ws_out);
    end
  end

  // P3 registers
  logic        p3_pad_bad, p3_nh59, p3_nh_tun_ok, p3_ver4, p3_ver6, p3_in_v6, p3_tun_v6, p3_patch, p3_ce, p3_sel_bad;
  logic        p3_lt20, p3_hl_lt20, p3_hl_gt, p3_tot_lt_hl, p3_tot_gt, p3_lt40, p3_tot6_gt;
  logic [15:0] p3_csum_in, p3_csum_p, p3_ip_len, p3_body_lo, p3_body_hi;
  logic [7:0]  p3_hdr_len, p3_byte1p;
  logic [16*4-1:0] p3_cc4;
  logic        p3_om1;
  logic [HB*8-1:0] p3_hdr_nh, p3_tbase;
  logic [31:0] p3_l3hot;

  // ================================================================ P4 (from P3)
  logic [16*3-1:0] cd3;
  logic [16*2-1:0] cd2, cd2b;
  always_comb begin
    cd3[0 +: 32] = csa(p3_cc4[0 +: 16], p3_cc4[16 +: 16], p3_cc4[32 +: 16]);
    cd3[32 +: 16] = p3_cc4[48 +: 16];
    cd2 = csa(cd3[0 +: 16], cd3[16 +: 16], cd3[32 +: 16]);
    cd2b = csa(cd2[0 +: 16], cd2[16 +: 16], p3_om1 ? p3_ip_len : 16'd0);
  end

  // P4 registers
  logic        p4_pad_bad, p4_nh59, p4_nh_tun_ok, p4_ver4, p4_ver6, p4_in_v6, p4_tun_v6, p4_patch, p4_ce, p4_sel_bad;
  logic        p4_lt20, p4_hl_lt20, p4_hl_gt, p4_tot_lt_hl, p4_tot_gt, p4_lt40, p4_tot6_gt, p4_csum_bad;
  logic [15:0] p4_csum_p, p4_ip_len, p4_len6, p4_meta_a, p4_body_lo;
  logic [7:0]  p4_hdr_len, p4_byte1p;
  logic [16*2-1:0] p4_cd2;
  logic [HB*8-1:0] p4_hdr_nh, p4_tbase;
  logic [31:0] p4_l3hot;
  logic        p4_body_empty, p4_hr_nz;
  logic [QW-1:0] p4_lq, p4_hq, p4_lq_m1, p4_hq_m1;
  logic [OW-1:0] p4_lr, p4_hr;

  // ================================================================ P5 (from P4)
  // The reason when the replay, ICV and lifetime checks pass, in the
  // software's order: padding, dummy, next header, inner header, ECN, selectors.
  logic [7:0] rest_4;
  always_comb begin
    rest_4 = aipsec_regs_pkg::REASON_NONE;
    if (p4_pad_bad) rest_4 = aipsec_regs_pkg::REASON_BAD_PADDING;
    else if (p4_nh59) rest_4 = aipsec_regs_pkg::REASON_DUMMY_PACKET;
    else if (j4.tunnel && !p4_nh_tun_ok) rest_4 = aipsec_regs_pkg::REASON_BAD_NEXT_HEADER;
    else if (j4.tunnel && p4_ver4) begin
      // the order of the software's parse_ipv4
      if (p4_lt20) rest_4 = aipsec_regs_pkg::REASON_TRUNCATED;
      else if (p4_hl_lt20) rest_4 = aipsec_regs_pkg::REASON_MALFORMED_IP;
      else if (p4_hl_gt) rest_4 = aipsec_regs_pkg::REASON_TRUNCATED;
      else if (p4_tot_lt_hl) rest_4 = aipsec_regs_pkg::REASON_MALFORMED_IP;
      else if (p4_tot_gt) rest_4 = aipsec_regs_pkg::REASON_TRUNCATED;
      else if (p4_csum_bad) rest_4 = aipsec_regs_pkg::REASON_BAD_IP_CHECKSUM;
      else if (p4_ce) rest_4 = aipsec_regs_pkg::REASON_ECN_CE_NOT_ECT;
      else if (p4_sel_bad) rest_4 = aipsec_regs_pkg::REASON_SELECTOR_MISMATCH;
    end else if (j4.tunnel && p4_ver6) begin
      if (p4_lt40 || p4_tot6_gt) rest_4 = aipsec_regs_pkg::REASON_TRUNCATED;
      else if (p4_ce) rest_4 = aipsec_regs_pkg::REASON_ECN_CE_NOT_ECT;
      else if (p4_sel_bad) rest_4 = aipsec_regs_pkg::REASON_SELECTOR_MISMATCH;
    end else if (j4.tunnel) rest_4 = aipsec_regs_pkg::REASON_MALFORMED_IP;
    else if (p4_sel_bad) rest_4 = aipsec_regs_pkg::REASON_SELECTOR_MISMATCH;
  end
  wire [QW-1:0] hc_4 = p4_hq + QW'(p4_hr_nz);

  // P5 registers
  logic [7:0]  p5_rest, p5_hdr_len, p5_byte1p;
  logic        p5_rest_acc, p5_in_v6, p5_tun_v6, p5_patch;
  logic [15:0] p5_csum_p, p5_ocs, p5_ip_len, p5_len6, p5_meta_len;
  logic [HB*8-1:0] p5_hdr_nh, p5_tbase;
  logic [31:0] p5_l3hot;
  logic        p5_body_empty, p5_lr_nz, p5_eq_l0, p5_eq_h0, p5_lt_hc0, p5_last_h0, p5_gt_l0;
  logic [OW-1:0] p5_lr, p5_hr;
  logic [OW:0] p5_d_hl, p5_d_kl;
  logic [QW-1:0] p5_lq_m1, p5_hq_m1, p5_hc_m2;

  // ================================================================ R (from P5)
  // The header: Ethernet header (ethertype of the inner family) + the inner
  // header, ECN-patched, for a tunnel; the outer header with the next
  // header restored and the lengths (and IPv4 checksum) fixed for transport.
  logic [HB*8-1:0] v_hdr_5;
  // bit 32 + j: l3 == j
  wire [191:0] l3x_5 = 192'(p5_l3hot) << 32;
  always_comb begin
    for (int i = 0; i < HB; i = i + 1) begin
      if (j5.tunnel) begin
        if (l3x_5[i + 34]) v_hdr_5[8*i +: 8] = p5_in_v6 ? 8'h86 : 8'h08;
        else if (l3x_5[i + 33]) v_hdr_5[8*i +: 8] = p5_in_v6 ? 8'hdd : 8'h00;
        else if (l3x_5[i + 31] && p5_patch) v_hdr_5[8*i +: 8] = p5_byte1p;
        else if (l3x_5[i + 22] && p5_patch && !p5_tun_v6) v_hdr_5[8*i +: 8] = p5_csum_p[15:8];
        else if (l3x_5[i + 21] && p5_patch && !p5_tun_v6) v_hdr_5[8*i +: 8] = p5_csum_p[7:0];
        else v_hdr_5[8*i +: 8] = p5_tbase[8*i +: 8];
      end else if (j5.ipv6) begin
        if (l3x_5[i + 28]) v_hdr_5[8*i +: 8] = p5_len6[15:8];
        else if (l3x_5[i + 27]) v_hdr_5[8*i +: 8] = p5_len6[7:0];
        else v_hdr_5[8*i +: 8] = p5_hdr_nh[8*i +: 8];
      end else begin
        if (l3x_5[i + 30]) v_hdr_5[8*i +: 8] = p5_ip_len[15:8];
        else if (l3x_5[i + 29]) v_hdr_5[8*i +: 8] = p5_ip_len[7:0];
        else if (l3x_5[i + 22]) v_hdr_5[8*i +: 8] = p5_ocs[15:8];
        else if (l3x_5[i + 21]) v_hdr_5[8*i +: 8] = p5_ocs[7:0];
        else v_hdr_5[8*i +: 8] = p5_hdr_nh[8*i +: 8];
      end
    end
  end
  // (declared with the L2 logic below; forwarded to R)
  logic [SW-1:0] sa_l2;
  logic l2_dec, l2_kill, l2_update, l2_account, l2_hard, l2_soft_set, l2_word_wr;
  logic [63:0] l2_top, l2_pk_new, l2_by_new;
  logic [RAW-1:0] l2_addr;
  logic [RW-1:0] l2_word;

  // R registers
  logic [HB*8-1:0] r_hdr;
  logic [7:0]  r_rest, r_hdr_len;
  logic        r_rest_acc;
  logic [15:0] r_ip_len, r_meta_len;
  logic        r_body_empty, r_lr_nz, r_eq_l0, r_eq_h0, r_lt_hc0, r_last_h0, r_gt_l0;
  logic [OW-1:0] r_lr, r_hr;
  logic [OW:0] r_d_hl, r_d_kl;
  logic [QW-1:0] r_lq_m1, r_hq_m1, r_hc_m2;
  wire [SW-1:0] sa_r = SW'(jr.sa_idx);
  // the L2 job's write of this clock, for the same SA
  wire fw_sa = vl2 && l2_dec && !l2_kill && sa_l2 == sa_r;

  // L1 registers (the R stage's reads)
  logic [63:0] s_top, s_pkts, s_bytes;
  logic [EW-1:0] s_epoch;
  logic        s_dead, s_soft;
  logic [RW-1:0] word_rd, fw_word;
  logic        fw_hit;
  logic        l1_kill;
  logic [HB*8-1:0] l1_hdr;
  logic [7:0]  l1_rest, l1_hdr_len;
  logic        l1_rest_acc;
  logic [15:0] l1_ip_len, l1_meta_len;
  logic        l1_body_empty, l1_lr_nz, l1_eq_l0, l1_eq_h0, l1_lt_hc0, l1_last_h0, l1_gt_l0;
  logic [OW-1:0] l1_lr, l1_hr;
  logic [OW:0] l1_d_hl, l1_d_kl;
  logic [QW-1:0] l1_lq_m1, l1_hq_m1, l1_hc_m2;

  // ================================================================ L1
  wire [SW-1:0] sa_l1 = SW'(jl1.sa_idx);
  wire [RW-1:0] word_b = fw_hit ? fw_word : word_rd;
  wire le_1 = aipsec_dp_pkg::ge64(s_top, jl1.seq);                    // seq <= top
  wire eqtop_1 = s_top == jl1.seq;
  wire gw_1 = aipsec_dp_pkg::ge64(s_top, l1_lv.seqw[63:0]);
  wire old0_1 = !l1_lv.seqw[64] && gw_1;                   // top - seq >= window (seq <= top)
  wire old1_1 = !l1_lv.seqw[64] || gw_1;                   // the same, top < seq (mod 2^64)
  wire tagm_1 = word_b[RW-1:64] == {s_epoch, jl1.seq[63:6]};
  wire bit_1 = |(word_b[63:0] & l1_lv.oh64);
  // RFC 4303 Appendix A.2.2 as ReplayWindow::check (aipsec_inbound_pkg::replay_check)
  wire rep_old_1 = !l1_lv.win_z && (l1_lv.seq_z || (le_1 && old0_1));
  wire rep_rep_1 = !l1_lv.win_z && !l1_lv.seq_z && le_1 && !old0_1 && (eqtop_1 || (tagm_1 && bit_1));
  // a replay found by the classifier against the window as it was then (d_reason)
  wire d_old_1 = le_1 ? old0_1 : old1_1;
  wire hard_1 = (l1_lv.hp_nz && aipsec_dp_pkg::ge64(s_pkts, {32'd0, l1_lv.hp1})) || (l1_lv.hb_nz && (l1_lv.hb_lt || aipsec_dp_pkg::ge64(s_bytes, l1_lv.hbm)));
  wire soft_1 = (l1_lv.sp_nz && aipsec_dp_pkg::ge64(s_pkts, {32'd0, l1_lv.sp1})) || (l1_lv.sb_nz && (l1_lv.sb_lt || aipsec_dp_pkg::ge64(s_bytes, l1_lv.sbm)));
  wire [RW-1:0] v_word_1 = {s_epoch, jl1.seq[63:6], (tagm_1 ? word_b[63:0] : 64'd0) | l1_lv.oh64};
  wire [63:0] v_top_1 = le_1 ? s_top : jl1.seq;
  wire [16:0] by_lo_1 = {1'b0, s_bytes[15:0]} + {1'b0, jl1.esp_len};

  // L2 registers
  logic        l2_dead, l2_soft_sent, l2_rep_old, l2_rep_rep, l2_d_old, l2_hard_hit, l2_soft_hit;
  logic [16:0] l2_by_lo;
  logic [47:0] l2_by_hi, l2_by_hi_inc;
  logic [HB*8-1:0] l2_hdr;
  logic [7:0]  l2_rest, l2_hdr_len;
  logic        l2_rest_acc;
  logic [15:0] l2_ip_len, l2_meta_len;
  logic        l2_body_empty, l2_lr_nz, l2_eq_l0, l2_eq_h0, l2_lt_hc0, l2_last_h0, l2_gt_l0;
  logic [OW-1:0] l2_lr, l2_hr;
  logic [OW:0] l2_d_hl, l2_d_kl;
  logic [QW-1:0] l2_lq_m1, l2_hq_m1, l2_hc_m2;
  logic        l2_win_z;

  // ================================================================ L2
  assign sa_l2 = SW'(jl2.sa_idx);
  assign l2_dec = jl2.kind == aipsec_inbound_pkg::JOB_DECRYPT;
  wire tag_ok_2 = tl2.tag_ok;
  wire rep_none_2 = !l2_rep_old && !l2_rep_rep;
  assign l2_update = !l2_dead && rep_none_2 && tag_ok_2;
  assign l2_account = l2_update && l2_rest_acc;
  assign l2_hard = l2_hard_hit;
  assign l2_soft_set = !l2_hard_hit && l2_soft_hit && !l2_soft_sent;
  assign l2_word_wr = l2_update && !l2_win_z;
  assign l2_by_new = {l2_by_lo[16] ? l2_by_hi_inc : l2_by_hi, l2_by_lo[15:0]};
  logic [7:0] v_reason;
  always_comb begin
    if (l2_dead) v_reason = aipsec_regs_pkg::REASON_LIFETIME_EXPIRED;
    else if (l2_rep_old) v_reason = aipsec_regs_pkg::REASON_REPLAY_OLD;
    else if (l2_rep_rep) v_reason = aipsec_regs_pkg::REASON_REPLAY;
    else if (!tag_ok_2) v_reason = aipsec_regs_pkg::REASON_ICV_FAIL;
    else v_reason = l2_rest;
  end
  wire [7:0] d_reason = (jl2.reason == aipsec_regs_pkg::REASON_REPLAY && l2_d_old)
                        ? aipsec_regs_pkg::REASON_REPLAY_OLD : jl2.reason;
  wire v_ok = v_reason == aipsec_regs_pkg::REASON_NONE;

  // ------------------------------------------------ output packer (plain side)
  logic [DATA_W-1:0] pk_data;
  logic [OW-1:0] pk_off;
  logic [OW:0] pk_cnt;
  logic pk_last, pk_valid, pk_ready;
  logic [63:0] tu_in;
  logic tu_push;
  logic [63:0] tu_head;
  /* verilator lint_off UNUSEDSIGNAL */  // a packet's meta is always queued before its first beat
  logic tu_valid;
  /* verilator lint_on UNUSEDSIGNAL */

  // The packer is fed from a pipe register (the mover's beat, taken when the
  // register is empty or the packer takes its beat).
  logic [DATA_W-1:0] pq_data;
  logic [OW-1:0] pq_off;
  logic [OW:0] pq_cnt;
  logic pq_last, pq_valid, pq_ready;
  assign pk_ready = !pq_valid || pq_ready;
  always_ff @(posedge clk) begin
    if (rst) pq_valid <= 1'b0;
    else if (pk_ready) pq_valid <= pk_valid;
    if (pk_ready && pk_valid) begin
      pq_data <= pk_data;
      pq_off <= pk_off;
      pq_cnt <= pk_cnt;
      pq_last <= pk_last;
    end
  end

  aipsec_byte_packer #(.DATA_W(DATA_W)) u_pack (
    .clk, .rst, .s_data(pq_data), .s_off(pq_off), .s_cnt(pq_cnt), .s_last(pq_last),
    .s_valid(pq_valid), .s_ready(pq_ready), .m_data(m_axis_tdata), .m_keep(m_axis_tkeep),
    .m_last(m_axis_tlast), .m_valid(m_axis_tvalid), .m_ready(m_axis_tready));

  aipsec_inbound_fifo #(.WIDTH(64), .DEPTH(8)) u_tuser (
    .clk, .rst, .s_data(tu_in), .s_valid(tu_push), .s_ready(tu_ready),
    .m_data(tu_head), .m_valid(tu_valid), .m_ready(m_axis_tvalid && m_axis_tready && m_axis_tlast),
    .count());
  assign m_axis_tuser = tu_head;

  // ------------------------------------------------ the command of L2
  wire [1:0] in_port = jl2.tuser[2:1];
  wire [7:0] l3_2 = {3'd0, jl2.l3_off[4:0]};
  wire is_decrypt = l2_dec;
  wire is_pass = jl2.kind == aipsec_inbound_pkg::JOB_PASS;
  wire is_host = jl2.kind == aipsec_inbound_pkg::JOB_HOST || jl2.kind == aipsec_inbound_pkg::JOB_MIRROR;
  wire idx_kind = jl2.idx_valid && jl2.idx_flow;  // index names a flow entry
  cmd_t cmd_in, cmd_out;
  wire d_fire = vl2 && tu_ready && cmd_ready;

  // A frame passed by an inbound flow entry names the entry (index_kind flow), as outbound.
  assign tu_in = is_pass ? meta(in_port, idx_kind, 1'b0, 1'b0, 1'b0, 8'd0, jl2.idx_valid ? jl2.sa_idx : 16'd0,
                                jl2.frame_len, jl2.l3_off)
                         : meta(in_port, 1'b0, 1'b0, 1'b0, 1'b0, 8'd0, jl2.sa_idx, l2_meta_len, l3_2);
  assign tu_push = d_fire && (is_pass || (is_decrypt && v_ok));

  wire cmd_push = d_fire && (is_decrypt || is_pass || is_host);
  always_comb begin
    cmd_in = '0;
    cmd_in.hdr = l2_hdr;
    cmd_in.hdr_len = l2_hdr_len;
    cmd_in.body_empty = l2_body_empty;
    cmd_in.lr = l2_lr;
    cmd_in.hr = l2_hr;
    cmd_in.lr_nz = l2_lr_nz;
    cmd_in.d_hl = l2_d_hl;
    cmd_in.d_kl = l2_d_kl;
    cmd_in.lq_m1 = l2_lq_m1;
    cmd_in.hq_m1 = l2_hq_m1;
    cmd_in.hc_m2 = l2_hc_m2;
    cmd_in.eq_l0 = l2_eq_l0;
    cmd_in.eq_h0 = l2_eq_h0;
    cmd_in.lt_hc0 = l2_lt_hc0;
    cmd_in.last_h0 = l2_last_h0;
    cmd_in.gt_l0 = l2_gt_l0;
    cmd_in.ev_tuser = meta(in_port, 1'b0, 1'b0, 1'b0, 1'b1, aipsec_regs_pkg::REASON_LIFETIME_SOFT, jl2.sa_idx, 16'd0, 8'd0);
    if (is_decrypt) begin
      cmd_in.first = v_ok ? O_HDR : O_BODY;
      cmd_in.body_done = !v_ok;
      cmd_in.mirror_copy = jl2.mirror_icv_fail || jl2.mirror_replay;
      cmd_in.fwd_copy = (jl2.mirror_icv_fail || jl2.mirror_replay) &&
                        ((v_reason == aipsec_regs_pkg::REASON_ICV_FAIL && jl2.mirror_icv_fail) ||
                         ((v_reason == aipsec_regs_pkg::REASON_REPLAY || v_reason == aipsec_regs_pkg::REASON_REPLAY_OLD) &&
                          jl2.mirror_replay));
      cmd_in.host_tuser = meta(in_port, 1'b0, 1'b0, 1'b1, 1'b0, v_reason, jl2.sa_idx, jl2.frame_len, l3_2);
      if (l2_account) begin
        if (l2_hard_hit) begin
          cmd_in.ev_pending = 2'b10;
          cmd_in.ev_tuser = meta(in_port, 1'b0, 1'b0, 1'b0, 1'b1, aipsec_regs_pkg::REASON_LIFETIME_EXPIRED, jl2.sa_idx, 16'd0, 8'd0);
        end else if (l2_soft_set) begin
          cmd_in.ev_pending = 2'b01;
        end
      end
    end else begin
      cmd_in.first = is_pass ? O_SIDE_PACK : O_SIDE_HOST;
      cmd_in.host_tuser = meta(in_port, idx_kind, jl2.kind == aipsec_inbound_pkg::JOB_HOST,
                               jl2.kind == aipsec_inbound_pkg::JOB_MIRROR, 1'b0, d_reason,
                               jl2.idx_valid ? jl2.sa_idx : 16'd0, jl2.frame_len, jl2.l3_off);
    end
  end

  aipsec_inbound_fifo #(.WIDTH($bits(cmd_in)), .DEPTH(2)) u_cmd (
    .clk, .rst, .s_data(cmd_in), .s_valid(cmd_push), .s_ready(cmd_ready),
    .m_data(cmd_out), .m_valid(cmd_valid), .m_ready(cmd_pop), .count());

  // ------------------------------------------------ pipeline
  wire sw_r = sa_wr && sa_wr_index == sa_r;
  wire sw_l1 = sa_wr && sa_wr_index == sa_l1;
  wire sw_l2 = sa_wr && sa_wr_index == sa_l2;
  wire [QW-1:0] lq_3 = p3_body_lo[15:OW];
  wire [QW-1:0] hq_3 = p3_body_hi[15:OW];

  always_ff @(posedge clk) begin
    if (rst) begin
      v0 <= 1'b0; v1 <= 1'b0; v2 <= 1'b0; v3 <= 1'b0; v4 <= 1'b0; v5 <= 1'b0;
      vr <= 1'b0; vl1 <= 1'b0; vl2 <= 1'b0;
    end else if (adv) begin
      v0 <= d_load; v1 <= v0; v2 <= v1; v3 <= v2; v4 <= v3; v5 <= v4;
      vr <= v5; vl1 <= vr; vl2 <= vl1;
    end
    // An SA write in the clocks between R's read and L2's write comes after
    // the verdict: the job's write of that SA's state is dropped.
    if (adv) begin
      l1_kill <= sw_r;
      l2_kill <= l1_kill || sw_l1;
    end else begin
      l1_kill <= l1_kill || sw_l1;
      l2_kill <= l2_kill || sw_l2;
    end
    if (adv) begin
      // ---- S0
      if (d_load) begin
        j0 <= s_job;
        if (s_is_decrypt) t0 <= s_tail;
      end
      // ---- P1
      j1 <= j0; t1 <= t0;
      p1_pad2 <= 9'(pad0) + 9'd2;
      p1_padm1 <= 10'(pad0) - 10'd1;
      p1_pad_nz <= pad0 != 8'd0;
      p1_pad_eq <= t0.pad_last == pad0;
      p1_mode1_ok <= t0.zero_run >= 10'(pad0);
      p1_nh59 <= nh0 == 8'd59;
      p1_nh_tun_ok <= nh0 == 8'd4 || nh0 == 8'd41;
      p1_ver4 <= ver4_0;
      p1_ver6 <= ver6_0;
      p1_in_v6 <= in_v6_0;
      p1_tun_v6 <= tun_v6_0;
      p1_in_hl <= ver4_0 ? hl4_0 : ver6_0 ? 8'd40 : 8'd0;
      p1_hdr_len <= j0.tunnel ? l3_0 + (ver4_0 ? hl4_0 : ver6_0 ? 8'd40 : 8'd0) : l3_0 + j0.l3_hdr_len;
      p1_in_proto <= in_proto_0;
      p1_tot4 <= be16(t0.head, 2);
      p1_tot6 <= be16(t0.head, 4) + 16'd40;
      p1_in_src <= in_src_0;
      p1_in_dst <= in_dst_0;
      p1_msrc <= pmask(j0.sel_src_plen, in_v6_0);
      p1_mdst <= pmask(j0.sel_dst_plen, in_v6_0);
      p1_sport <= in_sport_0;
      p1_dport <= in_dport_0;
      p1_hdr_nh <= hdr_nh_0;
      p1_tbase <= tbase_0;
      p1_o_ecn <= o_ecn_0;
      p1_i_ecn <= ver4_0 ? t0.head[9:8] : ver6_0 ? t0.head[13:12] : 2'd0;
      p1_l3hot <= l3hot_0;
      p1_ca4 <= ca4;
      p1_w0 <= w_in[0];
      p1_ring <= aipsec_inbound_pkg::ring_mask(j0.replay_window);
      p1_sw_lo <= {1'b0, j0.seq[15:0]} + {1'b0, j0.replay_window};
      p1_sw_hi <= aipsec_dp_pkg::inc48(j0.seq[63:16]);
      p1_sw_hic <= &j0.seq[63:16];
      p1_seq_z <= j0.seq == 64'd0;
      p1_win_z <= j0.replay_window == 16'd0;
      p1_oh64 <= 64'd1 << j0.seq[5:0];
      p1_hp1 <= aipsec_dp_pkg::dec32(j0.hard_packets);
      p1_sp1 <= aipsec_dp_pkg::dec32(j0.soft_packets);
      p1_hp_nz <= j0.hard_packets != 32'd0;
      p1_sp_nz <= j0.soft_packets != 32'd0;
      p1_hb_nz <= j0.hard_bytes != 64'd0;
      p1_sb_nz <= j0.soft_bytes != 64'd0;
      p1_hb_lo <= {1'b0, j0.hard_bytes[15:0]} - {1'b0, j0.esp_len};
      p1_sb_lo <= {1'b0, j0.soft_bytes[15:0]} - {1'b0, j0.esp_len};
      p1_hb_dec <= aipsec_dp_pkg::dec48(j0.hard_bytes[63:16]);
      p1_sb_dec <= aipsec_dp_pkg::dec48(j0.soft_bytes[63:16]);
      p1_hb_hiz <= j0.hard_bytes[63:16] == 48'd0;
      p1_sb_hiz <= j0.soft_bytes[63:16] == 48'd0;
      // ---- P2
      j2 <= j1; t2 <= t1;
      p2_plain <= plain_1;
      p2_pad_bad <= pad_short_1 ||
                    (p1_pad_nz && j1.pad_mode == 2'd0 && !mode0_ok_1) ||
                    (p1_pad_nz && j1.pad_mode == 2'd1 && !p1_mode1_ok);
      p2_nh59 <= p1_nh59;
      p2_nh_tun_ok <= p1_nh_tun_ok;
      p2_ver4 <= p1_ver4;
      p2_ver6 <= p1_ver6;
      p2_in_v6 <= p1_in_v6;
      p2_tun_v6 <= p1_tun_v6;
      p2_patch <= patch_1;
      p2_ce <= j1.ecn && p1_o_ecn == 2'd3 && p1_i_ecn == 2'd0;
      p2_in_hl <= p1_in_hl;
      p2_in_total <= p1_ver4 ? p1_tot4 : p1_tot6;
      p2_hdr_len <= p1_hdr_len;
      p2_byte1p <= byte1p_1;
      p2_cbo <= cb2o;
      p2_cbp <= cb2p;
      p2_oh <= oh_1;
      p2_om <= om_1;
      p2_hdr_nh <= p1_hdr_nh;
      p2_tbase <= p1_tbase;
      p2_l3hot <= p1_l3hot;
      p2_sel_bad <= j1.sel_check && sel_bad_1;
      p2_lv.addr <= RAW'(j1.replay_base + (j1.seq[21:6] & p1_ring));
      p2_lv.seqw <= {p1_sw_lo[16] ? {p1_sw_hic, p1_sw_hi} : {1'b0, j1.seq[63:16]}, p1_sw_lo[15:0]};
      p2_lv.seq_z <= p1_seq_z;
      p2_lv.win_z <= p1_win_z;
      p2_lv.oh64 <= p1_oh64;
      p2_lv.hp1 <= p1_hp1;
      p2_lv.sp1 <= p1_sp1;
      p2_lv.hp_nz <= p1_hp_nz;
      p2_lv.sp_nz <= p1_sp_nz;
      p2_lv.hb_nz <= p1_hb_nz;
      p2_lv.sb_nz <= p1_sb_nz;
      p2_lv.hb_lt <= p1_hb_lo[16] && p1_hb_hiz;
      p2_lv.sb_lt <= p1_sb_lo[16] && p1_sb_hiz;
      p2_lv.hbm <= {p1_hb_lo[16] ? p1_hb_dec : j1.hard_bytes[63:16], p1_hb_lo[15:0]};
      p2_lv.sbm <= {p1_sb_lo[16] ? p1_sb_dec : j1.soft_bytes[63:16], p1_sb_lo[15:0]};
      // ---- P3
      j3 <= j2; t3 <= t2;
      p3_pad_bad <= p2_pad_bad;
      p3_nh59 <= p2_nh59;
      p3_nh_tun_ok <= p2_nh_tun_ok;
      p3_ver4 <= p2_ver4;
      p3_ver6 <= p2_ver6;
      p3_in_v6 <= p2_in_v6;
      p3_tun_v6 <= p2_tun_v6;
      p3_patch <= p2_patch;
      p3_ce <= p2_ce;
      p3_sel_bad <= p2_sel_bad;
      p3_lt20 <= p2_plain < 16'd20;
      p3_hl_lt20 <= p2_in_hl < 8'd20;
      p3_hl_gt <= 16'(p2_in_hl) > p2_plain;
      p3_tot_lt_hl <= p2_in_total < 16'(p2_in_hl);
      p3_tot_gt <= p2_in_total > p2_plain;
      p3_lt40 <= p2_plain < 16'd40;
      p3_tot6_gt <= p2_in_total > p2_plain;
      p3_csum_in <= ~add_eac(p2_cbo[0 +: 16], p2_cbo[16 +: 16]);
      p3_csum_p <= ~add_eac(p2_cbp[0 +: 16], p2_cbp[16 +: 16]);
      p3_ip_len <= j2.tunnel ? p2_in_total : 16'(j2.l3_hdr_len) + p2_plain;
      p3_body_lo <= j2.tunnel ? 16'd16 + 16'(p2_in_hl) : 16'd16;
      p3_body_hi <= 16'd16 + (j2.tunnel ? p2_in_total : p2_plain);
      p3_hdr_len <= p2_hdr_len;
      p3_byte1p <= p2_byte1p;
      p3_cc4 <= cc4;
      p3_om1 <= p2_om[1];
      p3_hdr_nh <= p2_hdr_nh;
      p3_tbase <= p2_tbase;
      p3_l3hot <= p2_l3hot;
      p3_lv <= p2_lv;
      // ---- P4
      j4 <= j3; t4 <= t3;
      p4_pad_bad <= p3_pad_bad;
      p4_nh59 <= p3_nh59;
      p4_nh_tun_ok <= p3_nh_tun_ok;
      p4_ver4 <= p3_ver4;
      p4_ver6 <= p3_ver6;
      p4_in_v6 <= p3_in_v6;
      p4_tun_v6 <= p3_tun_v6;
      p4_patch <= p3_patch;
      p4_ce <= p3_ce;
      p4_sel_bad <= p3_sel_bad;
      p4_lt20 <= p3_lt20;
      p4_hl_lt20 <= p3_hl_lt20;
      p4_hl_gt <= p3_hl_gt;
      p4_tot_lt_hl <= p3_tot_lt_hl;
      p4_tot_gt <= p3_tot_gt;
      p4_lt40 <= p3_lt40;
      p4_tot6_gt <= p3_tot6_gt;
      p4_csum_bad <= p3_csum_in != be16(t3.head, 10);
      p4_csum_p <= p3_csum_p;
      p4_ip_len <= p3_ip_len;
      p4_len6 <= p3_ip_len - 16'd40;
      p4_meta_a <= 16'(p3_hdr_len) + p3_body_hi;
      p4_body_lo <= p3_body_lo;
      p4_hdr_len <= p3_hdr_len;
      p4_byte1p <= p3_byte1p;
      p4_cd2 <= cd2b;
      p4_hdr_nh <= p3_hdr_nh;
      p4_tbase <= p3_tbase;
      p4_l3hot <= p3_l3hot;
      p4_lv <= p3_lv;
      p4_body_empty <= p3_body_hi <= p3_body_lo;
      p4_hr_nz <= p3_body_hi[OW-1:0] != '0;
      p4_lq <= lq_3;
      p4_hq <= hq_3;
      p4_lq_m1 <= lq_3 - QW'(1);
      p4_hq_m1 <= hq_3 - QW'(1);
      p4_lr <= p3_body_lo[OW-1:0];
      p4_hr <= p3_body_hi[OW-1:0];
      // ---- P5
      j5 <= j4; t5 <= t4;
      p5_rest <= rest_4;
      p5_rest_acc <= rest_4 == aipsec_regs_pkg::REASON_NONE || rest_4 == aipsec_regs_pkg::REASON_DUMMY_PACKET;
      p5_hdr_len <= p4_hdr_len;
      p5_byte1p <= p4_byte1p;
      p5_in_v6 <= p4_in_v6;
      p5_tun_v6 <= p4_tun_v6;
      p5_patch <= p4_patch;
      p5_csum_p <= p4_csum_p;
      p5_ocs <= ~add_eac(p4_cd2[0 +: 16], p4_cd2[16 +: 16]);
      p5_ip_len <= p4_ip_len;
      p5_len6 <= p4_len6;
      p5_meta_len <= p4_meta_a - p4_body_lo;
      p5_hdr_nh <= p4_hdr_nh;
      p5_tbase <= p4_tbase;
      p5_l3hot <= p4_l3hot;
      p5_lv <= p4_lv;
      p5_body_empty <= p4_body_empty;
      p5_lr <= p4_lr;
      p5_hr <= p4_hr;
      p5_lr_nz <= p4_lr != '0;
      p5_d_hl <= (OW+1)'(p4_hr) - (OW+1)'(p4_lr);
      p5_d_kl <= (OW+1)'(KW) - (OW+1)'(p4_lr);
      p5_lq_m1 <= p4_lq_m1;
      p5_hq_m1 <= p4_hq_m1;
      p5_hc_m2 <= hc_4 - QW'(2);
      p5_eq_l0 <= p4_lq == '0;
      p5_eq_h0 <= p4_hq == '0;
      p5_lt_hc0 <= hc_4 != '0;
      p5_last_h0 <= hc_4 == QW'(1);
      p5_gt_l0 <= p4_lq != '0 || p4_lr != '0;
      // ---- R
      jr <= j5; tr <= t5;
      r_hdr <= v_hdr_5;
      r_rest <= p5_rest;
      r_rest_acc <= p5_rest_acc;
      r_hdr_len <= p5_hdr_len;
      r_ip_len <= p5_ip_len;
      r_meta_len <= p5_meta_len;
      r_body_empty <= p5_body_empty;
      r_lr <= p5_lr;
      r_hr <= p5_hr;
      r_lr_nz <= p5_lr_nz;
      r_d_hl <= p5_d_hl;
      r_d_kl <= p5_d_kl;
      r_lq_m1 <= p5_lq_m1;
      r_hq_m1 <= p5_hq_m1;
      r_hc_m2 <= p5_hc_m2;
      r_eq_l0 <= p5_eq_l0;
      r_eq_h0 <= p5_eq_h0;
      r_lt_hc0 <= p5_lt_hc0;
      r_last_h0 <= p5_last_h0;
      r_gt_l0 <= p5_gt_l0;
      r_lv <= p5_lv;
      // ---- L1: the live state of the SA (the write of L2 in this clock forwarded)
      jl1 <= jr; tl1 <= tr;
      s_top <= (fw_sa && l2_update) ? l2_top : top_mem[sa_r];
      s_epoch <= epoch_mem[sa_r];
      s_pkts <= (fw_sa && l2_account) ? l2_pk_new : pkts_mem[sa_r];
      s_bytes <= (fw_sa && l2_account) ? l2_by_new : bytes_mem[sa_r];
      s_dead <= (fw_sa && l2_account && l2_hard) || dead_mem[sa_r];
      s_soft <= (fw_sa && l2_account && l2_soft_set) || soft_sent_mem[sa_r];
      word_rd <= replay_mem[r_lv.addr];
      fw_hit <= vl2 && l2_dec && l2_word_wr && l2_addr == r_lv.addr;
      l1_hdr <= r_hdr;
      l1_rest <= r_rest;
      l1_rest_acc <= r_rest_acc;
      l1_hdr_len <= r_hdr_len;
      l1_ip_len <= r_ip_len;
      l1_meta_len <= r_meta_len;
      l1_body_empty <= r_body_empty;
      l1_lr <= r_lr;
      l1_hr <= r_hr;
      l1_lr_nz <= r_lr_nz;
      l1_d_hl <= r_d_hl;
      l1_d_kl <= r_d_kl;
      l1_lq_m1 <= r_lq_m1;
      l1_hq_m1 <= r_hq_m1;
      l1_hc_m2 <= r_hc_m2;
      l1_eq_l0 <= r_eq_l0;
      l1_eq_h0 <= r_eq_h0;
      l1_lt_hc0 <= r_lt_hc0;
      l1_last_h0 <= r_last_h0;
      l1_gt_l0 <= r_gt_l0;
      l1_lv <= r_lv;
      // ---- L2
      jl2 <= jl1; tl2 <= tl1;
      l2_dead <= s_dead;
      l2_soft_sent <= s_soft;
      l2_rep_old <= rep_old_1;
      l2_rep_rep <= rep_rep_1;
      l2_d_old <= d_old_1;
      l2_hard_hit <= hard_1;
      l2_soft_hit <= soft_1;
      l2_top <= v_top_1;
      l2_word <= v_word_1;
      l2_pk_new <= aipsec_dp_pkg::inc64(s_pkts);
      l2_by_lo <= by_lo_1;
      l2_by_hi <= s_bytes[63:16];
      l2_by_hi_inc <= aipsec_dp_pkg::inc48(s_bytes[63:16]);
      l2_addr <= l1_lv.addr;
      l2_win_z <= l1_lv.win_z;
      l2_hdr <= l1_hdr;
      l2_rest <= l1_rest;
      l2_rest_acc <= l1_rest_acc;
      l2_hdr_len <= l1_hdr_len;
      l2_ip_len <= l1_ip_len;
      l2_meta_len <= l1_meta_len;
      l2_body_empty <= l1_body_empty;
      l2_lr <= l1_lr;
      l2_hr <= l1_hr;
      l2_lr_nz <= l1_lr_nz;
      l2_d_hl <= l1_d_hl;
      l2_d_kl <= l1_d_kl;
      l2_lq_m1 <= l1_lq_m1;
      l2_hq_m1 <= l1_hq_m1;
      l2_hc_m2 <= l1_hc_m2;
      l2_eq_l0 <= l1_eq_l0;
      l2_eq_h0 <= l1_eq_h0;
      l2_lt_hc0 <= l1_lt_hc0;
      l2_last_h0 <= l1_last_h0;
      l2_gt_l0 <= l1_gt_l0;
    end
  end

  // ------------------------------------------------ live state written back (L2)
  always_ff @(posedge clk) begin
    m_sa_cnt_valid <= 1'b0;
    m_drop_valid <= 1'b0;
    if (rst) begin
      // The other live state of an entry is set by its SA write, which comes
      // before any packet can find the entry.
      dead_mem <= '0;
      soft_sent_mem <= '0;
    end else begin
      if (d_fire && is_decrypt) begin
        if (l2_update) begin
          if (!l2_kill) top_mem[sa_l2] <= l2_top;
          if (!l2_win_z) begin
            replay_mem[l2_addr] <= l2_word;
            fw_word <= l2_word;
          end
        end
        if (!v_ok) begin
          m_drop_valid <= 1'b1;
          m_drop_reason <= v_reason;
        end else begin
          m_sa_cnt_valid <= 1'b1;
          m_sa_cnt_index <= sa_l2;
          m_sa_cnt_bytes <= l2_ip_len;
        end
        if (l2_account && !l2_kill) begin
          pkts_mem[sa_l2] <= l2_pk_new;
          bytes_mem[sa_l2] <= l2_by_new;
          if (l2_hard_hit) dead_mem[sa_l2] <= 1'b1;
          else if (l2_soft_set) soft_sent_mem[sa_l2] <= 1'b1;
        end
      end
      if (d_fire && !is_decrypt && !is_pass && jl2.reason != 8'd0) begin
        m_drop_valid <= 1'b1;
        m_drop_reason <= d_reason;
      end
      // An SA write resets its live state (dp_ports.md); the new epoch hides
      // the words of its old window.
      if (sa_wr) begin
        top_mem[sa_wr_index] <= sa_wr_seq;
        epoch_mem[sa_wr_index] <= epoch_mem[sa_wr_index] + 1'b1;
        dead_mem[sa_wr_index] <= 1'b0;
        soft_sent_mem[sa_wr_index] <= 1'b0;
        pkts_mem[sa_wr_index] <= '0;
        bytes_mem[sa_wr_index] <= '0;
      end
    end
  end

  // ------------------------------------------------ side frames: a pipe register
  // (the keep count of a beat in two halves: per group of 16 bits here, summed
  // in front of the packer)
  logic [DATA_W-1:0] sq_data;
  logic [KW-1:0] sq_keep;
  logic sq_last, sq_valid, sq_ready;
  logic [5*NG-1:0] sq_gcnt;
  logic [5*NG-1:0] s_gcnt;
  always_comb begin
    s_gcnt = '0;
    for (int g = 0; g < NG; g = g + 1)
      for (int j = 0; j < PG; j = j + 1) s_gcnt[5*g +: 5] = s_gcnt[5*g +: 5] + 5'(s_side_tkeep[PG*g + j]);
  end
  assign s_side_tready = !sq_valid || sq_ready;
  always_ff @(posedge clk) begin
    if (rst) sq_valid <= 1'b0;
    else if (s_side_tready) sq_valid <= s_side_tvalid;
    if (s_side_tready && s_side_tvalid) begin
      sq_data <= s_side_tdata;
      sq_keep <= s_side_tkeep;
      sq_last <= s_side_tlast;
      sq_gcnt <= s_gcnt;
    end
  end
  logic [KW:0] side_cnt;
  always_comb begin
    side_cnt = '0;
    for (int g = 0; g < NG; g = g + 1) side_cnt = side_cnt + (KW+1)'(sq_gcnt[5*g +: 5]);
  end

  // ------------------------------------------------ mover
  ostate_t st;
  logic        mirror_copy;
  logic        fwd_copy;
  logic [HB*8+DATA_W-1:0] ohdr;  // header bytes still to send, from byte 0
  logic [7:0]  hrem;             // their count
  logic        body_done;
  logic [63:0] host_tuser;
  logic [1:0]  ev_pending;
  logic [63:0] ev_tuser;
  // body range (beat k of the plaintext stream, k counted from 0)
  logic [QW-1:0] bk;
  logic        body_empty, lr_nz;
  logic [OW-1:0] lr, hr;
  logic [OW:0] d_hl, d_kl;
  logic [QW-1:0] lq_m1, hq_m1, hc_m2;
  logic        f_eql, f_gel, f_eqh, f_lthc, f_lasth, f_gtl;  // k == lq, k >= lq, k == hq, k < hc, k == hc-1, lo > k*KW

  wire h_last_beat = hrem <= 8'(KW);
  wire b_any = !body_done && f_gel && f_lthc && !body_empty;
  wire b_last = !body_done && f_lasth;
  wire n_eql = bk == lq_m1;
  wire n_gel = f_gel || n_eql;

  always_comb begin
    pk_data = sq_data;
    pk_off = '0;
    pk_cnt = (OW+1)'(side_cnt);
    pk_last = sq_last;
    pk_valid = 1'b0;
    sq_ready = 1'b0;
    s_buf_tready = 1'b0;
    m_host_tdata = sq_data;
    m_host_tkeep = sq_keep;
    m_host_tlast = sq_last;
    m_host_tuser = host_tuser;
    m_host_tvalid = 1'b0;
    case (st)
      O_SIDE_PACK: begin
        pk_valid = sq_valid;
        sq_ready = pk_ready;
      end
      O_SIDE_HOST: begin
        m_host_tvalid = sq_valid;
        sq_ready = m_host_tready;
      end
      O_SIDE_DROP: sq_ready = 1'b1;
      O_HDR: begin
        pk_data = ohdr[DATA_W-1:0];
        pk_cnt = h_last_beat ? (OW+1)'(hrem) : (OW+1)'(KW);
        pk_last = h_last_beat && body_empty;
        pk_valid = 1'b1;
      end
      O_BODY: begin
        pk_data = s_buf_tdata;
        pk_off = f_gtl ? lr : '0;
        pk_cnt = !b_any ? '0 : f_eqh ? (f_eql ? d_hl : (OW+1)'(hr)) : (f_eql ? d_kl : (OW+1)'(KW));
        pk_last = b_last;
        pk_valid = s_buf_tvalid && (b_any || b_last);
        s_buf_tready = (b_any || b_last) ? pk_ready : 1'b1;
      end
      O_EVENT: begin
        m_host_tdata = '0;
        m_host_tkeep = '0;
        m_host_tlast = 1'b1;
        m_host_tuser = ev_tuser;
        m_host_tvalid = 1'b1;
      end
      default: ;
    endcase
  end

  wire pk_take = pk_valid && pk_ready;

  // The mover takes the next command in the clock its packet ends, so that
  // packets follow one another without an idle clock.
  logic mv_done;
  always_comb begin
    case (st)
      O_IDLE: mv_done = 1'b1;
      O_BODY: mv_done = s_buf_tvalid && s_buf_tready && s_buf_tlast && !mirror_copy && ev_pending == 2'b00;
      O_SIDE_PACK, O_SIDE_HOST, O_SIDE_DROP:
        mv_done = sq_valid && sq_ready && sq_last && ev_pending == 2'b00;
      O_EVENT: mv_done = m_host_tready;
      default: mv_done = 1'b0;
    endcase
  end
  assign cmd_pop = mv_done && cmd_valid;

  always_ff @(posedge clk) begin
    if (rst) begin
      st <= O_IDLE;
      ev_pending <= '0;
    end else begin
      case (st)
        O_HDR: if (pk_take) begin
          ohdr <= ohdr >> DATA_W;
          hrem <= hrem - 8'(KW);
          if (h_last_beat) st <= O_BODY;
        end
        O_BODY: if (s_buf_tvalid && s_buf_tready) begin
          // beat k + 1
          bk <= bk + QW'(1);
          f_eql <= n_eql;
          f_gel <= n_gel;
          f_gtl <= !n_gel || (n_eql && lr_nz);
          f_eqh <= bk == hq_m1;
          f_lasth <= bk == hc_m2;
          f_lthc <= f_lthc && !f_lasth;
          if (b_last) body_done <= 1'b1;
          if (s_buf_tlast) begin
            if (mirror_copy) st <= fwd_copy ? O_SIDE_HOST : O_SIDE_DROP;
            else st <= ev_pending != 2'b00 ? O_EVENT : O_IDLE;
          end
        end
        O_SIDE_PACK, O_SIDE_HOST, O_SIDE_DROP: if (sq_valid && sq_ready && sq_last) begin
          mirror_copy <= 1'b0;
          st <= ev_pending != 2'b00 ? O_EVENT : O_IDLE;
        end
        O_EVENT: if (m_host_tready) begin
          ev_pending <= '0;
          st <= O_IDLE;
        end
        default: st <= O_IDLE;
      endcase
      if (cmd_pop) begin
        st <= cmd_out.first;
        ohdr <= {{DATA_W{1'b0}}, cmd_out.hdr};
        hrem <= cmd_out.hdr_len;
        body_empty <= cmd_out.body_empty;
        lr <= cmd_out.lr;
        hr <= cmd_out.hr;
        lr_nz <= cmd_out.lr_nz;
        d_hl <= cmd_out.d_hl;
        d_kl <= cmd_out.d_kl;
        lq_m1 <= cmd_out.lq_m1;
        hq_m1 <= cmd_out.hq_m1;
        hc_m2 <= cmd_out.hc_m2;
        bk <= '0;
        f_eql <= cmd_out.eq_l0;
        f_gel <= cmd_out.eq_l0;
        f_eqh <= cmd_out.eq_h0;
        f_lthc <= cmd_out.lt_hc0;
        f_lasth <= cmd_out.last_h0;
        f_gtl <= cmd_out.gt_l0;
        body_done <= cmd_out.body_done;
        mirror_copy <= cmd_out.mirror_copy;
        fwd_copy <= cmd_out.fwd_copy;
        host_tuser <= cmd_out.host_tuser;
        ev_pending <= cmd_out.ev_pending;
        ev_tuser <= cmd_out.ev_tuser;
      end
    end
  end
endmodule
