// Synchronous first-word-fall-through FIFO (registered write, the head read
// from the memory without a clock: distributed RAM).
`default_nettype none

module aipsec_ob_fifo #(
  parameter int WIDTH = 8,
  parameter int DEPTH = 4                    // power of two, >= 2
) (
  input  wire logic             clk,
  input  wire logic             rst,
  input  wire logic [WIDTH-1:0] s_data,
  input  wire logic             s_valid,
  output      logic             s_ready,
  output      logic [WIDTH-1:0] m_data,
  output      logic             m_valid,
  input  wire logic             m_ready
);

  localparam int AW = $clog2(DEPTH);

  logic [WIDTH-1:0] mem [0:DEPTH-1];
  logic [AW-1:0] wr_ptr, rd_ptr;
  logic [AW:0] count;

  assign s_ready = count != (AW + 1)'(DEPTH);
  assign m_valid = count != '0;
  assign m_data = mem[rd_ptr];

  wire push = s_valid && s_ready;
  wire pop = m_valid && m_ready;

  always_ff @(posedge clk) begin
    if (push) begin
      mem[wr_ptr] <= s_data;
      wr_ptr <= wr_ptr + 1'b1;
    end
    if (pop) rd_ptr <= rd_ptr + 1'b1;
    if (push && !pop) count <= count + 1'b1;
    else if (pop && !push) count <= count - 1'b1;
    if (rst) begin
      wr_ptr <= '0;
      rd_ptr <= '0;
      count <= '0;
    end
  end

endmodule

`default_nettype wire
