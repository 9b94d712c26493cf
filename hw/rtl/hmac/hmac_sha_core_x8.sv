// hmac_sha_core as the 512-bit card uses it: 512-bit message input, four
// round stage pairs (eight messages in flight), 16 key slots. A fixed
// configuration with plain ports, so that synthesis can name it as a top.
`default_nettype none

module hmac_sha_core_x8 (
    input  wire logic          clk,
    input  wire logic          rst,

    input  wire logic [511:0]  s_axis_tdata,
    input  wire logic [63:0]   s_axis_tkeep,
    input  wire logic          s_axis_tlast,
    input  wire logic [2:0]    s_axis_tid,
    input  wire logic [11:0]   s_axis_tuser,   // hmac_sha_core layout, KEY_SLOT_W = 4
    input  wire logic          s_axis_tvalid,
    output logic               s_axis_tready,
    output logic [7:0]         s_axis_ctx_ready,

    input  wire logic [511:0]  s_axis_key_tdata,
    input  wire logic [3:0]    s_axis_key_tdest,
    input  wire logic          s_axis_key_tvalid,
    output logic               s_axis_key_tready,

    output logic [255:0]       m_axis_tdata,
    output logic [31:0]        m_axis_tkeep,
    output logic               m_axis_tlast,
    output logic [2:0]         m_axis_tid,
    output logic               m_axis_tvalid,
    input  wire logic          m_axis_tready
);

hmac_sha_core #(.PAIRS(4), .DATA_W(512), .KEY_SLOTS(16)) core (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_tdata), .s_axis_tkeep(s_axis_tkeep), .s_axis_tlast(s_axis_tlast),
    .s_axis_tid(s_axis_tid), .s_axis_tuser(s_axis_tuser), .s_axis_tvalid(s_axis_tvalid),
    .s_axis_tready(s_axis_tready), .s_axis_ctx_ready(s_axis_ctx_ready),
    .s_axis_key_tdata(s_axis_key_tdata), .s_axis_key_tdest(s_axis_key_tdest),
    .s_axis_key_tvalid(s_axis_key_tvalid), .s_axis_key_tready(s_axis_key_tready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tkeep(m_axis_tkeep), .m_axis_tlast(m_axis_tlast),
    .m_axis_tid(m_axis_tid), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
);

endmodule

`default_nettype wire
