// Top of the card (docs/hw/datapath.md): the control registers, the outbound
// and inbound paths, the host port demux and merge, and the counter events.
//
//   s_plain  -> aipsec_outbound -> m_prot     (ESP encapsulation)
//   s_prot   -> aipsec_inbound  -> m_plain    (ESP decapsulation)
//   s_host   -> by tuser.direction to either path (whole frames)
//   both paths' m_host -> m_host               (whole frames, round robin)
//
// Committed SA contexts go to both paths at once (an entry is taken when both
// have taken it); a flow entry goes to the outbound or the inbound path's flow
// table by its inbound bit. The two paths'
// counter pulses are queued and merged into the control block's single inputs.
`default_nettype none

module aipsec_card #(
  parameter int DATA_W = 512,
  parameter int SA_COUNT = 1024,
  parameter int FLOW_COUNT = 4096,
  parameter logic [31:0] BUILD_DATE = '0,
  parameter logic [31:0] GIT_HASH = '0,
  localparam int KEEP_W = DATA_W / 8,
  localparam int ADDR_W = aipsec_regs_pkg::ADDR_W
) (
  input  wire logic              clk,
  input  wire logic              rst,

  // AXI4-Lite control slave
  input  wire logic [ADDR_W-1:0] s_axil_awaddr,
  input  wire logic [2:0]        s_axil_awprot,
  input  wire logic              s_axil_awvalid,
  output      logic              s_axil_awready,
  input  wire logic [31:0]       s_axil_wdata,
  input  wire logic [3:0]        s_axil_wstrb,
  input  wire logic              s_axil_wvalid,
  output      logic              s_axil_wready,
  output      logic [1:0]        s_axil_bresp,
  output      logic              s_axil_bvalid,
  input  wire logic              s_axil_bready,
  input  wire logic [ADDR_W-1:0] s_axil_araddr,
  input  wire logic [2:0]        s_axil_arprot,
  input  wire logic              s_axil_arvalid,
  output      logic              s_axil_arready,
  output      logic [31:0]       s_axil_rdata,
  output      logic [1:0]        s_axil_rresp,
  output      logic              s_axil_rvalid,
  input  wire logic              s_axil_rready,

  // plaintext side in, protected side out (outbound)
  input  wire logic [DATA_W-1:0] s_plain_tdata,
  input  wire logic [KEEP_W-1:0] s_plain_tkeep,
  input  wire logic              s_plain_tlast,
  input  wire logic [63:0]       s_plain_tuser,
  input  wire logic              s_plain_tvalid,
  output      logic              s_plain_tready,
  output      logic [DATA_W-1:0] m_prot_tdata,
  output      logic [KEEP_W-1:0] m_prot_tkeep,
  output      logic              m_prot_tlast,
  output      logic [63:0]       m_prot_tuser,
  output      logic              m_prot_tvalid,
  input  wire logic              m_prot_tready,

  // protected side in, plaintext side out (inbound)
  input  wire logic [DATA_W-1:0] s_prot_tdata,
  input  wire logic [KEEP_W-1:0] s_prot_tkeep,
  input  wire logic              s_prot_tlast,
  input  wire logic [63:0]       s_prot_tuser,
  input  wire logic              s_prot_tvalid,
  output      logic              s_prot_tready,
  output      logic [DATA_W-1:0] m_plain_tdata,
  output      logic [KEEP_W-1:0] m_plain_tkeep,
  output      logic              m_plain_tlast,
  output      logic [63:0]       m_plain_tuser,
  output      logic              m_plain_tvalid,
  input  wire logic              m_plain_tready,

  // host port: frames from the host (re-injection), frames to the host
  input  wire logic [DATA_W-1:0] s_host_tdata,
  input  wire logic [KEEP_W-1:0] s_host_tkeep,
  input  wire logic              s_host_tlast,
  input  wire logic [63:0]       s_host_tuser,
  input  wire logic              s_host_tvalid,
  output      logic              s_host_tready,
  output      logic [DATA_W-1:0] m_host_tdata,
  output      logic [KEEP_W-1:0] m_host_tkeep,
  output      logic              m_host_tlast,
  output      logic [63:0]       m_host_tuser,
  output      logic              m_host_tvalid,
  input  wire logic              m_host_tready
);

  localparam int SA_INDEX_W = $clog2(SA_COUNT);
  localparam int FLOW_INDEX_W = $clog2(FLOW_COUNT);

  // ------------------------------------------------------------ control block
  logic [31:0] ctrl_control, ctrl_settings;
  logic sa_valid, sa_ready;
  logic [SA_INDEX_W-1:0] sa_index;
  aipsec_regs_pkg::sa_context_t sa_entry;
  logic flow_valid, flow_ready;
  logic [FLOW_INDEX_W-1:0] flow_index;
  aipsec_regs_pkg::flow_entry_t flow_entry;
  // The merged counter events; public so that a co-simulation can see drops.
  logic sa_cnt_valid /*verilator public_flat_rd*/;
  logic [SA_INDEX_W-1:0] sa_cnt_index;
  logic [15:0] sa_cnt_bytes;
  logic drop_valid /*verilator public_flat_rd*/;
  logic [7:0] drop_reason /*verilator public_flat_rd*/;
  // The queue engine is not part of this card yet: its registers are kept but unused.
  logic [31:0] q_control_unused, q_event_size_unused, q_event_head_unused;
  logic [31:0] q_exc_size_unused, q_exc_head_unused, q_holdoff_unused;
  logic [63:0] q_event_base_unused, q_exc_base_unused;

  aipsec_ctrl_regs #(
    .SA_COUNT(SA_COUNT), .FLOW_COUNT(FLOW_COUNT), .DATA_W(DATA_W),
    .BUILD_DATE(BUILD_DATE), .GIT_HASH(GIT_HASH)
  ) u_ctrl (
    .clk, .rst,
    .s_axil_awaddr, .s_axil_awprot, .s_axil_awvalid, .s_axil_awready,
    .s_axil_wdata, .s_axil_wstrb, .s_axil_wvalid, .s_axil_wready,
    .s_axil_bresp, .s_axil_bvalid, .s_axil_bready,
    .s_axil_araddr, .s_axil_arprot, .s_axil_arvalid, .s_axil_arready,
    .s_axil_rdata, .s_axil_rresp, .s_axil_rvalid, .s_axil_rready,
    .ctrl_control, .ctrl_settings,
    .m_sa_valid(sa_valid), .m_sa_ready(sa_ready), .m_sa_index(sa_index), .m_sa_entry(sa_entry),
    .m_flow_valid(flow_valid), .m_flow_ready(flow_ready), .m_flow_index(flow_index),
    .m_flow_entry(flow_entry),
    .s_sa_cnt_valid(sa_cnt_valid), .s_sa_cnt_index(sa_cnt_index), .s_sa_cnt_bytes(sa_cnt_bytes),
    .s_drop_valid(drop_valid), .s_drop_reason(drop_reason),
    .q_control(q_control_unused), .q_event_base(q_event_base_unused),
    .q_event_size_log2(q_event_size_unused), .q_event_head(q_event_head_unused),
    .q_event_tail(32'd0),
    .q_exception_base(q_exc_base_unused), .q_exception_size_log2(q_exc_size_unused),
    .q_exception_head(q_exc_head_unused), .q_exception_tail(32'd0),
    .q_interrupt_holdoff(q_holdoff_unused)
  );

  // ------------------------------------------------- SA commit broadcast
  // Each path takes the entry once; the control block sees it taken when both have.
  logic out_sa_taken_reg, in_sa_taken_reg;
  logic out_sa_valid, out_sa_ready, in_sa_valid, in_sa_ready;

  assign out_sa_valid = sa_valid && !out_sa_taken_reg;
  assign in_sa_valid = sa_valid && !in_sa_taken_reg;
  assign sa_ready = (out_sa_taken_reg || out_sa_ready) && (in_sa_taken_reg || in_sa_ready);

  always_ff @(posedge clk) begin
    if (rst || (sa_valid && sa_ready)) begin
      out_sa_taken_reg <= 1'b0;
      in_sa_taken_reg <= 1'b0;
    end else begin
      if (out_sa_valid && out_sa_ready) out_sa_taken_reg <= 1'b1;
      if (in_sa_valid && in_sa_ready) in_sa_taken_reg <= 1'b1;
    end
  end

  // ------------------------------------------------- flow commit demux
  // The entry's inbound bit picks the table; the control block holds the entry
  // until that path takes it.
  logic out_flow_valid, out_flow_ready, in_flow_valid, in_flow_ready;
  assign in_flow_valid = flow_valid && flow_entry.inbound == 1'b1;
  assign out_flow_valid = flow_valid && flow_entry.inbound == 1'b0;
  assign flow_ready = flow_entry.inbound == 1'b1 ? in_flow_ready : out_flow_ready;

  // ------------------------------------------------- host port demux
  // tuser.direction of a frame's first beat picks the path for the whole frame.
  logic host_mid_reg, host_to_in_reg, host_to_in;
  logic out_host_tvalid, out_host_tready, in_host_tvalid, in_host_tready;

  assign host_to_in = host_mid_reg ? host_to_in_reg : s_host_tuser[0];
  assign out_host_tvalid = s_host_tvalid && !host_to_in;
  assign in_host_tvalid = s_host_tvalid && host_to_in;
  assign s_host_tready = host_to_in ? in_host_tready : out_host_tready;

  always_ff @(posedge clk) begin
    if (rst) begin
      host_mid_reg <= 1'b0;
      host_to_in_reg <= 1'b0;
    end else if (s_host_tvalid && s_host_tready) begin
      host_mid_reg <= !s_host_tlast;
      host_to_in_reg <= host_to_in;
    end
  end

  // ------------------------------------------------- the two paths
  logic [DATA_W-1:0] out_mh_tdata, in_mh_tdata;
  logic [KEEP_W-1:0] out_mh_tkeep, in_mh_tkeep;
  logic out_mh_tlast, in_mh_tlast, out_mh_tvalid, in_mh_tvalid, out_mh_tready, in_mh_tready;
  logic [63:0] out_mh_tuser, in_mh_tuser;
  logic out_cnt_valid, in_cnt_valid, out_drop_valid, in_drop_valid;
  logic [SA_INDEX_W-1:0] out_cnt_index, in_cnt_index;
  logic [15:0] out_cnt_bytes, in_cnt_bytes;
  logic [7:0] out_drop_reason, in_drop_reason;

  aipsec_outbound #(.DATA_W(DATA_W), .SA_COUNT(SA_COUNT), .FLOW_COUNT(FLOW_COUNT)) u_outbound (
    .clk, .rst,
    .s_axis_tdata(s_plain_tdata), .s_axis_tkeep(s_plain_tkeep), .s_axis_tlast(s_plain_tlast),
    .s_axis_tuser(s_plain_tuser), .s_axis_tvalid(s_plain_tvalid), .s_axis_tready(s_plain_tready),
    .m_axis_tdata(m_prot_tdata), .m_axis_tkeep(m_prot_tkeep), .m_axis_tlast(m_prot_tlast),
    .m_axis_tuser(m_prot_tuser), .m_axis_tvalid(m_prot_tvalid), .m_axis_tready(m_prot_tready),
    .s_host_tdata(s_host_tdata), .s_host_tkeep(s_host_tkeep), .s_host_tlast(s_host_tlast),
    .s_host_tuser(s_host_tuser), .s_host_tvalid(out_host_tvalid), .s_host_tready(out_host_tready),
    .m_host_tdata(out_mh_tdata), .m_host_tkeep(out_mh_tkeep), .m_host_tlast(out_mh_tlast),
    .m_host_tuser(out_mh_tuser), .m_host_tvalid(out_mh_tvalid), .m_host_tready(out_mh_tready),
    .s_sa_wr_valid(out_sa_valid), .s_sa_wr_ready(out_sa_ready), .s_sa_wr_index(sa_index),
    .s_sa_wr_entry(sa_entry),
    .s_flow_wr_valid(out_flow_valid), .s_flow_wr_ready(out_flow_ready), .s_flow_wr_index(flow_index),
    .s_flow_wr_entry(flow_entry),
    .ctrl_control, .ctrl_settings,
    .m_sa_cnt_valid(out_cnt_valid), .m_sa_cnt_index(out_cnt_index), .m_sa_cnt_bytes(out_cnt_bytes),
    .m_drop_valid(out_drop_valid), .m_drop_reason(out_drop_reason)
  );

  aipsec_inbound #(.DATA_W(DATA_W), .SA_COUNT(SA_COUNT), .FLOW_COUNT(FLOW_COUNT)) u_inbound (
    .clk, .rst,
    .s_axis_tdata(s_prot_tdata), .s_axis_tkeep(s_prot_tkeep), .s_axis_tlast(s_prot_tlast),
    .s_axis_tuser(s_prot_tuser), .s_axis_tvalid(s_prot_tvalid), .s_axis_tready(s_prot_tready),
    .m_axis_tdata(m_plain_tdata), .m_axis_tkeep(m_plain_tkeep), .m_axis_tlast(m_plain_tlast),
    .m_axis_tuser(m_plain_tuser), .m_axis_tvalid(m_plain_tvalid), .m_axis_tready(m_plain_tready),
    .s_host_tdata(s_host_tdata), .s_host_tkeep(s_host_tkeep), .s_host_tlast(s_host_tlast),
    .s_host_tuser(s_host_tuser), .s_host_tvalid(in_host_tvalid), .s_host_tready(in_host_tready),
    .m_host_tdata(in_mh_tdata), .m_host_tkeep(in_mh_tkeep), .m_host_tlast(in_mh_tlast),
    .m_host_tuser(in_mh_tuser), .m_host_tvalid(in_mh_tvalid), .m_host_tready(in_mh_tready),
    .s_sa_wr_valid(in_sa_valid), .s_sa_wr_ready(in_sa_ready), .s_sa_wr_index(sa_index),
    .s_sa_wr_entry(sa_entry),
    .s_flow_wr_valid(in_flow_valid), .s_flow_wr_ready(in_flow_ready), .s_flow_wr_index(flow_index),
    .s_flow_wr_entry(flow_entry),
    .ctrl_control, .ctrl_settings,
    .m_sa_cnt_valid(in_cnt_valid), .m_sa_cnt_index(in_cnt_index), .m_sa_cnt_bytes(in_cnt_bytes),
    .m_drop_valid(in_drop_valid), .m_drop_reason(in_drop_reason)
  );

  // ------------------------------------------------- host port merge
  aipsec_card_host_arb #(.DATA_W(DATA_W)) u_host_arb (
    .clk, .rst,
    .a_tdata(out_mh_tdata), .a_tkeep(out_mh_tkeep), .a_tlast(out_mh_tlast), .a_tuser(out_mh_tuser),
    .a_tvalid(out_mh_tvalid), .a_tready(out_mh_tready),
    .b_tdata(in_mh_tdata), .b_tkeep(in_mh_tkeep), .b_tlast(in_mh_tlast), .b_tuser(in_mh_tuser),
    .b_tvalid(in_mh_tvalid), .b_tready(in_mh_tready),
    .m_tdata(m_host_tdata), .m_tkeep(m_host_tkeep), .m_tlast(m_host_tlast), .m_tuser(m_host_tuser),
    .m_tvalid(m_host_tvalid), .m_tready(m_host_tready)
  );

  // ------------------------------------------------- counter events
  aipsec_card_pulse_merge #(.W(SA_INDEX_W + 16)) u_sa_cnt_merge (
    .clk, .rst,
    .a_valid(out_cnt_valid), .a_data({out_cnt_index, out_cnt_bytes}),
    .b_valid(in_cnt_valid), .b_data({in_cnt_index, in_cnt_bytes}),
    .m_valid(sa_cnt_valid), .m_data({sa_cnt_index, sa_cnt_bytes})
  );

  aipsec_card_pulse_merge #(.W(8)) u_drop_merge (
    .clk, .rst,
    .a_valid(out_drop_valid), .a_data(out_drop_reason),
    .b_valid(in_drop_valid), .b_data(in_drop_reason),
    .m_valid(drop_valid), .m_data(drop_reason)
  );

endmodule
