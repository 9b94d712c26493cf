// ESP encapsulation engine of the outbound path (docs/hw/datapath.md,
// outbound path): takes one ob_cmd_t per frame, in frame order, and that
// frame's beats from the ingress it names.
//
//   command stages -> dispatcher -> packer -> gcm_core -> assembler -> packer -> m_axis
//                          |                                     (bypass frames merged)
//                          +--> m_host (exceptions, frames unchanged)
//
// The dispatcher turns a protected frame into the core's packet: the AAD block,
// the bytes [pay_start, pay_start + pay_len) of the frame, then padding, pad
// length and next header (put in the frame's last beat when they fit). The
// assembler writes the prebuilt header, the ciphertext (the core's AAD block
// skipped) and the ICV (in the last ciphertext beat when it fits). Per-packet
// data waits in FIFOs next to the stream: core parameters until the packer's
// first beat reaches the core, header and metadata until the core's output
// (both pushed as the command enters).
//
// Pipelined for a short logic depth (every register-to-register path a few
// LUT levels at DATA_W = 512), one beat per clock like an unpipelined engine:
//   Q1..Q3  command stages: the frame's byte range is turned into beat
//           numbers, per-beat byte counts and the trailer (contents and, for
//           the last payload beat, its bytes shifted to their place) while the
//           previous frame streams;
//   D       dispatcher: per beat, selects among the precomputed counts with
//           registered first / last / in-range flags of the beat;
//   P1      register in front of the input packer;
//   CQ      FIFO of the core's beats (the core is not stopped for the
//           assembler's header cycles);
//   A       register: the beat's byte count (from its contiguous keep) and
//           the count of ciphertext bytes in it;
//   B       assembler: header chunks, ciphertext beats with the tag rotated
//           into place behind them, ICV;
//   P2      register in front of the output packer.
// Latency: 7 clocks more than the same engine unpipelined (Q1..Q3, P1, CQ,
// A, P2).
`default_nettype none

module aipsec_ob_encap #(
  parameter int DATA_W = 128,
  parameter int INFO_DEPTH = 16              // packets between command input and assembler
) (
  input  wire logic                  clk,
  input  wire logic                  rst,

  input  wire logic                  s_cmd_valid,
  output      logic                  s_cmd_ready,
  input  wire aipsec_ob_pkg::ob_cmd_t s_cmd,

  input  wire logic [DATA_W-1:0]     s_fa_tdata,    // frames of the plain port
  input  wire logic [DATA_W/8-1:0]   s_fa_tkeep,
  input  wire logic                  s_fa_tlast,
  input  wire logic                  s_fa_tvalid,
  output      logic                  s_fa_tready,
  input  wire logic [DATA_W-1:0]     s_fb_tdata,    // frames of the host port
  input  wire logic [DATA_W/8-1:0]   s_fb_tkeep,
  input  wire logic                  s_fb_tlast,
  input  wire logic                  s_fb_tvalid,
  output      logic                  s_fb_tready,

  output      logic [DATA_W-1:0]     m_axis_tdata,
  output      logic [DATA_W/8-1:0]   m_axis_tkeep,
  output      logic                  m_axis_tlast,
  output      logic [63:0]           m_axis_tuser,
  output      logic                  m_axis_tvalid,
  input  wire logic                  m_axis_tready,

  output      logic [DATA_W-1:0]     m_host_tdata,
  output      logic [DATA_W/8-1:0]   m_host_tkeep,
  output      logic                  m_host_tlast,
  output      logic [63:0]           m_host_tuser,
  output      logic                  m_host_tvalid,
  input  wire logic                  m_host_tready
);

  localparam int KW = DATA_W / 8;
  localparam int OW = $clog2(KW);
  localparam int CW = OW + 1;                // a byte count 0..KW
  localparam int BW = 17 - OW;               // a beat number (frame offsets of 17 bits)
  localparam int HDR_MAX = aipsec_ob_pkg::HDR_MAX;
  localparam int HDR_W = HDR_MAX * 8;
  localparam int BEAT_W = DATA_W + KW + 1 + 64;

  // ------------------------------------------------------------ command stages
  // Core parameters (G) and output header / metadata (O) of each packet, pushed
  // as a protected frame's command enters Q1.
  localparam int G_W = 256 + 1 + 96 + 1 + 5;
  localparam int O_W = HDR_W + 8 + 5 + 64;
  logic g_s_ready, g_m_valid, g_m_ready, o_s_ready, o_m_valid, o_m_ready;
  logic [G_W-1:0] g_m_data;
  logic [O_W-1:0] o_m_data;
  wire is_protect = s_cmd.act == aipsec_ob_pkg::ACT_PROTECT;

  logic q1_v, q2_v, q3_v, q1_free, q2_free, q3_free, take3;
  // A stage takes a command when it or a later stage is empty, or Q3's is taken.
  assign q3_free = !q3_v || take3;
  assign q2_free = !q2_v || !q3_v || take3;
  assign q1_free = !q1_v || !q2_v || !q3_v || take3;
  assign s_cmd_ready = q1_free && (!is_protect || (g_s_ready && o_s_ready));
  wire cmd_take = s_cmd_valid && s_cmd_ready;

  aipsec_ob_fifo #(.WIDTH(G_W), .DEPTH(INFO_DEPTH)) u_gfifo (
    .clk, .rst,
    .s_data({s_cmd.key, s_cmd.key_256, s_cmd.nonce, s_cmd.esn, s_cmd.icv_len}),
    .s_valid(cmd_take && is_protect), .s_ready(g_s_ready),
    .m_data(g_m_data), .m_valid(g_m_valid), .m_ready(g_m_ready));
  aipsec_ob_fifo #(.WIDTH(O_W), .DEPTH(INFO_DEPTH)) u_ofifo (
    .clk, .rst,
    .s_data({s_cmd.hdr, s_cmd.hdr_len, s_cmd.icv_len, s_cmd.tuser}),
    .s_valid(cmd_take && is_protect), .s_ready(o_s_ready),
    .m_data(o_m_data), .m_valid(o_m_valid), .m_ready(o_m_ready));

  // Fields every stage carries: source, action, metadata, AAD, payload start,
  // padding, next header.
  localparam int QC_W = 1 + 2 + 64 + 96 + 16 + 2 + 1 + 8;
  logic [QC_W-1:0] q1_c, q2_c, q3_c;
  // Q1: pay_len - 1 and whether the payload is empty; the counts that depend
  // on the first payload byte's offset fo only: KW - fo, 1 - fo, pad + 3 - fo.
  logic [16:0] q1_lenm1;
  logic q1_nz;
  logic [CW-1:0] q1_cnt_f, q1_nfo1, q1_nfo_t;
  always_ff @(posedge clk) begin
    if (q1_free) begin
      q1_v <= cmd_take;
      q1_c <= {s_cmd.src, s_cmd.act, s_cmd.tuser, s_cmd.aad, s_cmd.pay_start, s_cmd.pad_len,
               s_cmd.pad_zero, s_cmd.next_hdr};
      q1_lenm1 <= {1'b0, s_cmd.pay_len} - 17'd1;
      q1_nz <= s_cmd.pay_len != 16'd0;
      q1_cnt_f <= CW'(KW) - CW'(s_cmd.pay_start[OW-1:0]);
      q1_nfo1 <= CW'(1) - CW'(s_cmd.pay_start[OW-1:0]);
      q1_nfo_t <= CW'(s_cmd.pad_len) + CW'(3) - CW'(s_cmd.pay_start[OW-1:0]);
    end
    if (rst) q1_v <= 1'b0;
  end

  wire [15:0] q1_ps = q1_c[11 +: 16];
  wire [1:0] q1_pad = q1_c[9 +: 2];
  wire q1_pz = q1_c[8];
  wire [7:0] q1_nh = q1_c[7:0];

  // Q2: offset of the payload's last byte m = pay_start + pay_len - 1 as its
  // bits 8..0 with the carry out of them and bits 16..9 for either carry; the
  // trailer (padding 1, 2, 3 or zeros, pad length, next header) as bytes
  // 0..4 with a byte mask.
  logic [9:0] q2_mlo9;
  logic [7:0] q2_mhi0, q2_mhi1;
  logic q2_nz;
  logic [CW-1:0] q2_cnt_f, q2_nfo1, q2_nfo_t;
  logic [39:0] q2_tp;
  logic [4:0] q2_tm;
  logic [39:0] tp_c;
  logic [4:0] tm_c;
  always_comb begin
    tp_c = '0;
    for (int r = 0; r < 3; r = r + 1) begin
      if (r < 32'(q1_pad)) tp_c[8*r +: 8] = q1_pz ? 8'd0 : 8'(r + 1);
    end
    case (q1_pad)
      2'd0: tp_c[15:0] = {q1_nh, 8'd0};
      2'd1: tp_c[23:8] = {q1_nh, 8'd1};
      2'd2: tp_c[31:16] = {q1_nh, 8'd2};
      default: tp_c[39:24] = {q1_nh, 8'd3};
    endcase
    case (q1_pad)
      2'd0: tm_c = 5'b00011;
      2'd1: tm_c = 5'b00111;
      2'd2: tm_c = 5'b01111;
      default: tm_c = 5'b11111;
    endcase
  end
  always_ff @(posedge clk) begin
    if (q2_free) begin
      q2_v <= q1_v;
      q2_c <= q1_c;
      q2_mlo9 <= {1'b0, q1_ps[8:0]} + {1'b0, q1_lenm1[8:0]};
      q2_mhi0 <= {1'b0, q1_ps[15:9]} + q1_lenm1[16:9];
      q2_mhi1 <= {1'b0, q1_ps[15:9]} + q1_lenm1[16:9] + 8'd1;
      q2_nz <= q1_nz;
      q2_cnt_f <= q1_cnt_f;
      q2_nfo1 <= q1_nfo1;
      q2_nfo_t <= q1_nfo_t;
      q2_tp <= tp_c;
      q2_tm <= tm_c;
    end
    if (rst) q2_v <= 1'b0;
  end

  // Q3: last payload beat lb and the bytes e of it that are payload (1..KW);
  // byte counts of the first-and-last (e - fo), last (e) payload beats alone
  // and with the trailer behind (+ pad + 2); whether the trailer fits behind
  // the last payload bytes, and its bytes and mask shifted there.
  wire [16:0] q2_m = {q2_mlo9[9] ? q2_mhi1 : q2_mhi0, q2_mlo9[8:0]};
  wire [OW-1:0] q2_mlo = q2_m[OW-1:0];
  wire [1:0] q2_pad = q2_c[9 +: 2];
  wire [BW-1:0] q2_lb = q2_m[16:OW];
  wire [BW-1:0] q2_fb = BW'(q2_c[11 + OW +: 16 - OW]);
  logic q3_nz, q3_fb0, q3_lb0, q3_fit_e;
  logic [BW-1:0] q3_lb;
  logic [CW-1:0] q3_cnt_f, q3_cnt_fl, q3_cnt_l, q3_cnt_fl_t, q3_cnt_l_t;
  logic [39:0] q3_tp;
  logic [4:0] q3_tm;
  logic [DATA_W-1:0] q3_tre;
  logic [KW-1:0] q3_tre_m;
  logic [DATA_W-1:0] tre_c;
  logic [KW-1:0] tre_m_c;
  always_comb begin
    tre_c = DATA_W'({q2_tp, 8'd0}) << {q2_mlo, 3'b000};
    tre_m_c = KW'({q2_tm, 1'b0}) << q2_mlo;
  end
  always_ff @(posedge clk) begin
    if (q3_free) begin
      q3_v <= q2_v;
      q3_c <= q2_c;
      q3_prot <= q2_c[QC_W-2 -: 2] == aipsec_ob_pkg::ACT_PROTECT;
      q3_nz <= q2_nz;
      q3_fb0 <= q2_fb == '0;
      q3_lb0 <= q2_lb == '0;
      q3_lb <= q2_lb;
      q3_cnt_f <= q2_cnt_f;
      q3_cnt_fl <= CW'(q2_mlo) + q2_nfo1;
      q3_cnt_l <= CW'(q2_mlo) + CW'(1);
      q3_cnt_fl_t <= CW'(q2_mlo) + q2_nfo_t;
      q3_cnt_l_t <= CW'(q2_mlo) + CW'(q2_pad) + CW'(3);
      q3_fit_e <= 32'(q2_mlo) + 32'(q2_pad) + 3 <= KW;
      q3_tp <= q2_tp;
      q3_tm <= q2_tm;
      q3_tre <= tre_c;
      q3_tre_m <= tre_m_c;
    end
    if (rst) q3_v <= 1'b0;
  end

  wire q3_src = q3_c[QC_W-1];
  wire [1:0] q3_act = q3_c[QC_W-2 -: 2];
  wire [63:0] q3_tuser = q3_c[QC_W-4 -: 64];
  wire [95:0] q3_aad = q3_c[27 +: 96];
  wire [15:0] q3_ps = q3_c[11 +: 16];
  wire [1:0] q3_pad = q3_c[9 +: 2];
  logic q3_prot;

  // ------------------------------------------------------------ dispatcher
  typedef enum logic [1:0] {D_IDLE, D_PAY, D_TRL, D_PASS} d_state_t;
  d_state_t d_state;
  // The current frame's command, as Q3 had it.
  logic c_src;
  logic [1:0] c_act;
  logic [63:0] c_tuser;
  logic c_fit_e;
  logic [BW:0] c_fb, c_lb;                     // first / last payload beat, top bit set: none
  logic [OW-1:0] c_fo;
  logic [CW-1:0] c_cnt_f, c_cnt_fl, c_cnt_l, c_cnt_fl_t, c_cnt_l_t, c_cnt_t0;
  logic [39:0] c_tp;
  logic [4:0] c_tm;
  logic [DATA_W-1:0] c_tre;
  logic [KW-1:0] c_tre_m;
  // The current beat: its number + 1, and whether it is the first payload
  // beat, the last payload beat, or holds payload bytes.
  logic [BW-1:0] b_next;
  logic b_first, b_last, b_in;

  logic [DATA_W-1:0] f_data;
  logic [KW-1:0] f_keep;
  logic f_last, f_valid, f_ready;
  always_comb begin
    f_data = c_src ? s_fb_tdata : s_fa_tdata;
    f_keep = c_src ? s_fb_tkeep : s_fa_tkeep;
    f_last = c_src ? s_fb_tlast : s_fa_tlast;
    f_valid = c_src ? s_fb_tvalid : s_fa_tvalid;
    s_fa_tready = !c_src && f_ready;
    s_fb_tready = c_src && f_ready;
  end

  // P1: the input packer's next beat.
  logic p1r_valid, p1r_last, p1_up_ready, pk1_ready;
  logic [DATA_W-1:0] p1r_data;
  logic [OW-1:0] p1r_off;
  logic [CW-1:0] p1r_cnt;
  assign p1_up_ready = !p1r_valid || pk1_ready;
  // A protected frame's AAD block enters P1 as its command is taken.
  assign take3 = d_state == D_IDLE && q3_v && (!q3_prot || p1_up_ready);

  // The trailer goes into the frame's last beat when it fits: at byte 0 of a
  // beat without payload, behind the payload of the last payload beat.
  wire tr_fits = !b_in || (b_last && c_fit_e);
  wire tr_at_e = f_last && b_last && c_fit_e;
  wire tr_at_0 = f_last && !b_in;

  logic [DATA_W-1:0] p1_data;
  logic [OW-1:0] p1_off;
  logic [CW-1:0] p1_cnt;
  logic p1_last, p1_valid;
  // Frames passed unchanged.
  logic [BEAT_W-1:0] net_beat;
  logic net_valid, net_ready, host_valid, host_ready;
  assign net_beat = {f_last, f_keep, f_data, c_tuser};

  always_comb begin
    p1_data = f_data;
    for (int j = 0; j < KW; j = j + 1) begin
      if (tr_at_e && c_tre_m[j]) p1_data[8*j +: 8] = c_tre[8*j +: 8];
      if (j < 5) begin
        if (tr_at_0 && c_tm[j % 5]) p1_data[8*j +: 8] = c_tp[8*(j % 5) +: 8];
      end
    end
    p1_off = b_first ? c_fo : '0;
    if (!b_in) p1_cnt = '0;
    else if (b_first) p1_cnt = b_last ? c_cnt_fl : c_cnt_f;
    else p1_cnt = b_last ? c_cnt_l : CW'(KW);
    p1_last = 1'b0;
    p1_valid = 1'b0;
    f_ready = 1'b0;
    net_valid = 1'b0;
    host_valid = 1'b0;
    case (d_state)
      D_IDLE: begin
        p1_data = DATA_W'(q3_aad);
        p1_off = '0;
        p1_cnt = CW'(16);
        p1_valid = q3_v && q3_prot;
      end
      D_PAY: begin
        p1_valid = f_valid;
        f_ready = p1_up_ready;
        if (f_last && tr_fits) begin
          if (!b_in) p1_cnt = c_cnt_t0;
          else p1_cnt = b_first ? c_cnt_fl_t : c_cnt_l_t;
          p1_last = 1'b1;
        end
      end
      D_TRL: begin
        p1_data = DATA_W'(c_tp);
        p1_off = '0;
        p1_cnt = c_cnt_t0;
        p1_last = 1'b1;
        p1_valid = 1'b1;
      end
      D_PASS: begin
        net_valid = f_valid && c_act == aipsec_ob_pkg::ACT_NET;
        host_valid = f_valid && c_act == aipsec_ob_pkg::ACT_HOST;
        f_ready = (c_act == aipsec_ob_pkg::ACT_NET) ? net_ready :
                  (c_act == aipsec_ob_pkg::ACT_HOST) ? host_ready : 1'b1;
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk) begin
    case (d_state)
      D_IDLE: if (take3) begin
        c_src <= q3_src;
        c_act <= q3_act;
        c_tuser <= q3_tuser;
        c_fit_e <= q3_fit_e;
        c_fb <= {!q3_nz, BW'(q3_ps[15:OW])};
        c_lb <= {!q3_nz, q3_lb};
        c_fo <= q3_ps[OW-1:0];
        c_cnt_f <= q3_cnt_f;
        c_cnt_fl <= q3_cnt_fl;
        c_cnt_l <= q3_cnt_l;
        c_cnt_fl_t <= q3_cnt_fl_t;
        c_cnt_l_t <= q3_cnt_l_t;
        c_cnt_t0 <= CW'(q3_pad) + CW'(2);
        c_tp <= q3_tp;
        c_tm <= q3_tm;
        c_tre <= q3_tre;
        c_tre_m <= q3_tre_m;
        b_next <= BW'(1);
        b_first <= q3_nz && q3_fb0;
        b_last <= q3_nz && q3_lb0;
        b_in <= q3_nz && q3_fb0;
        d_state <= q3_prot ? D_PAY : D_PASS;
      end
      D_PAY: if (f_valid && p1_up_ready) begin
        b_next <= b_next + BW'(1);
        b_first <= {1'b0, b_next} == c_fb;
        b_last <= {1'b0, b_next} == c_lb;
        b_in <= (b_in && !b_last) || {1'b0, b_next} == c_fb;
        if (f_last) d_state <= tr_fits ? D_IDLE : D_TRL;
      end
      D_TRL: if (p1_up_ready) d_state <= D_IDLE;
      D_PASS: if (f_valid && f_ready && f_last) d_state <= D_IDLE;
      default: d_state <= D_IDLE;
    endcase
    if (rst) d_state <= D_IDLE;
  end

  always_ff @(posedge clk) begin
    if (p1_up_ready) begin
      p1r_valid <= p1_valid;
      p1r_data <= p1_data;
      p1r_off <= p1_off;
      p1r_cnt <= p1_cnt;
      p1r_last <= p1_last;
    end
    if (rst) p1r_valid <= 1'b0;
  end

  logic [DATA_W-1:0] c_in_data;
  logic [KW-1:0] c_in_keep;
  logic c_in_last, c_in_valid, c_in_ready;
  aipsec_byte_packer #(.DATA_W(DATA_W)) u_pack_in (
    .clk, .rst,
    .s_data(p1r_data), .s_off(p1r_off), .s_cnt(p1r_cnt), .s_last(p1r_last),
    .s_valid(p1r_valid), .s_ready(pk1_ready),
    .m_data(c_in_data), .m_keep(c_in_keep), .m_last(c_in_last),
    .m_valid(c_in_valid), .m_ready(c_in_ready));

  // ------------------------------------------------------------ AES-GCM
  logic [255:0] g_key;
  logic g_key_256, g_esn;
  logic [95:0] g_nonce;
  logic [4:0] g_icv;
  assign {g_key, g_key_256, g_nonce, g_esn, g_icv} = g_m_data;
  // The core samples the parameters with a packet's first beat; the FIFO head
  // is that packet's while its beats enter (pushed as the command entered
  // Q1, clocks before the packet's first beat leaves the packer: the packer's
  // m_ready needs no FIFO state).
  logic core_in_ready;
  assign c_in_ready = core_in_ready;
  assign g_m_ready = c_in_valid && g_m_valid && c_in_ready && c_in_last;

  logic [DATA_W-1:0] c_out_data;
  logic [KW-1:0] c_out_keep;
  logic c_out_last, c_out_valid, c_out_ready;
  logic [127:0] c_out_tag;
  logic c_out_tag_ok_unused;

  gcm_core #(.DATA_W(DATA_W)) u_gcm (
    .clk, .rst,
    .s_axis_tdata(c_in_data), .s_axis_tkeep(c_in_keep), .s_axis_tlast(c_in_last),
    .s_axis_tvalid(c_in_valid && g_m_valid), .s_axis_tready(core_in_ready),
    .s_axis_key(g_key), .s_axis_key_256(g_key_256), .s_axis_nonce(g_nonce),
    .s_axis_aad_len(g_esn ? 16'd12 : 16'd8), .s_axis_tag_len(g_icv),
    .s_axis_decrypt(1'b0), .s_axis_tag(128'd0),
    .m_axis_tdata(c_out_data), .m_axis_tkeep(c_out_keep), .m_axis_tlast(c_out_last),
    .m_axis_tvalid(c_out_valid), .m_axis_tready(c_out_ready),
    .m_axis_tag(c_out_tag), .m_axis_tag_ok(c_out_tag_ok_unused));

  // ------------------------------------------------------------ A: core output
  // The core's beats wait in a FIFO (CQ_DEPTH beats), so the core is not
  // stopped for the assembler's header cycles: a stop of the core's output
  // stops its whole tail, and with it the core's input.
  // A core beat's keep is contiguous from byte 0 (the packer's). A holds the
  // beat with its byte count ct_end (bit b: the keep ends inside an odd
  // 2^b-byte block) and the ciphertext bytes to send (ct_end, less the AAD
  // block on a packet's first beat).
  localparam int CQ_W = DATA_W + KW + 128 + 1;
  localparam int CQ_DEPTH = 4;
  logic ca_valid, ca_take, ca_load, k_nfirst, ca_first, ca_last;
  logic [CW-1:0] ca_end, ca_cnt;
  logic [DATA_W-1:0] ca_data;
  logic [KW-1:0] ca_keep;
  logic [127:0] ca_tag;
  logic cq_valid;
  logic [DATA_W-1:0] cq_data;
  logic [KW-1:0] cq_keep;
  logic [127:0] cq_tag;
  logic cq_last;
  aipsec_ob_fifo #(.WIDTH(CQ_W), .DEPTH(CQ_DEPTH)) u_cqfifo (
    .clk, .rst, .s_data({c_out_data, c_out_keep, c_out_tag, c_out_last}),
    .s_valid(c_out_valid), .s_ready(c_out_ready),
    .m_data({cq_data, cq_keep, cq_tag, cq_last}), .m_valid(cq_valid), .m_ready(ca_load));
  assign ca_load = !ca_valid || ca_take;

  logic [CW-1:0] k_end, k_cnt;
  logic [KW/2-1:0] k_odd;
  always_comb begin
    k_end = '0;
    k_end[OW] = cq_keep[KW-1];
    for (int b = 0; b < OW; b = b + 1) begin
      k_odd = '0;
      for (int k = 1; k < KW >> b; k = k + 2) begin
        k_odd[k >> 1] = cq_keep[(k << b) - 1] && !cq_keep[((k + 1) << b) - 1];
      end
      k_end[b] = |k_odd;                     // a balanced OR
    end
    // minus 16 on a packet's first beat (the AAD block)
    k_cnt = k_end - (k_nfirst ? CW'(0) : CW'(16));
  end

  always_ff @(posedge clk) begin
    if (ca_load) begin
      ca_valid <= cq_valid;
      ca_data <= cq_data;
      ca_keep <= cq_keep;
      ca_tag <= cq_tag;
      ca_end <= k_end;
      ca_cnt <= k_cnt;
      ca_first <= !k_nfirst;
      ca_last <= cq_last;
      if (cq_valid) k_nfirst <= !cq_last;
    end
    if (rst) begin
      ca_valid <= 1'b0;
      k_nfirst <= 1'b0;
    end
  end

  // ------------------------------------------------------------ B: assembler
  typedef enum logic [1:0] {A_IDLE, A_HDR, A_CT, A_ICV} a_state_t;
  a_state_t a_state;
  logic [HDR_W-1:0] a_hdr;                     // header bytes not yet sent
  logic [7:0] a_rem;
  logic [4:0] a_icv;
  logic [CW-1:0] a_lim;                        // KW - ICV bytes: the ICV fits behind a_lim bytes
  logic [127:0] a_tag;
  logic t_s_ready, t_m_valid, t_m_ready;
  logic [63:0] t_m_data;

  logic [HDR_W-1:0] o_hdr;
  logic [7:0] o_hdr_len;
  logic [4:0] o_icv;
  logic [63:0] o_tuser;
  assign {o_hdr, o_hdr_len, o_icv, o_tuser} = o_m_data;
  // P2: the output packer's next beat.
  logic p2r_valid, p2r_last, p2_up_ready, pk2_ready;
  logic [DATA_W-1:0] p2r_data;
  logic [OW-1:0] p2r_off;
  logic [CW-1:0] p2r_cnt;
  assign p2_up_ready = !p2r_valid || pk2_ready;
  // The first header chunk goes to P2 as a packet starts.
  wire a_start = a_state == A_IDLE && ca_valid && o_m_valid && t_s_ready && p2_up_ready;
  assign o_m_ready = a_start;
  assign ca_take = a_state == A_CT && p2_up_ready;

  aipsec_ob_fifo #(.WIDTH(64), .DEPTH(4)) u_tfifo (
    .clk, .rst, .s_data(o_tuser), .s_valid(a_start), .s_ready(t_s_ready),
    .m_data(t_m_data), .m_valid(t_m_valid), .m_ready(t_m_ready));

  logic [DATA_W-1:0] p2_data;
  logic [OW-1:0] p2_off;
  logic [CW-1:0] p2_cnt;
  logic p2_last, p2_valid;
  wire icv_fits = ca_end <= a_lim;
  // The beat's bytes with the 16 tag bytes written from byte ct_end on (those
  // past the ICV are not sent): byte j >= ct_end is tag byte (j - ct_end) mod
  // 16, from the tag rotated by ct_end mod 16 bytes.
  logic [127:0] tag_rot;                       // four rotations by 1, 2, 4, 8 bytes
  logic [DATA_W-1:0] ct_icv_data;
  always_comb begin
    tag_rot = ca_tag;
    for (int b = 0; b < 4; b = b + 1) begin
      if (ca_end[b]) tag_rot = (tag_rot << (8 << b)) | (tag_rot >> (128 - (8 << b)));
    end
    for (int j = 0; j < KW; j = j + 1) begin
      ct_icv_data[8*j +: 8] = ca_keep[j] ? ca_data[8*j +: 8] : tag_rot[8*(j % 16) +: 8];
    end
  end
  always_comb begin
    p2_data = a_hdr[DATA_W-1:0];
    p2_off = '0;
    p2_cnt = (a_rem >= 8'(KW)) ? CW'(KW) : CW'(a_rem);
    p2_last = 1'b0;
    p2_valid = 1'b0;
    case (a_state)
      A_IDLE: begin
        p2_data = o_hdr[DATA_W-1:0];
        p2_cnt = (o_hdr_len >= 8'(KW)) ? CW'(KW) : CW'(o_hdr_len);
        p2_valid = ca_valid && o_m_valid && t_s_ready;
      end
      A_HDR: p2_valid = 1'b1;
      A_CT: begin
        p2_valid = ca_valid;
        p2_data = ct_icv_data;
        p2_off = ca_first ? OW'(16) : '0;
        p2_cnt = ca_cnt;
        if (ca_last && icv_fits) begin
          p2_cnt = ca_cnt + CW'(a_icv);
          p2_last = 1'b1;
        end
      end
      A_ICV: begin
        p2_data = DATA_W'(a_tag);
        p2_cnt = CW'(a_icv);
        p2_last = 1'b1;
        p2_valid = 1'b1;
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk) begin
    case (a_state)
      A_IDLE: if (a_start) begin
        a_hdr <= o_hdr >> DATA_W;
        a_rem <= o_hdr_len - 8'(KW);
        a_icv <= o_icv;
        a_lim <= CW'(KW) - CW'(o_icv);
        a_state <= (o_hdr_len <= 8'(KW)) ? A_CT : A_HDR;
      end
      A_HDR: if (p2_up_ready) begin
        a_hdr <= a_hdr >> DATA_W;
        a_rem <= a_rem - 8'(KW);
        if (a_rem <= 8'(KW)) a_state <= A_CT;
      end
      A_CT: if (ca_valid && p2_up_ready) begin
        a_tag <= ca_tag;
        if (ca_last) a_state <= icv_fits ? A_IDLE : A_ICV;
      end
      A_ICV: if (p2_up_ready) a_state <= A_IDLE;
      default: a_state <= A_IDLE;
    endcase
    if (rst) a_state <= A_IDLE;
  end

  always_ff @(posedge clk) begin
    if (p2_up_ready) begin
      p2r_valid <= p2_valid;
      p2r_data <= p2_data;
      p2r_off <= p2_off;
      p2r_cnt <= p2_cnt;
      p2r_last <= p2_last;
    end
    if (rst) p2r_valid <= 1'b0;
  end

  logic [DATA_W-1:0] po_data;
  logic [KW-1:0] po_keep;
  logic po_last, po_valid, po_ready;
  aipsec_byte_packer #(.DATA_W(DATA_W)) u_pack_out (
    .clk, .rst,
    .s_data(p2r_data), .s_off(p2r_off), .s_cnt(p2r_cnt), .s_last(p2r_last),
    .s_valid(p2r_valid), .s_ready(pk2_ready),
    .m_data(po_data), .m_keep(po_keep), .m_last(po_last),
    .m_valid(po_valid), .m_ready(po_ready));
  assign t_m_ready = po_valid && po_ready && po_last;


  // ------------------------------------------------------------ outputs
  logic [BEAT_W-1:0] byp_m;
  logic byp_valid, byp_ready;
  aipsec_ob_fifo #(.WIDTH(BEAT_W), .DEPTH(4)) u_net_fifo (
    .clk, .rst, .s_data(net_beat), .s_valid(net_valid), .s_ready(net_ready),
    .m_data(byp_m), .m_valid(byp_valid), .m_ready(byp_ready));

  logic [BEAT_W-1:0] host_m;
  logic hq_valid;
  aipsec_ob_fifo #(.WIDTH(BEAT_W), .DEPTH(4)) u_host_fifo (
    .clk, .rst, .s_data(net_beat), .s_valid(host_valid), .s_ready(host_ready),
    .m_data(host_m), .m_valid(hq_valid), .m_ready(m_host_tready));
  assign {m_host_tlast, m_host_tkeep, m_host_tdata, m_host_tuser} = host_m;
  assign m_host_tvalid = hq_valid;

  // The T FIFO has the packet's metadata from its first header chunk on (the
  // packer's m_ready needs no FIFO state).
  logic po_gated_ready;
  assign po_ready = po_gated_ready;
  aipsec_ob_arb #(.DATA_W(DATA_W)) u_net_arb (
    .clk, .rst,
    .s0_tdata(po_data), .s0_tkeep(po_keep), .s0_tlast(po_last), .s0_tuser(t_m_data),
    .s0_tvalid(po_valid && t_m_valid), .s0_tready(po_gated_ready),
    .s1_tdata(byp_m[64 +: DATA_W]), .s1_tkeep(byp_m[64 + DATA_W +: KW]),
    .s1_tlast(byp_m[BEAT_W-1]), .s1_tuser(byp_m[63:0]),
    .s1_tvalid(byp_valid), .s1_tready(byp_ready),
    .m_tdata(m_axis_tdata), .m_tkeep(m_axis_tkeep), .m_tlast(m_axis_tlast),
    .m_tuser(m_axis_tuser), .m_tvalid(m_axis_tvalid), .m_tready(m_axis_tready));

endmodule

`default_nettype wire
