// Frame ingress: store and forward of whole frames (docs/hw/datapath.md,
// common blocks).
//
// Beats go into a FIFO of FIFO_BYTES; the first HDR_BYTES bytes of the frame
// are captured on the way (bytes past tkeep read as zero). When the last beat
// is stored, a frame_desc_t (tuser of the first beat, frame_len, header) is
// queued and the frame's beats become readable on m_frame, unchanged. The
// consumer takes a descriptor, then exactly that frame's beats.
//
// A frame longer than MAX_FRAME_BYTES is cut there: the beat that reaches that
// count (and is not the last) is stored with tlast set, the descriptor says
// frame_len 0, and the rest of the input frame is taken and discarded.
// tkeep is assumed contiguous from byte 0 and full on every beat but the last.
`default_nettype none

module aipsec_frame_ingress #(
  parameter int DATA_W = 128,                // stream width in bits
  parameter int FIFO_BYTES = 32768,          // frame FIFO (power of two, >= MAX_FRAME_BYTES)
  parameter int DESC_DEPTH = 16              // descriptors (frames) held at once (power of two)
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire logic [DATA_W-1:0] s_axis_tdata,
  input  wire logic [KEEP_W-1:0] s_axis_tkeep,
  input  wire logic              s_axis_tlast,
  input  wire logic [63:0]       s_axis_tuser,
  input  wire logic              s_axis_tvalid,
  output      logic              s_axis_tready,

  output      logic              m_desc_valid,
  input  wire logic              m_desc_ready,
  output      aipsec_dp_pkg::frame_desc_t m_desc,

  output      logic [DATA_W-1:0] m_frame_tdata,
  output      logic [KEEP_W-1:0] m_frame_tkeep,
  output      logic              m_frame_tlast,
  output      logic              m_frame_tvalid,
  input  wire logic              m_frame_tready
);

  localparam int KEEP_W = DATA_W / 8;
  localparam int HDR_BYTES = aipsec_dp_pkg::HDR_BYTES;
  localparam int MAX_FRAME_BYTES = aipsec_dp_pkg::MAX_FRAME_BYTES;
  localparam int HDR_BEATS = (HDR_BYTES + KEEP_W - 1) / KEEP_W;
  localparam int DEPTH = FIFO_BYTES / KEEP_W;           // beats
  localparam int AW = $clog2(DEPTH);
  localparam int DAW = $clog2(DESC_DEPTH);
  localparam int BEAT_W = DATA_W + KEEP_W + 1;          // {last, keep, data}
  localparam int HB_W = $clog2(HDR_BEATS + 1);

  initial begin
    if (DATA_W % 8 != 0 || KEEP_W > HDR_BYTES || HDR_BYTES % KEEP_W != 0 ||
        (1 << AW) != DEPTH || FIFO_BYTES < MAX_FRAME_BYTES ||
        MAX_FRAME_BYTES % KEEP_W != 0 || (1 << DAW) != DESC_DEPTH) begin
      $error("aipsec_frame_ingress: unsupported DATA_W / FIFO_BYTES / DESC_DEPTH");
    end
  end

  // ---- write side: frame assembly --------------------------------------------
  // Every beat but a frame's last is full, so the frame is counted in beats and
  // its length made from that count and the last beat's tkeep: no adder and no
  // byte count stand between tkeep and the registers (LUT levels,
  // docs/hw/datapath.md).
  localparam int LG = $clog2(KEEP_W);
  localparam int MAX_BEATS = MAX_FRAME_BYTES / KEEP_W;
  localparam int CW = $clog2(MAX_BEATS + 1);

  logic [BEAT_W-1:0]       beat_mem [DEPTH];
  logic [AW:0]             wr_ptr_reg;          // next beat slot
  logic [AW:0]             commit_ptr_reg;      // end of the last complete frame
  logic [AW:0]             rd_ptr_reg;          // next beat to read out

  logic [HDR_BYTES*8-1:0]  hdr_reg;
  logic [CW-1:0]           beats_reg;           // full beats of this frame taken so far
  logic [CW-1:0]           beats1_reg;          // beats_reg + 1
  logic [63:0]             tuser_reg;
  logic [HB_W-1:0]         beat_idx_reg;        // saturates at HDR_BEATS
  logic                    in_frame_reg;        // a frame's first beat was taken
  logic                    discard_reg;         // cut frame: drop beats to its tlast

  aipsec_dp_pkg::frame_desc_t desc_mem [DESC_DEPTH];
  logic [DAW:0]            dwr_ptr_reg;
  logic [DAW:0]            drd_ptr_reg;

  // Full when the pointers differ in their wrap bit only (an equality, not a subtraction).
  wire data_full = wr_ptr_reg == {~rd_ptr_reg[AW], rd_ptr_reg[AW-1:0]};
  wire desc_full = dwr_ptr_reg == {~drd_ptr_reg[DAW], drd_ptr_reg[DAW-1:0]};

  assign s_axis_tready = discard_reg || (!data_full && !desc_full);
  wire take = s_axis_tvalid && s_axis_tready;
  wire store = take && !discard_reg;

  // Bytes of the last beat modulo KEEP_W: tkeep is contiguous from byte 0 (a
  // thermometer code), so bit j of the count is set when the first clear keep
  // bit lies in one of the ranges that have bit j set.
  logic [LG-1:0] tail_bytes;
  always_comb begin
    tail_bytes = '0;
    for (int j = 0; j < LG; j = j + 1) begin
      for (int lo = 1 << j; lo < KEEP_W; lo = lo + (2 << j)) begin
        if (s_axis_tkeep[lo - 1] && !s_axis_tkeep[lo + (1 << j) - 1]) tail_bytes[j] = 1'b1;
      end
    end
  end

  wire cut = !s_axis_tlast && beats_reg == CW'(MAX_BEATS - 1);
  wire frame_end = s_axis_tlast || cut;
  // Frame length with this beat: full, (beats + 1) beats; else beats plus its bytes.
  wire [CW+LG-1:0] len_now = s_axis_tkeep[KEEP_W-1] ? {beats1_reg, {LG{1'b0}}} : {beats_reg, tail_bytes};

  // Header with this beat written in (bytes past tkeep as zero).
  logic [HDR_BYTES*8-1:0] hdr_next;
  logic [DATA_W-1:0]      beat_masked;
  always_comb begin
    for (int i = 0; i < KEEP_W; i = i + 1) begin
      beat_masked[8*i +: 8] = s_axis_tkeep[i] ? s_axis_tdata[8*i +: 8] : 8'd0;
    end
    hdr_next = hdr_reg;
    for (int b = 0; b < HDR_BEATS; b = b + 1) begin
      if (beat_idx_reg == HB_W'(b)) hdr_next[b*DATA_W +: DATA_W] = beat_masked;
    end
  end

  aipsec_dp_pkg::frame_desc_t desc_in;
  always_comb begin
    desc_in.tuser = in_frame_reg ? tuser_reg : s_axis_tuser;
    desc_in.frame_len = cut ? 16'd0 : 16'(len_now);
    desc_in.hdr = hdr_next;
  end

  always_ff @(posedge clk) begin
    if (store) begin
      beat_mem[wr_ptr_reg[AW-1:0]] <= {frame_end, s_axis_tkeep, s_axis_tdata};
    end
    if (store && frame_end) begin
      desc_mem[dwr_ptr_reg[DAW-1:0]] <= desc_in;
    end
  end

  always_ff @(posedge clk) begin
    if (store) begin
      wr_ptr_reg <= wr_ptr_reg + 1'b1;
      if (frame_end) begin
        commit_ptr_reg <= wr_ptr_reg + 1'b1;
        dwr_ptr_reg <= dwr_ptr_reg + 1'b1;
        hdr_reg <= '0;
        beats_reg <= '0;
        beats1_reg <= CW'(1);
        beat_idx_reg <= '0;
        in_frame_reg <= 1'b0;
        discard_reg <= cut;
      end else begin
        hdr_reg <= hdr_next;
        beats_reg <= beats1_reg;
        beats1_reg <= beats1_reg + 1'b1;
        if (beat_idx_reg < HB_W'(HDR_BEATS)) beat_idx_reg <= beat_idx_reg + 1'b1;
        if (!in_frame_reg) tuser_reg <= s_axis_tuser;
        in_frame_reg <= 1'b1;
      end
    end else if (take && s_axis_tlast) begin
      discard_reg <= 1'b0;
    end
    if (rst) begin
      wr_ptr_reg <= '0;
      commit_ptr_reg <= '0;
      dwr_ptr_reg <= '0;
      hdr_reg <= '0;
      beats_reg <= '0;
      beats1_reg <= CW'(1);
      beat_idx_reg <= '0;
      in_frame_reg <= 1'b0;
      discard_reg <= 1'b0;
    end
  end

  // ---- read side ---------------------------------------------------------------
  // The beat memory is read synchronously into the output register (block RAM
  // with its output register as the stream's register).
  logic [BEAT_W-1:0] out_reg;
  logic              out_valid_reg;
  wire rd_en = (rd_ptr_reg != commit_ptr_reg) && (!out_valid_reg || m_frame_tready);

  always_ff @(posedge clk) begin
    if (rd_en) out_reg <= beat_mem[rd_ptr_reg[AW-1:0]];
  end

  always_ff @(posedge clk) begin
    if (rd_en) begin
      rd_ptr_reg <= rd_ptr_reg + 1'b1;
      out_valid_reg <= 1'b1;
    end else if (m_frame_tready) begin
      out_valid_reg <= 1'b0;
    end
    if (m_desc_valid && m_desc_ready) drd_ptr_reg <= drd_ptr_reg + 1'b1;
    if (rst) begin
      rd_ptr_reg <= '0;
      out_valid_reg <= 1'b0;
      drd_ptr_reg <= '0;
    end
  end

  assign m_frame_tdata = out_reg[DATA_W-1:0];
  assign m_frame_tkeep = out_reg[DATA_W +: KEEP_W];
  assign m_frame_tlast = out_reg[BEAT_W-1];
  assign m_frame_tvalid = out_valid_reg;

  assign m_desc_valid = dwr_ptr_reg != drd_ptr_reg;
  assign m_desc = desc_mem[drd_ptr_reg[DAW-1:0]];

endmodule

`default_nettype wire
