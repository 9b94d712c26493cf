// Per-SA packet and byte counters in one RAM word per SA (64 + 64 bits).
//
// One packet event per cycle is added with a read-modify-write pipeline; the
// previous write is forwarded when the same SA comes back to back. A second
// read port takes snapshots for the host: both counters of an SA are read in
// the same cycle, so packets and bytes always agree. After reset the RAM is
// swept to zero (COUNT cycles); events and snapshots wait for the sweep.
`default_nettype none

module aipsec_ctrl_sa_counters #(
  parameter int COUNT = 1024,  // SA table entries
  parameter int LEN_W = 16     // width of a packet length
) (
  input  wire logic               clk,
  input  wire logic               rst,

  input  wire logic               cnt_valid,
  input  wire logic [INDEX_W-1:0] cnt_index,
  input  wire logic [LEN_W-1:0]   cnt_bytes,

  input  wire logic               snap_req,
  input  wire logic [INDEX_W-1:0] snap_index,
  output      logic               snap_valid,  // snap_* hold the snapshot from this cycle on
  output      logic [63:0]        snap_packets,
  output      logic [63:0]        snap_bytes,
  output      logic               clearing
);

  localparam int INDEX_W = COUNT > 1 ? $clog2(COUNT) : 1;

  initial begin
    if (COUNT < 2 || LEN_W > 32) begin
      $error("aipsec_ctrl_sa_counters: COUNT must be at least 2 and LEN_W at most 32");
      $finish;
    end
  end

  logic [127:0] mem [0:COUNT-1];

  logic               clearing_reg;
  logic [INDEX_W-1:0] clear_index_reg;
  logic               s1_valid_reg;
  logic [INDEX_W-1:0] s1_index_reg;
  logic [LEN_W-1:0]   s1_bytes_reg;
  logic [127:0]       s1_rd_reg;
  logic               wr_valid_reg;
  logic [INDEX_W-1:0] wr_index_reg;
  logic [127:0]       wr_data_reg;
  logic               snap_pend_reg;
  logic [INDEX_W-1:0] snap_index_reg;
  logic               snap_valid_reg;
  logic [127:0]       snap_rd_reg;

  logic [127:0] s1_cur;
  logic [127:0] s1_sum;

  assign clearing = clearing_reg;
  assign snap_valid = snap_valid_reg;
  assign snap_packets = snap_rd_reg[127:64];
  assign snap_bytes = snap_rd_reg[63:0];

  always_comb begin
    s1_cur = (wr_valid_reg && wr_index_reg == s1_index_reg) ? wr_data_reg : s1_rd_reg;
    s1_sum = {s1_cur[127:64] + 64'd1, s1_cur[63:0] + 64'(s1_bytes_reg)};
  end

  // write port: the sweep after reset, else the counting pipeline
  always_ff @(posedge clk) begin
    if (clearing_reg) begin
      mem[clear_index_reg] <= '0;
    end else if (s1_valid_reg) begin
      mem[s1_index_reg] <= s1_sum;
    end
  end

  // read ports
  always_ff @(posedge clk) begin
    s1_rd_reg <= mem[cnt_index];
  end
  always_ff @(posedge clk) begin
    if (snap_pend_reg && !clearing_reg) begin
      snap_rd_reg <= mem[snap_index_reg];
    end
  end

  always_ff @(posedge clk) begin
    s1_valid_reg <= cnt_valid && !clearing_reg;
    s1_index_reg <= cnt_index;
    s1_bytes_reg <= cnt_bytes;
    wr_valid_reg <= s1_valid_reg && !clearing_reg;
    wr_index_reg <= s1_index_reg;
    wr_data_reg <= s1_sum;
    snap_valid_reg <= snap_pend_reg && !clearing_reg;
    if (snap_req) begin
      snap_pend_reg <= 1'b1;
      snap_index_reg <= snap_index;
    end else if (!clearing_reg) begin
      snap_pend_reg <= 1'b0;
    end
    if (clearing_reg) begin
      clear_index_reg <= clear_index_reg + 1'b1;
      if (clear_index_reg == INDEX_W'(COUNT - 1)) begin
        clearing_reg <= 1'b0;
      end
    end
    if (rst) begin
      clearing_reg <= 1'b1;
      clear_index_reg <= '0;
      s1_valid_reg <= 1'b0;
      wr_valid_reg <= 1'b0;
      snap_pend_reg <= 1'b0;
      snap_valid_reg <= 1'b0;
    end
  end

endmodule

`default_nettype wire
