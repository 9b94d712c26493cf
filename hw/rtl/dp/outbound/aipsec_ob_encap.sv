// ESP encapsulation engine of the outbound path (docs/hw/datapath.md,
// outbound path): takes one ob_cmd_t per frame, in frame order, and that
// frame's beats from the ingress it names.
//
//   dispatcher -> packer -> gcm_core -> assembler -> packer -> m_axis
//        |                                              (bypass frames merged)
//        +--> m_host (exceptions, frames unchanged)
//
// The dispatcher turns a protected frame into the core's packet: the AAD block,
// the bytes [pay_start, pay_start + pay_len) of the frame, then padding, pad
// length and next header (put in the frame's last beat when they fit). The
// assembler writes the prebuilt header, the ciphertext (the core's AAD block
// skipped) and the ICV (in the last ciphertext beat when it fits). Per-packet
// data waits in FIFOs next to the stream: core parameters until the packer's
// first beat reaches the core, header and metadata until the core's output.
`default_nettype none

module aipsec_ob_encap #(
  parameter int DATA_W = 128,
  parameter int INFO_DEPTH = 16              // packets between dispatcher and assembler
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
  localparam int HDR_MAX = aipsec_ob_pkg::HDR_MAX;
  localparam int HDR_W = HDR_MAX * 8;
  localparam int BEAT_W = DATA_W + KW + 1 + 64;

  function automatic logic [OW:0] ones(input logic [KW-1:0] keep);
    logic [OW:0] n;
    n = '0;
    for (int i = 0; i < KW; i = i + 1) n = n + (OW + 1)'(keep[i]);
    ones = n;
  endfunction

  // ------------------------------------------------------------ dispatcher
  typedef enum logic [1:0] {D_IDLE, D_PAY, D_TRL, D_PASS} d_state_t;
  d_state_t d_state;
  // The header, key and nonce of the command travel in the FIFOs, not here.
  /* verilator lint_off UNUSEDSIGNAL */
  aipsec_ob_pkg::ob_cmd_t cur;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [16:0] pos;                            // frame offset of the current beat

  logic [DATA_W-1:0] f_data;
  logic [KW-1:0] f_keep;
  logic f_last, f_valid, f_ready;
  always_comb begin
    f_data = cur.src ? s_fb_tdata : s_fa_tdata;
    f_keep = cur.src ? s_fb_tkeep : s_fa_tkeep;
    f_last = cur.src ? s_fb_tlast : s_fa_tlast;
    f_valid = cur.src ? s_fb_tvalid : s_fa_tvalid;
    s_fa_tready = !cur.src && f_ready;
    s_fb_tready = cur.src && f_ready;
  end

  // Core parameters (G) and output header / metadata (O) of each packet.
  localparam int G_W = 256 + 1 + 96 + 1 + 5;
  localparam int O_W = HDR_W + 8 + 5 + 64;
  logic g_s_ready, g_m_valid, g_m_ready, o_s_ready, o_m_valid, o_m_ready;
  logic [G_W-1:0] g_m_data;
  logic [O_W-1:0] o_m_data;
  wire is_protect = s_cmd.act == aipsec_ob_pkg::ACT_PROTECT;
  // A protected frame's AAD block enters the packer as its command is taken.
  logic p1_ready;
  assign s_cmd_ready = d_state == D_IDLE && (!is_protect || (g_s_ready && o_s_ready && p1_ready));
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

  // Bytes of this beat inside [pay_start, pay_start + pay_len).
  logic [16:0] pay_end, lo, hi;
  logic [OW:0] beat_cnt;
  logic [OW-1:0] beat_off;
  // Trailer (padding, pad length, next header) at byte tr_at of the beat.
  logic [OW:0] tr_at;
  logic tr_fits;
  logic [DATA_W-1:0] tr_data;
  always_comb begin
    pay_end = {1'b0, cur.pay_start} + {1'b0, cur.pay_len};
    lo = (pos > {1'b0, cur.pay_start}) ? pos : {1'b0, cur.pay_start};
    hi = (pay_end < pos + 17'(KW)) ? pay_end : pos + 17'(KW);
    beat_cnt = (hi > lo) ? (OW + 1)'(hi - lo) : '0;
    beat_off = (hi > lo) ? OW'(lo - pos) : '0;
    tr_at = (OW + 1)'(beat_off) + beat_cnt;
    tr_fits = 32'(tr_at) + 32'(cur.pad_len) + 2 <= KW;
    tr_data = f_data;
    for (int j = 0; j < KW; j = j + 1) begin
      if (j >= 32'(tr_at) && j < 32'(tr_at) + 32'(cur.pad_len)) begin
        tr_data[8*j +: 8] = cur.pad_zero ? 8'd0 : 8'(j - 32'(tr_at) + 1);
      end else if (j == 32'(tr_at) + 32'(cur.pad_len)) begin
        tr_data[8*j +: 8] = {6'd0, cur.pad_len};
      end else if (j == 32'(tr_at) + 32'(cur.pad_len) + 1) begin
        tr_data[8*j +: 8] = cur.next_hdr;
      end
    end
  end

  // Packer in front of the core.
  logic [DATA_W-1:0] p1_data;
  logic [OW-1:0] p1_off;
  logic [OW:0] p1_cnt;
  logic p1_last, p1_valid;
  // Frames passed unchanged.
  logic [BEAT_W-1:0] net_beat;
  logic net_valid, net_ready, host_valid, host_ready;
  assign net_beat = {f_last, f_keep, f_data, cur.tuser};

  always_comb begin
    p1_data = f_data;
    p1_off = beat_off;
    p1_cnt = beat_cnt;
    p1_last = 1'b0;
    p1_valid = 1'b0;
    f_ready = 1'b0;
    net_valid = 1'b0;
    host_valid = 1'b0;
    case (d_state)
      D_IDLE: begin
        p1_data = DATA_W'(s_cmd.aad);
        p1_off = '0;
        p1_cnt = (OW + 1)'(16);
        p1_valid = s_cmd_valid && is_protect && g_s_ready && o_s_ready;
      end
      D_PAY: begin
        p1_valid = f_valid;
        f_ready = p1_ready;
        if (f_last && tr_fits) begin
          p1_data = tr_data;
          p1_cnt = tr_at - (OW + 1)'(beat_off) + (OW + 1)'(cur.pad_len) + (OW + 1)'(2);
          p1_last = 1'b1;
        end
      end
      D_TRL: begin
        p1_data = '0;
        for (int j = 0; j < 3; j = j + 1) begin
          if (j < 32'(cur.pad_len)) p1_data[8*j +: 8] = cur.pad_zero ? 8'd0 : 8'(j + 1);
        end
        p1_data[8*32'(cur.pad_len) +: 8] = {6'd0, cur.pad_len};
        p1_data[8*32'(cur.pad_len) + 8 +: 8] = cur.next_hdr;
        p1_off = '0;
        p1_cnt = (OW + 1)'(cur.pad_len) + (OW + 1)'(2);
        p1_last = 1'b1;
        p1_valid = 1'b1;
      end
      D_PASS: begin
        net_valid = f_valid && cur.act == aipsec_ob_pkg::ACT_NET;
        host_valid = f_valid && cur.act == aipsec_ob_pkg::ACT_HOST;
        f_ready = (cur.act == aipsec_ob_pkg::ACT_NET) ? net_ready :
                  (cur.act == aipsec_ob_pkg::ACT_HOST) ? host_ready : 1'b1;
      end
      default: ;
    endcase
  end

  always_ff @(posedge clk) begin
    case (d_state)
      D_IDLE: if (cmd_take) begin
        cur <= s_cmd;
        pos <= '0;
        d_state <= is_protect ? D_PAY : D_PASS;
      end
      D_PAY: if (f_valid && p1_ready) begin
        pos <= pos + 17'(KW);
        if (f_last) d_state <= tr_fits ? D_IDLE : D_TRL;
      end
      D_TRL: if (p1_ready) d_state <= D_IDLE;
      D_PASS: if (f_valid && f_ready && f_last) d_state <= D_IDLE;
      default: d_state <= D_IDLE;
    endcase
    if (rst) d_state <= D_IDLE;
  end

  logic [DATA_W-1:0] c_in_data;
  logic [KW-1:0] c_in_keep;
  logic c_in_last, c_in_valid, c_in_ready;
  aipsec_byte_packer #(.DATA_W(DATA_W)) u_pack_in (
    .clk, .rst,
    .s_data(p1_data), .s_off(p1_off), .s_cnt(p1_cnt), .s_last(p1_last),
    .s_valid(p1_valid), .s_ready(p1_ready),
    .m_data(c_in_data), .m_keep(c_in_keep), .m_last(c_in_last),
    .m_valid(c_in_valid), .m_ready(c_in_ready));

  // ------------------------------------------------------------ AES-GCM
  logic [255:0] g_key;
  logic g_key_256, g_esn;
  logic [95:0] g_nonce;
  logic [4:0] g_icv;
  assign {g_key, g_key_256, g_nonce, g_esn, g_icv} = g_m_data;
  // The core samples the parameters with a packet's first beat; the FIFO head
  // is that packet's while its beats enter.
  logic core_in_ready;
  assign c_in_ready = core_in_ready && g_m_valid;
  assign g_m_ready = c_in_valid && c_in_ready && c_in_last;

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

  // ------------------------------------------------------------ assembler
  typedef enum logic [1:0] {A_IDLE, A_HDR, A_CT, A_ICV} a_state_t;
  a_state_t a_state;
  logic [HDR_W-1:0] a_hdr;                     // header bytes not yet sent
  logic [7:0] a_rem;
  logic [4:0] a_icv;
  logic a_first;
  logic [127:0] a_tag;
  logic t_s_ready, t_m_valid, t_m_ready;
  logic [63:0] t_m_data;

  logic [HDR_W-1:0] o_hdr;
  logic [7:0] o_hdr_len;
  logic [4:0] o_icv;
  logic [63:0] o_tuser;
  assign {o_hdr, o_hdr_len, o_icv, o_tuser} = o_m_data;
  // The first header chunk goes to the packer as a packet starts.
  logic p2_ready;
  wire a_start = a_state == A_IDLE && c_out_valid && o_m_valid && t_s_ready && p2_ready;
  assign o_m_ready = a_start;

  aipsec_ob_fifo #(.WIDTH(64), .DEPTH(4)) u_tfifo (
    .clk, .rst, .s_data(o_tuser), .s_valid(a_start), .s_ready(t_s_ready),
    .m_data(t_m_data), .m_valid(t_m_valid), .m_ready(t_m_ready));

  logic [DATA_W-1:0] p2_data;
  logic [OW-1:0] p2_off;
  logic [OW:0] p2_cnt;
  logic p2_last, p2_valid;
  logic [OW:0] ct_off, ct_end;
  logic icv_fits;
  logic [DATA_W-1:0] ct_icv_data;
  always_comb begin
    ct_off = a_first ? (OW + 1)'(16) : '0;
    ct_end = ones(c_out_keep);
    icv_fits = 32'(ct_end) + 32'(a_icv) <= KW;
    ct_icv_data = c_out_data;
    for (int j = 0; j < KW; j = j + 1) begin
      if (j >= 32'(ct_end) && j < 32'(ct_end) + 32'(a_icv)) begin
        ct_icv_data[8*j +: 8] = c_out_tag[8*((j - 32'(ct_end)) % 16) +: 8];
      end
    end
    p2_data = a_hdr[DATA_W-1:0];
    p2_off = '0;
    p2_cnt = (a_rem >= 8'(KW)) ? (OW + 1)'(KW) : (OW + 1)'(a_rem);
    p2_last = 1'b0;
    p2_valid = 1'b0;
    c_out_ready = 1'b0;
    case (a_state)
      A_IDLE: begin
        p2_data = o_hdr[DATA_W-1:0];
        p2_cnt = (o_hdr_len >= 8'(KW)) ? (OW + 1)'(KW) : (OW + 1)'(o_hdr_len);
        p2_valid = c_out_valid && o_m_valid && t_s_ready;
      end
      A_HDR: p2_valid = 1'b1;
      A_CT: begin
        p2_valid = c_out_valid;
        c_out_ready = p2_ready;
        p2_data = c_out_data;
        p2_off = OW'(ct_off);
        p2_cnt = ct_end - ct_off;
        if (c_out_last && icv_fits) begin
          p2_data = ct_icv_data;
          p2_cnt = ct_end - ct_off + (OW + 1)'(a_icv);
          p2_last = 1'b1;
        end
      end
      A_ICV: begin
        p2_data = DATA_W'(a_tag);
        p2_cnt = (OW + 1)'(a_icv);
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
        a_rem <= o_hdr_len - 8'(p2_cnt);
        a_icv <= o_icv;
        a_first <= 1'b1;
        a_state <= (o_hdr_len <= 8'(KW)) ? A_CT : A_HDR;
      end
      A_HDR: if (p2_ready) begin
        a_hdr <= a_hdr >> DATA_W;
        a_rem <= a_rem - 8'(p2_cnt);
        if (a_rem <= 8'(KW)) a_state <= A_CT;
      end
      A_CT: if (c_out_valid && p2_ready) begin
        a_first <= 1'b0;
        a_tag <= c_out_tag;
        if (c_out_last) a_state <= icv_fits ? A_IDLE : A_ICV;
      end
      A_ICV: if (p2_ready) a_state <= A_IDLE;
      default: a_state <= A_IDLE;
    endcase
    if (rst) a_state <= A_IDLE;
  end

  logic [DATA_W-1:0] po_data;
  logic [KW-1:0] po_keep;
  logic po_last, po_valid, po_ready;
  aipsec_byte_packer #(.DATA_W(DATA_W)) u_pack_out (
    .clk, .rst,
    .s_data(p2_data), .s_off(p2_off), .s_cnt(p2_cnt), .s_last(p2_last),
    .s_valid(p2_valid), .s_ready(p2_ready),
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

  logic po_gated_ready;
  assign po_ready = po_gated_ready && t_m_valid;
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
