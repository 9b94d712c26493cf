// Two AXI4-Stream sources onto one sink, a whole frame at a time (source 0
// first when both wait).
`default_nettype none

module aipsec_ob_arb #(
  parameter int DATA_W = 128
) (
  input  wire logic                clk,
  input  wire logic                rst,
  input  wire logic [DATA_W-1:0]   s0_tdata,
  input  wire logic [DATA_W/8-1:0] s0_tkeep,
  input  wire logic                s0_tlast,
  input  wire logic [63:0]         s0_tuser,
  input  wire logic                s0_tvalid,
  output      logic                s0_tready,
  input  wire logic [DATA_W-1:0]   s1_tdata,
  input  wire logic [DATA_W/8-1:0] s1_tkeep,
  input  wire logic                s1_tlast,
  input  wire logic [63:0]         s1_tuser,
  input  wire logic                s1_tvalid,
  output      logic                s1_tready,
  output      logic [DATA_W-1:0]   m_tdata,
  output      logic [DATA_W/8-1:0] m_tkeep,
  output      logic                m_tlast,
  output      logic [63:0]         m_tuser,
  output      logic                m_tvalid,
  input  wire logic                m_tready
);

  logic locked, lock_sel;
  logic sel;

  always_comb begin
    sel = locked ? lock_sel : !s0_tvalid;
    m_tdata = sel ? s1_tdata : s0_tdata;
    m_tkeep = sel ? s1_tkeep : s0_tkeep;
    m_tlast = sel ? s1_tlast : s0_tlast;
    m_tuser = sel ? s1_tuser : s0_tuser;
    m_tvalid = sel ? s1_tvalid : s0_tvalid;
    s0_tready = !sel && m_tready;
    s1_tready = sel && m_tready;
  end

  always_ff @(posedge clk) begin
    if (m_tvalid && m_tready) begin
      locked <= !m_tlast;
      lock_sel <= sel;
    end
    if (rst) begin
      locked <= 1'b0;
      lock_sel <= 1'b0;
    end
  end

endmodule

`default_nettype wire
