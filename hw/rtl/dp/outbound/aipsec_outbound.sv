// Outbound (plain side to protected side) path of the card: ESP encapsulation
// with AES-GCM (docs/hw/datapath.md, outbound path).
//
//   s_axis -> ingress --+                                    +-> m_axis (protected, bypass)
//                       +-> parser -> flow lookup -> decide -> encap
//   s_host -> ingress --+                (host frames: the SA at tuser.index)  +-> m_host
//                                                    (exceptions, SA events)
// Frames of both ingresses are decided in one order; the dispatcher reads each
// frame's beats from the ingress that stored it. The internal source mark
// rides in tuser bit 63 (reserved1, zero on the ports) through the parser.
`default_nettype none

module aipsec_outbound #(
  parameter int DATA_W = 128,
  parameter int SA_COUNT = 64,
  parameter int FLOW_COUNT = 256,
  parameter int FIFO_BYTES = 32768,          // frame store of each ingress
  localparam int KEEP_W = DATA_W / 8,
  localparam int SA_INDEX_W = $clog2(SA_COUNT),
  localparam int FLOW_INDEX_W = $clog2(FLOW_COUNT)
) (
  input  wire logic                         clk,
  input  wire logic                         rst,

  input  wire logic [DATA_W-1:0]            s_axis_tdata,
  input  wire logic [KEEP_W-1:0]            s_axis_tkeep,
  input  wire logic                         s_axis_tlast,
  input  wire logic [63:0]                  s_axis_tuser,
  input  wire logic                         s_axis_tvalid,
  output      logic                         s_axis_tready,

  output      logic [DATA_W-1:0]            m_axis_tdata,
  output      logic [KEEP_W-1:0]            m_axis_tkeep,
  output      logic                         m_axis_tlast,
  output      logic [63:0]                  m_axis_tuser,
  output      logic                         m_axis_tvalid,
  input  wire logic                         m_axis_tready,

  input  wire logic [DATA_W-1:0]            s_host_tdata,
  input  wire logic [KEEP_W-1:0]            s_host_tkeep,
  input  wire logic                         s_host_tlast,
  input  wire logic [63:0]                  s_host_tuser,
  input  wire logic                         s_host_tvalid,
  output      logic                         s_host_tready,

  output      logic [DATA_W-1:0]            m_host_tdata,
  output      logic [KEEP_W-1:0]            m_host_tkeep,
  output      logic                         m_host_tlast,
  output      logic [63:0]                  m_host_tuser,
  output      logic                         m_host_tvalid,
  input  wire logic                         m_host_tready,

  input  wire logic                         s_sa_wr_valid,
  output      logic                         s_sa_wr_ready,
  input  wire logic [SA_INDEX_W-1:0]        s_sa_wr_index,
  input  wire aipsec_regs_pkg::sa_context_t s_sa_wr_entry,

  input  wire logic                         s_flow_wr_valid,
  output      logic                         s_flow_wr_ready,
  input  wire logic [FLOW_INDEX_W-1:0]      s_flow_wr_index,
  input  wire aipsec_regs_pkg::flow_entry_t s_flow_wr_entry,

  input  wire logic [31:0]                  ctrl_control,
  input  wire logic [31:0]                  ctrl_settings,

  output      logic                         m_sa_cnt_valid,
  output      logic [SA_INDEX_W-1:0]        m_sa_cnt_index,
  output      logic [15:0]                  m_sa_cnt_bytes,
  output      logic                         m_drop_valid,
  output      logic [7:0]                   m_drop_reason
);

  // ------------------------------------------------------------ ingresses
  logic da_valid, da_ready, db_valid, db_ready;
  aipsec_dp_pkg::frame_desc_t da, db;
  logic [DATA_W-1:0] fa_data, fb_data;
  logic [KEEP_W-1:0] fa_keep, fb_keep;
  logic fa_last, fa_valid, fa_ready, fb_last, fb_valid, fb_ready;

  aipsec_frame_ingress #(.DATA_W(DATA_W), .FIFO_BYTES(FIFO_BYTES)) u_ing_plain (
    .clk, .rst,
    .s_axis_tdata, .s_axis_tkeep, .s_axis_tlast, .s_axis_tuser, .s_axis_tvalid, .s_axis_tready,
    .m_desc_valid(da_valid), .m_desc_ready(da_ready), .m_desc(da),
    .m_frame_tdata(fa_data), .m_frame_tkeep(fa_keep), .m_frame_tlast(fa_last),
    .m_frame_tvalid(fa_valid), .m_frame_tready(fa_ready));

  aipsec_frame_ingress #(.DATA_W(DATA_W), .FIFO_BYTES(FIFO_BYTES)) u_ing_host (
    .clk, .rst,
    .s_axis_tdata(s_host_tdata), .s_axis_tkeep(s_host_tkeep), .s_axis_tlast(s_host_tlast),
    .s_axis_tuser(s_host_tuser), .s_axis_tvalid(s_host_tvalid), .s_axis_tready(s_host_tready),
    .m_desc_valid(db_valid), .m_desc_ready(db_ready), .m_desc(db),
    .m_frame_tdata(fb_data), .m_frame_tkeep(fb_keep), .m_frame_tlast(fb_last),
    .m_frame_tvalid(fb_valid), .m_frame_tready(fb_ready));

  // Descriptors of the two ingresses, alternately when both wait.
  logic last_b;
  logic pick_b;
  logic p_in_valid, p_in_ready;
  aipsec_dp_pkg::frame_desc_t p_in;
  always_comb begin
    pick_b = db_valid && (!da_valid || !last_b);
    p_in = pick_b ? db : da;
    p_in.tuser[63] = pick_b;
    p_in_valid = da_valid || db_valid;
    da_ready = p_in_ready && !pick_b;
    db_ready = p_in_ready && pick_b;
  end
  always_ff @(posedge clk) begin
    if (p_in_valid && p_in_ready) last_b <= pick_b;
    if (rst) last_b <= 1'b0;
  end

  // ------------------------------------------------------------ parse, flow lookup
  logic p_out_valid, p_out_ready;
  aipsec_dp_pkg::frame_desc_t p_out_desc;
  aipsec_dp_pkg::parse_t p_out_parse;
  aipsec_parser #(.DATA_W(DATA_W)) u_parser (
    .clk, .rst,
    .s_valid(p_in_valid), .s_ready(p_in_ready), .s_desc(p_in),
    .m_valid(p_out_valid), .m_ready(p_out_ready), .m_desc(p_out_desc), .m_parse(p_out_parse));

  localparam int PQ_W = $bits(p_out_desc) + $bits(p_out_parse);
  logic pq_s_ready, pq_m_valid, pq_m_ready, lk_s_ready;
  logic [PQ_W-1:0] pq_m;
  assign p_out_ready = pq_s_ready && lk_s_ready;
  aipsec_ob_fifo #(.WIDTH(PQ_W), .DEPTH(4)) u_pq (
    .clk, .rst, .s_data({p_out_desc, p_out_parse}), .s_valid(p_out_valid && lk_s_ready),
    .s_ready(pq_s_ready), .m_data(pq_m), .m_valid(pq_m_valid), .m_ready(pq_m_ready));

  logic lk_m_valid, lk_m_ready, lk_hit;
  logic [FLOW_INDEX_W-1:0] lk_index;
  aipsec_regs_pkg::flow_entry_t lk_entry;
  aipsec_flow_table #(.FLOW_COUNT(FLOW_COUNT)) u_flow (
    .clk, .rst,
    .s_wr_valid(s_flow_wr_valid), .s_wr_ready(s_flow_wr_ready), .s_wr_index(s_flow_wr_index),
    .s_wr_entry(s_flow_wr_entry),
    .s_lk_valid(p_out_valid && pq_s_ready), .s_lk_ready(lk_s_ready),
    .s_lk_ipv6(p_out_parse.ipv6), .s_lk_proto(p_out_parse.l4_proto),
    .s_lk_sport(p_out_parse.sport), .s_lk_dport(p_out_parse.dport),
    .s_lk_src(p_out_parse.src), .s_lk_dst(p_out_parse.dst),
    .m_lk_valid(lk_m_valid), .m_lk_ready(lk_m_ready), .m_lk_hit(lk_hit),
    .m_lk_index(lk_index), .m_lk_entry(lk_entry));

  // ------------------------------------------------------------ decide
  aipsec_dp_pkg::frame_desc_t d_desc;
  aipsec_dp_pkg::parse_t d_parse;
  assign {d_desc, d_parse} = pq_m;
  logic dec_ready;
  assign pq_m_ready = pq_m_valid && lk_m_valid && dec_ready;
  assign lk_m_ready = pq_m_ready;

  logic cmd_valid, cmd_ready;
  aipsec_ob_pkg::ob_cmd_t cmd;
  logic evt_valid, evt_ready;
  logic [7:0] evt_reason;
  logic [15:0] evt_index;
  aipsec_dp_pkg::frame_desc_t d_desc_clean;
  always_comb begin
    d_desc_clean = d_desc;
    d_desc_clean.tuser[63] = 1'b0;
  end

  aipsec_ob_decide #(.SA_COUNT(SA_COUNT), .FLOW_COUNT(FLOW_COUNT)) u_decide (
    .clk, .rst,
    .s_valid(pq_m_valid && lk_m_valid), .s_ready(dec_ready),
    .s_desc(d_desc_clean), .s_parse(d_parse), .s_src(d_desc.tuser[63]),
    .s_flow_hit(lk_hit), .s_flow_index(lk_index), .s_flow_entry(lk_entry),
    .ctrl_control, .ctrl_settings,
    .s_sa_wr_valid, .s_sa_wr_ready, .s_sa_wr_index, .s_sa_wr_entry,
    .m_cmd_valid(cmd_valid), .m_cmd_ready(cmd_ready), .m_cmd(cmd),
    .m_sa_cnt_valid, .m_sa_cnt_index, .m_sa_cnt_bytes, .m_drop_valid, .m_drop_reason,
    .m_evt_valid(evt_valid), .m_evt_ready(evt_ready), .m_evt_reason(evt_reason),
    .m_evt_index(evt_index));

  // A register stage between the header builder and the dispatcher.
  logic cq_valid, cq_ready;
  aipsec_ob_pkg::ob_cmd_t cq;
  aipsec_ob_fifo #(.WIDTH($bits(cmd)), .DEPTH(2)) u_cq (
    .clk, .rst, .s_data(cmd), .s_valid(cmd_valid), .s_ready(cmd_ready),
    .m_data(cq), .m_valid(cq_valid), .m_ready(cq_ready));

  // ------------------------------------------------------------ encapsulation
  logic [DATA_W-1:0] eh_data;
  logic [KEEP_W-1:0] eh_keep;
  logic [63:0] eh_user;
  logic eh_last, eh_valid, eh_ready;
  aipsec_ob_encap #(.DATA_W(DATA_W)) u_encap (
    .clk, .rst,
    .s_cmd_valid(cq_valid), .s_cmd_ready(cq_ready), .s_cmd(cq),
    .s_fa_tdata(fa_data), .s_fa_tkeep(fa_keep), .s_fa_tlast(fa_last),
    .s_fa_tvalid(fa_valid), .s_fa_tready(fa_ready),
    .s_fb_tdata(fb_data), .s_fb_tkeep(fb_keep), .s_fb_tlast(fb_last),
    .s_fb_tvalid(fb_valid), .s_fb_tready(fb_ready),
    .m_axis_tdata, .m_axis_tkeep, .m_axis_tlast, .m_axis_tuser, .m_axis_tvalid, .m_axis_tready,
    .m_host_tdata(eh_data), .m_host_tkeep(eh_keep), .m_host_tlast(eh_last),
    .m_host_tuser(eh_user), .m_host_tvalid(eh_valid), .m_host_tready(eh_ready));

  // SA events: one beat, tkeep zero.
  aipsec_ob_arb #(.DATA_W(DATA_W)) u_host_arb (
    .clk, .rst,
    .s0_tdata(eh_data), .s0_tkeep(eh_keep), .s0_tlast(eh_last), .s0_tuser(eh_user),
    .s0_tvalid(eh_valid), .s0_tready(eh_ready),
    .s1_tdata('0), .s1_tkeep('0), .s1_tlast(1'b1),
    .s1_tuser(aipsec_ob_pkg::meta(aipsec_ob_pkg::PORT_PLAIN, aipsec_ob_pkg::KIND_SA, 1'b0, 1'b1,
                                  evt_reason, evt_index, 16'd0, 8'd0)),
    .s1_tvalid(evt_valid), .s1_tready(evt_ready),
    .m_tdata(m_host_tdata), .m_tkeep(m_host_tkeep), .m_tlast(m_host_tlast),
    .m_tuser(m_host_tuser), .m_tvalid(m_host_tvalid), .m_tready(m_host_tready));

endmodule

`default_nettype wire
