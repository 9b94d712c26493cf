// Merges two valid-only pulse streams (one event per cycle each, no ready)
// into one: each input has a small FIFO and the output takes one event per
// cycle from them in turn, so no event is lost while the two inputs together
// average at most one event per cycle. A FIFO that would overflow is a design
// error (the data path paces its events far below that): the simulation stops.
`default_nettype none

module aipsec_card_pulse_merge #(
  parameter int W = 8,       // event payload bits
  parameter int DEPTH = 16   // events each input may get ahead of the output (power of two)
) (
  input  wire logic         clk,
  input  wire logic         rst,
  input  wire logic         a_valid,
  input  wire logic [W-1:0] a_data,
  input  wire logic         b_valid,
  input  wire logic [W-1:0] b_data,
  output      logic         m_valid,
  output      logic [W-1:0] m_data
);

  localparam int PTR_W = $clog2(DEPTH);

  initial begin
    if (DEPTH < 2 || (DEPTH & (DEPTH - 1)) != 0) begin
      $error("aipsec_card_pulse_merge: DEPTH must be a power of two, at least 2");
      $finish;
    end
  end

  logic [W-1:0] a_mem [0:DEPTH-1];
  logic [W-1:0] b_mem [0:DEPTH-1];
  logic [PTR_W:0] a_wr, a_rd, b_wr, b_rd;
  logic a_empty, b_empty, a_full, b_full, take_a, take_b, last_was_a;

  assign a_empty = a_wr == a_rd;
  assign b_empty = b_wr == b_rd;
  assign a_full = (a_wr - a_rd) == (PTR_W + 1)'(DEPTH);
  assign b_full = (b_wr - b_rd) == (PTR_W + 1)'(DEPTH);
  // Round robin: a goes when b is empty or b went last.
  assign take_a = !a_empty && (b_empty || !last_was_a);
  assign take_b = !b_empty && !take_a;

  always_ff @(posedge clk) begin
    if (a_valid) a_mem[a_wr[PTR_W-1:0]] <= a_data;
    if (b_valid) b_mem[b_wr[PTR_W-1:0]] <= b_data;
    m_data <= take_a ? a_mem[a_rd[PTR_W-1:0]] : b_mem[b_rd[PTR_W-1:0]];
    if (rst) begin
      a_wr <= '0;
      a_rd <= '0;
      b_wr <= '0;
      b_rd <= '0;
      m_valid <= 1'b0;
      last_was_a <= 1'b0;
    end else begin
      if (a_valid) a_wr <= a_wr + 1'b1;
      if (b_valid) b_wr <= b_wr + 1'b1;
      if (take_a) a_rd <= a_rd + 1'b1;
      if (take_b) b_rd <= b_rd + 1'b1;
      if (take_a || take_b) last_was_a <= take_a;
      m_valid <= take_a || take_b;
    end
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst && ((a_valid && a_full && !take_a) || (b_valid && b_full && !take_b))) begin
      $error("aipsec_card_pulse_merge: event FIFO overflow");
      $stop;
    end
  end
`endif

endmodule
