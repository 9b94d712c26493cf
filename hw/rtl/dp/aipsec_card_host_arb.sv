// Merges the two paths' frames to the host into the card's one host stream:
// frame-granular round robin. Once a frame's first beat is taken its source
// keeps the output until its tlast beat, so beats of two frames never mix.
`default_nettype none

module aipsec_card_host_arb #(
  parameter int DATA_W = 512,
  localparam int KEEP_W = DATA_W / 8
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire logic [DATA_W-1:0] a_tdata,
  input  wire logic [KEEP_W-1:0] a_tkeep,
  input  wire logic              a_tlast,
  input  wire logic [63:0]       a_tuser,
  input  wire logic              a_tvalid,
  output      logic              a_tready,

  input  wire logic [DATA_W-1:0] b_tdata,
  input  wire logic [KEEP_W-1:0] b_tkeep,
  input  wire logic              b_tlast,
  input  wire logic [63:0]       b_tuser,
  input  wire logic              b_tvalid,
  output      logic              b_tready,

  output      logic [DATA_W-1:0] m_tdata,
  output      logic [KEEP_W-1:0] m_tkeep,
  output      logic              m_tlast,
  output      logic [63:0]       m_tuser,
  output      logic              m_tvalid,
  input  wire logic              m_tready
);

  // The grant is a register, so no ready depends on a valid through this block
  // (a path's valid may depend on its ready). Unlocked, it moves to the other
  // source when the granted one has nothing and the other has a frame, and
  // after each frame to the other source if it is waiting (round robin).
  logic grant_b_reg, locked_reg;

  assign m_tdata = grant_b_reg ? b_tdata : a_tdata;
  assign m_tkeep = grant_b_reg ? b_tkeep : a_tkeep;
  assign m_tlast = grant_b_reg ? b_tlast : a_tlast;
  assign m_tuser = grant_b_reg ? b_tuser : a_tuser;
  assign m_tvalid = grant_b_reg ? b_tvalid : a_tvalid;
  assign a_tready = !grant_b_reg && m_tready;
  assign b_tready = grant_b_reg && m_tready;

  logic other_valid;
  assign other_valid = grant_b_reg ? a_tvalid : b_tvalid;

  always_ff @(posedge clk) begin
    if (rst) begin
      grant_b_reg <= 1'b0;
      locked_reg <= 1'b0;
    end else if (m_tvalid && m_tready) begin
      locked_reg <= !m_tlast;
      if (m_tlast && other_valid) grant_b_reg <= !grant_b_reg;
    end else if (!locked_reg && !m_tvalid && other_valid) begin
      grant_b_reg <= !grant_b_reg;
    end
  end

endmodule
