// Byte packer: appends a byte range of each input beat to a densely packed
// output stream (docs/hw/datapath.md, common blocks).
//
// Input beat: bytes s_data[8*(s_off+i) +: 8] for i < s_cnt (s_off + s_cnt <=
// KEEP_W) are appended to the current packet; s_last ends it (s_cnt may be 0
// then). Output beats are full except the last of a packet, whose keep is
// contiguous from byte 0; a packet of 0 bytes gives one beat with keep 0.
//
// Up to KEEP_W-1 bytes wait in a residue register. One input beat is taken
// per cycle while the output keeps up; a last input beat that completes two
// output beats (residue + new bytes > KEEP_W) takes one extra cycle to send
// the tail. The input range is moved to its place behind the residue by a
// single byte rotation (by residue count minus s_off).
`default_nettype none

module aipsec_byte_packer #(
  parameter int DATA_W = 128                 // stream width in bits (a multiple of 8, >= 16)
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire logic [DATA_W-1:0] s_data,
  input  wire logic [$clog2(DATA_W/8)-1:0] s_off,  // first byte of the range
  input  wire logic [$clog2(DATA_W/8):0]   s_cnt,  // bytes in the range (0..KEEP_W)
  input  wire logic              s_last,
  input  wire logic              s_valid,
  output      logic              s_ready,

  output      logic [DATA_W-1:0] m_data,
  output      logic [KEEP_W-1:0] m_keep,
  output      logic              m_last,
  output      logic              m_valid,
  input  wire logic              m_ready
);

  localparam int KEEP_W = DATA_W / 8;
  localparam int OFF_W = $clog2(KEEP_W);
  // Byte positions of the double-width work vector (residue + one beat).
  localparam int POS_W = OFF_W + 1;

  initial begin
    if (DATA_W % 8 != 0 || KEEP_W < 2 || (1 << OFF_W) != KEEP_W) begin
      $error("aipsec_byte_packer: DATA_W must be 8 * a power of two >= 2");
    end
  end

  logic [DATA_W-1:0] res_reg;                 // residue bytes 0..res_cnt_reg-1
  logic [OFF_W:0]    res_cnt_reg;             // 0..KEEP_W-1
  logic              flush_reg;               // residue is a packet's tail to send

  logic [DATA_W-1:0] m_data_reg;
  logic [KEEP_W-1:0] m_keep_reg;
  logic              m_last_reg;
  logic              m_valid_reg;

  wire out_free = !m_valid_reg || m_ready;
  wire take = s_valid && s_ready;

  assign s_ready = out_free && !flush_reg;
  assign m_data = m_data_reg;
  assign m_keep = m_keep_reg;
  assign m_last = m_last_reg;
  assign m_valid = m_valid_reg;

  // Keep of a partial beat holding n bytes (n <= KEEP_W).
  function automatic logic [KEEP_W-1:0] keep_of(input logic [OFF_W:0] n);
    logic [KEEP_W-1:0] k;
    for (int i = 0; i < KEEP_W; i = i + 1) k[i] = (OFF_W + 1)'(i) < n;
    keep_of = k;
  endfunction

  // Residue followed by the selected input bytes, 2*KEEP_W bytes.
  logic [2*DATA_W-1:0] rot;
  logic [2*DATA_W-1:0] merged;
  logic [POS_W:0]      total;                 // res_cnt + s_cnt, 0..2*KEEP_W-1
  logic [POS_W-1:0]    rot_bytes;
  logic [POS_W-1:0]    rot_back;              // 2*KEEP_W - rot_bytes (mod 2*KEEP_W)

  always_comb begin
    rot_bytes = POS_W'(res_cnt_reg) - POS_W'(s_off);
    rot = {{DATA_W{1'b0}}, s_data};
    rot_back = POS_W'(0) - rot_bytes;
    rot = (rot << {rot_bytes, 3'b000}) | (rot >> {rot_back, 3'b000});
    total = (POS_W + 1)'(res_cnt_reg) + (POS_W + 1)'(s_cnt);
    for (int j = 0; j < 2 * KEEP_W; j = j + 1) begin
      if ((POS_W + 1)'(j) < (POS_W + 1)'(res_cnt_reg)) begin
        merged[8*j +: 8] = (j < KEEP_W) ? res_reg[8*(j % KEEP_W) +: 8] : 8'd0;
      end else if ((POS_W + 1)'(j) < total) begin
        merged[8*j +: 8] = rot[8*j +: 8];
      end else begin
        merged[8*j +: 8] = 8'd0;
      end
    end
  end

  wire full_beat = total >= (POS_W + 1)'(KEEP_W);

  always_ff @(posedge clk) begin
    if (out_free) m_valid_reg <= 1'b0;
    if (flush_reg && out_free) begin
      m_data_reg <= res_reg;
      m_keep_reg <= keep_of(res_cnt_reg);
      m_last_reg <= 1'b1;
      m_valid_reg <= 1'b1;
      res_cnt_reg <= '0;
      res_reg <= '0;
      flush_reg <= 1'b0;
    end else if (take) begin
      if (full_beat || s_last) begin
        m_data_reg <= merged[DATA_W-1:0];
        m_keep_reg <= full_beat ? {KEEP_W{1'b1}} : keep_of(total[OFF_W:0]);
        m_last_reg <= s_last && total <= (POS_W + 1)'(KEEP_W);
        m_valid_reg <= 1'b1;
      end
      if (full_beat) begin
        res_reg <= merged[2*DATA_W-1:DATA_W];
        res_cnt_reg <= (OFF_W + 1)'(total - (POS_W + 1)'(KEEP_W));
        flush_reg <= s_last && total > (POS_W + 1)'(KEEP_W);
      end else if (s_last) begin
        res_reg <= '0;
        res_cnt_reg <= '0;
      end else begin
        res_reg <= merged[DATA_W-1:0];
        res_cnt_reg <= total[OFF_W:0];
      end
    end
    if (rst) begin
      m_valid_reg <= 1'b0;
      res_cnt_reg <= '0;
      res_reg <= '0;
      flush_reg <= 1'b0;
    end
  end

endmodule

`default_nettype wire
