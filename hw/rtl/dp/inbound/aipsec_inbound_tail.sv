// Watches gcm_core's output (the AAD block, then the plaintext) as it goes
// into the plaintext buffer and records, per packet, what the verdict needs
// once the ICV is known: the tag check, the ESP trailer (pad length, next
// header) and the padding checks of both checked pad modes (RFC 4303 2.4),
// and the first plaintext bytes (inner headers, ports).
//
// Padding of any length (0..255) is checked without buffering it: per byte a
// flag says whether it continues a run (zero mode: the byte is 0; sequential
// mode: byte - stream position is the same as for the byte before, so bytes
// 1, 2, 3.. form one run, i.e. the byte is the one before plus 1), a counter
// carries the run across beats, and at the last beat the run ending at the
// last padding byte is measured. Sequential padding of length pad is correct
// when that byte is pad and the run before it is at least pad-1 long; zero
// padding when at least pad zero bytes end there.
//
// The beats pass to the buffer unchanged; the record is worked out in a
// pipeline that watches them (at most 6 LUT levels per stage) and comes out
// 6 clocks after the last beat (the stages stall together while a finished
// record waits for m_tail_ready):
//   A  the beat, registered
//   B  per-byte run flags (zero; previous byte + 1), the head capture
//   C  the window {beat, previous beat}, cut at the last padding byte on a
//      last beat (tkeep read as a thermometer code: only the last beat is
//      partial): the highest byte that breaks a run, per group of 8; the
//      trailer bytes; the window offset of the last padding byte
//   D  the highest run break of the window
//   E  the run carried across beats; on a last beat both answers (run from
//      the break, or the carried run + the window)
//   T  the record (the saturated sum or the difference)
`default_nettype none

module aipsec_inbound_tail #(
  parameter int DATA_W = 128
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire logic [DATA_W-1:0] s_tdata,
  input  wire logic [KW-1:0]     s_tkeep,
  input  wire logic              s_tlast,
  input  wire logic              s_tag_ok,
  input  wire logic              s_tvalid,
  output      logic              s_tready,

  output      logic [DATA_W-1:0] m_buf_tdata,
  output      logic [KW-1:0]     m_buf_tkeep,
  output      logic              m_buf_tlast,
  output      logic              m_buf_tvalid,
  input  wire logic              m_buf_tready,

  output      aipsec_inbound_pkg::tail_t m_tail,
  output      logic              m_tail_valid,
  input  wire logic              m_tail_ready
);
  localparam int KW = DATA_W / 8;
  localparam int CAP = aipsec_inbound_pkg::CAP_BYTES;
  localparam int CAP_BEATS = (16 + CAP + KW - 1) / KW;
  localparam int WN = 2 * KW;              // window: previous beat (lanes 0..KW-1), this beat
  localparam int IW = $clog2(WN);
  localparam int NG = WN / 8;              // groups of 8 window lanes

  // The stages move together; they stall while the record waits.
  logic t_v;
  wire adv = !t_v || m_tail_ready;
  wire go = s_tvalid && m_buf_tready && adv;

  assign s_tready = m_buf_tready && adv;
  assign m_buf_tdata = s_tdata;
  assign m_buf_tkeep = s_tkeep;
  assign m_buf_tlast = s_tlast;
  assign m_buf_tvalid = s_tvalid && adv;

  // ---------------------------------------------------------------- A
  logic [7:0]  beat_idx;             // of the next beat, saturating
  logic        a_v, a_last, a_tag_ok;
  logic [7:0]  a_bidx;
  logic [DATA_W-1:0] a_data;
  logic [KW-1:0] a_keep;
  logic        a_first, first;

  always_ff @(posedge clk) begin
    if (rst) begin
      a_v <= 1'b0;
      beat_idx <= '0;
      first <= 1'b1;
    end else if (adv) begin
      a_v <= go;
      if (go) begin
        first <= s_tlast;
        if (s_tlast) beat_idx <= '0;
        else if (32'(beat_idx) < CAP_BEATS) beat_idx <= beat_idx + 8'd1;
      end
    end
    if (go) begin
      a_data <= s_tdata;
      a_keep <= s_tkeep;
      a_last <= s_tlast;
      a_tag_ok <= s_tag_ok;
      a_bidx <= beat_idx;
      a_first <= first;
    end
  end

  // ---------------------------------------------------------------- B
  wire a_go = adv && a_v;
  logic [7:0]  lbp1;                 // last byte of the previous beat + 1 (0 before the first)
  logic [DATA_W-1:0] pa_data;        // previous beat
  logic [CAP*8-1:0] head, head_next;
  logic [KW-1:0] fz, fs;
  always_comb begin
    for (int j = 0; j < KW; j = j + 1) fz[j] = a_data[8*j +: 8] == 8'd0;
    fs[0] = a_data[7:0] == lbp1;
    for (int j = 1; j < KW; j = j + 1) fs[j] = a_data[8*j +: 8] == a_data[8*(j-1) +: 8] + 8'd1;
    head_next = head;
    for (int k = 0; k < CAP; k = k + 1) begin
      if (32'(a_bidx) == (16 + k) / KW) head_next[8*k +: 8] = a_data[8*((16 + k) % KW) +: 8];
    end
  end

  logic        b_v, b_last, b_first, b_tag_ok;
  logic [KW-1:0] b_fz, b_fs, b_keep;
  logic [DATA_W-1:0] b_data, b_pdata;
  logic [CAP*8-1:0] b_head;
  always_ff @(posedge clk) begin
    if (rst) begin
      b_v <= 1'b0;
      lbp1 <= '0;
      head <= '0;
    end else if (adv) begin
      b_v <= a_v;
      if (a_v) begin
        lbp1 <= a_last ? 8'd0 : a_data[8*(KW-1) +: 8] + 8'd1;
        head <= a_last ? '0 : head_next;
      end
    end
    if (a_go) begin
      if (!a_last) pa_data <= a_data;
      b_fz <= fz;
      b_fs <= fs;
      b_keep <= a_keep;
      b_data <= a_data;
      b_pdata <= a_first ? a_data : pa_data;
      b_last <= a_last;
      b_first <= a_first;
      b_tag_ok <= a_tag_ok;
      b_head <= head_next;
    end
  end

  // ---------------------------------------------------------------- C
  // Highest set bit of 8.
  /* verilator lint_off UNUSEDSIGNAL */  // z[0] only when no other bit is set
  function automatic logic [2:0] hi3(input logic [7:0] z);
    logic h2, h1, h0;
    h2 = |z[7:4];
    h1 = |z[7:6] || (!(|z[7:4]) && |z[3:2]);
    h0 = z[7] || (!z[6] && (z[5] || (!z[4] && (z[3] || (!z[2] && z[1])))));
    hi3 = {h2, h1, h0};
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  wire b_go = adv && b_v;
  logic [KW-1:0] pb_fz, pb_fs;       // flags of the previous beat
  logic [WN+2:0] keep_w;             // window lanes holding bytes (a thermometer code)
  logic [WN-1:0] m, zz, zs;          // lanes up to the last padding byte; run breaks there
  logic [NG-1:0] gz_any, gs_any;
  logic [3*NG-1:0] gz_loc, gs_loc;
  logic [IW-1:0] e_at, e1_at;        // window lane of the last padding byte, + 1
  logic [WN-1:0] oh1, oh2, oh3;      // window lane of next header, pad length, last padding byte
  logic [7:0] by1, by2, by3;
  logic [WN-1:0] wbit;
  logic [WN-1:0] ohb, oh1b;
  logic [DATA_W*2-1:0] wdata;
  always_comb begin
    keep_w = {3'b000, b_keep, {KW{1'b1}}};
    for (int j = 0; j < WN; j = j + 1) begin
      m[j] = !b_last || keep_w[j + 2];
      oh1[j] = keep_w[j] && !keep_w[j + 1];
      oh2[j] = keep_w[j + 1] && !keep_w[j + 2];
      oh3[j] = keep_w[j + 2] && !keep_w[j + 3];
    end
    zz = ~{b_fz, b_first ? {KW{1'b0}} : pb_fz} & m;
    zs = ~{b_fs, b_first ? {KW{1'b0}} : pb_fs} & m;
    for (int g = 0; g < NG; g = g + 1) begin
      gz_any[g] = |zz[8*g +: 8];
      gs_any[g] = |zs[8*g +: 8];
      gz_loc[3*g +: 3] = hi3(zz[8*g +: 8]);
      gs_loc[3*g +: 3] = hi3(zs[8*g +: 8]);
    end
    for (int b = 0; b < IW; b = b + 1) begin
      for (int j = 0; j < WN; j = j + 1) begin
        ohb[j] = oh3[j] && ((j >> b) & 1) != 0;
        oh1b[j] = oh2[j] && ((j >> b) & 1) != 0;
      end
      e_at[b] = |ohb;
      e1_at[b] = |oh1b;
    end
    wdata = {b_data, b_pdata};
    for (int i = 0; i < 8; i = i + 1) begin
      for (int j = 0; j < WN; j = j + 1) wbit[j] = wdata[8*j + i];
      by1[i] = |(oh1 & wbit);
      by2[i] = |(oh2 & wbit);
      by3[i] = |(oh3 & wbit);
    end
  end

  logic        c_v, c_last, c_tag_ok;
  logic [NG-1:0] c_gz_any, c_gs_any;
  logic [3*NG-1:0] c_gz_loc, c_gs_loc;
  logic [IW-1:0] c_e, c_e1;
  logic [7:0]  c_nh, c_pad, c_plast;
  logic [CAP*8-1:0] c_head;
  always_ff @(posedge clk) begin
    if (rst) c_v <= 1'b0;
    else if (adv) c_v <= b_v;
    if (b_go) begin
      if (!b_last) begin
        pb_fz <= b_fz;
        pb_fs <= b_fs;
      end
      c_gz_any <= gz_any;
      c_gs_any <= gs_any;
      c_gz_loc <= gz_loc;
      c_gs_loc <= gs_loc;
      c_e <= e_at;
      c_e1 <= e1_at;
      c_nh <= by1;
      c_pad <= by2;
      c_plast <= by3;
      c_last <= b_last;
      c_tag_ok <= b_tag_ok;
      c_head <= b_head;
    end
  end

  // ---------------------------------------------------------------- D
  // The highest group with a break, then its lane.
  function automatic logic [IW:0] hi_break(input logic [NG-1:0] any, input logic [3*NG-1:0] loc);
    logic [NG-1:0] sel, vb;
    logic [IW:0] h;
    for (int g = 0; g < NG; g = g + 1) sel[g] = any[g] && (any >> (g + 1)) == '0;
    for (int b = 0; b < IW; b = b + 1) begin
      for (int g = 0; g < NG; g = g + 1)
        vb[g] = sel[g] && (b < 3 ? loc[3*g + b] : ((g >> (b - 3)) & 1) != 0);
      h[b] = |vb;
    end
    h[IW] = !(|any);                 // no break in the window
    hi_break = h;
  endfunction

  wire c_go = adv && c_v;
  logic        d_v, d_last, d_tag_ok;
  logic [IW:0] d_hz, d_hs;
  logic [IW-1:0] d_e, d_e1;
  logic [7:0]  d_nh, d_pad, d_plast;
  logic [CAP*8-1:0] d_head;
  always_ff @(posedge clk) begin
    if (rst) d_v <= 1'b0;
    else if (adv) d_v <= c_v;
    if (c_go) begin
      d_hz <= hi_break(c_gz_any, c_gz_loc);
      d_hs <= hi_break(c_gs_any, c_gs_loc);
      d_e <= c_e;
      d_e1 <= c_e1;
      d_nh <= c_nh;
      d_pad <= c_pad;
      d_plast <= c_plast;
      d_last <= c_last;
      d_tag_ok <= c_tag_ok;
      d_head <= c_head;
    end
  end

  // ---------------------------------------------------------------- E
  // Run at the end of a (not last) beat: the window is the whole beat pair,
  // so the beat holds a break when the highest break is in its half.
  function automatic logic [9:0] run_end(input logic [IW:0] h, input logic [9:0] r);
    logic [10:0] s;
    logic [IW-2:0] lo;
    s = {1'b0, r} + 11'(KW);
    lo = ~h[IW-2:0];
    if (h[IW] || !h[IW-1]) run_end = s[10] ? 10'd1023 : s[9:0];
    else run_end = 10'(lo);                  // KW-1 - lane
  endfunction

  wire d_go = adv && d_v;
  logic [9:0]  rz_end, rs_end;       // runs at the end of the previous beat
  logic [9:0]  rz_before, rs_before; // runs at the end of the beat before it
  logic        e_v, e_last, e_tag_ok, e_znone, e_snone;
  logic [10:0] e_zsum, e_ssum;
  logic [9:0]  e_zdiff, e_sdiff;
  logic [7:0]  e_nh, e_pad, e_plast;
  logic [CAP*8-1:0] e_head;
  always_ff @(posedge clk) begin
    if (rst) begin
      e_v <= 1'b0;
      rz_end <= '0;
      rs_end <= '0;
    end else if (adv) begin
      e_v <= d_v;
      if (d_v) begin
        if (d_last) begin
          rz_end <= '0;
          rs_end <= '0;
        end else begin
          rz_end <= run_end(d_hz, rz_end);
          rs_end <= run_end(d_hs, rs_end);
        end
      end
    end
    if (d_go) begin
      if (!d_last) begin
        rz_before <= rz_end;
        rs_before <= rs_end;
      end
      e_znone <= d_hz[IW];
      e_snone <= d_hs[IW];
      e_zsum <= {1'b0, rz_before} + 11'(d_e1);
      e_ssum <= {1'b0, rs_before} + 11'(d_e1);
      e_zdiff <= 10'(IW'(d_e - d_hz[IW-1:0]));
      e_sdiff <= 10'(IW'(d_e - d_hs[IW-1:0]));
      e_nh <= d_nh;
      e_pad <= d_pad;
      e_plast <= d_plast;
      e_last <= d_last;
      e_tag_ok <= d_tag_ok;
      e_head <= d_head;
    end
  end

  // ---------------------------------------------------------------- T
  wire e_go = adv && e_v;
  always_ff @(posedge clk) begin
    if (rst) t_v <= 1'b0;
    else if (adv) t_v <= e_v && e_last;
    if (e_go && e_last) begin
      m_tail.tag_ok <= e_tag_ok;
      m_tail.next_hdr <= e_nh;
      m_tail.pad_len <= e_pad;
      m_tail.pad_last <= e_plast;
      m_tail.zero_run <= !e_znone ? e_zdiff : e_zsum[10] ? 10'd1023 : e_zsum[9:0];
      m_tail.seq_run <= !e_snone ? e_sdiff : e_ssum[10] ? 10'd1023 : e_ssum[9:0];
      m_tail.head <= e_head;
    end
  end
  assign m_tail_valid = t_v;
endmodule
