// Merges the protected-side input and the host's frames for decapsulation
// into one stream, a whole frame at a time, alternating when both wait.
`default_nettype none

module aipsec_inbound_merge #(
  parameter int DATA_W = 128
) (
  input  wire logic                clk,
  input  wire logic                rst,
  input  wire logic [DATA_W-1:0]   a_tdata,
  input  wire logic [DATA_W/8-1:0] a_tkeep,
  input  wire logic                a_tlast,
  input  wire logic [63:0]         a_tuser,
  input  wire logic                a_tvalid,
  output      logic                a_tready,
  input  wire logic [DATA_W-1:0]   b_tdata,
  input  wire logic [DATA_W/8-1:0] b_tkeep,
  input  wire logic                b_tlast,
  input  wire logic [63:0]         b_tuser,
  input  wire logic                b_tvalid,
  output      logic                b_tready,
  output      logic [DATA_W-1:0]   m_tdata,
  output      logic [DATA_W/8-1:0] m_tkeep,
  output      logic                m_tlast,
  output      logic [63:0]         m_tuser,
  output      logic                m_tvalid,
  input  wire logic                m_tready
);
  logic busy;      // a frame is being passed
  logic sel;       // 0: a, 1: b (valid while busy)
  logic last_b;    // the last frame came from b

  wire pick_b = busy ? sel : (b_tvalid && (!a_tvalid || !last_b));

  assign m_tdata = pick_b ? b_tdata : a_tdata;
  assign m_tkeep = pick_b ? b_tkeep : a_tkeep;
  assign m_tlast = pick_b ? b_tlast : a_tlast;
  assign m_tuser = pick_b ? b_tuser : a_tuser;
  assign m_tvalid = pick_b ? b_tvalid : a_tvalid;
  assign a_tready = !pick_b && m_tready;
  assign b_tready = pick_b && m_tready;

  always_ff @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0;
      sel <= 1'b0;
      last_b <= 1'b0;
    end else if (m_tvalid && m_tready) begin
      busy <= !m_tlast;
      sel <= pick_b;
      if (m_tlast) last_b <= pick_b;
    end
  end
endmodule
