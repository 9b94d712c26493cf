// Synchronous first-word-fall-through FIFO of the inbound path (per-packet
// records and beat buffers). DEPTH is a power of two.
`default_nettype none

module aipsec_inbound_fifo #(
  parameter int WIDTH = 8,
  parameter int DEPTH = 16
) (
  input  wire logic             clk,
  input  wire logic             rst,
  input  wire logic [WIDTH-1:0] s_data,
  input  wire logic             s_valid,
  output      logic             s_ready,
  output      logic [WIDTH-1:0] m_data,
  output      logic             m_valid,
  input  wire logic             m_ready,
  output      logic [AW:0]      count
);
  localparam int AW = $clog2(DEPTH);

  logic [WIDTH-1:0] mem [0:DEPTH-1];
  logic [AW:0] wr_ptr, rd_ptr;

  // Full and empty as pointer equalities (the wrap bit apart, or all bits
  // alike), not from the subtraction: one LUT level from the pointers.
  assign count = wr_ptr - rd_ptr;
  assign s_ready = wr_ptr != {~rd_ptr[AW], rd_ptr[AW-1:0]};
  assign m_valid = wr_ptr != rd_ptr;
  assign m_data = mem[rd_ptr[AW-1:0]];

  always_ff @(posedge clk) begin
    if (s_valid && s_ready) mem[wr_ptr[AW-1:0]] <= s_data;
    if (rst) begin
      wr_ptr <= '0;
      rd_ptr <= '0;
    end else begin
      if (s_valid && s_ready) wr_ptr <= wr_ptr + 1'b1;
      if (m_valid && m_ready) rd_ptr <= rd_ptr + 1'b1;
    end
  end
endmodule
