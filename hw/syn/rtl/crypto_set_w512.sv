// The 512-bit card's crypto cores in one top, for synthesis only: gcm_core
// (DATA_W 512), cbc_enc (16 contexts), cbc_dec (4 contexts) and
// hmac_sha_core_x8, each with its own ports brought out under a prefix, so
// that yosys synthesises the set together (nothing is shared or removed).
`default_nettype none

module crypto_set_w512 (
    input  wire logic          clk,
    input  wire logic          rst,

    // gcm_core, DATA_W 512
    input  wire logic [511:0]  gcm_s_tdata,
    input  wire logic [63:0]   gcm_s_tkeep,
    input  wire logic          gcm_s_tlast,
    input  wire logic          gcm_s_tvalid,
    output logic               gcm_s_tready,
    input  wire logic [255:0]  gcm_s_key,
    input  wire logic          gcm_s_key_256,
    input  wire logic [95:0]   gcm_s_nonce,
    input  wire logic [15:0]   gcm_s_aad_len,
    input  wire logic [4:0]    gcm_s_tag_len,
    input  wire logic          gcm_s_decrypt,
    input  wire logic [127:0]  gcm_s_tag,
    output logic [511:0]       gcm_m_tdata,
    output logic [63:0]        gcm_m_tkeep,
    output logic               gcm_m_tlast,
    output logic               gcm_m_tvalid,
    input  wire logic          gcm_m_tready,
    output logic [127:0]       gcm_m_tag,
    output logic               gcm_m_tag_ok,

    // cbc_enc, 16 contexts
    input  wire logic [127:0]  cbce_s_tdata,
    input  wire logic          cbce_s_tlast,
    input  wire logic [3:0]    cbce_s_tid,
    input  wire logic [255:0]  cbce_s_key,
    input  wire logic          cbce_s_key_256,
    input  wire logic [127:0]  cbce_s_iv,
    input  wire logic          cbce_s_tvalid,
    output logic               cbce_s_tready,
    output logic [15:0]        cbce_s_ctx_ready,
    output logic [127:0]       cbce_m_tdata,
    output logic               cbce_m_tlast,
    output logic [3:0]         cbce_m_tid,
    output logic               cbce_m_tvalid,
    input  wire logic          cbce_m_tready,

    // cbc_dec, 4 contexts
    input  wire logic [127:0]  cbcd_s_tdata,
    input  wire logic          cbcd_s_tlast,
    input  wire logic [1:0]    cbcd_s_tid,
    input  wire logic [255:0]  cbcd_s_key,
    input  wire logic          cbcd_s_key_256,
    input  wire logic [127:0]  cbcd_s_iv,
    input  wire logic          cbcd_s_tvalid,
    output logic               cbcd_s_tready,
    output logic [127:0]       cbcd_m_tdata,
    output logic               cbcd_m_tlast,
    output logic [1:0]         cbcd_m_tid,
    output logic               cbcd_m_tvalid,
    input  wire logic          cbcd_m_tready,

    // hmac_sha_core_x8
    input  wire logic [511:0]  hmac_s_tdata,
    input  wire logic [63:0]   hmac_s_tkeep,
    input  wire logic          hmac_s_tlast,
    input  wire logic [2:0]    hmac_s_tid,
    input  wire logic [11:0]   hmac_s_tuser,
    input  wire logic          hmac_s_tvalid,
    output logic               hmac_s_tready,
    output logic [7:0]         hmac_s_ctx_ready,
    input  wire logic [511:0]  hmac_s_key_tdata,
    input  wire logic [3:0]    hmac_s_key_tdest,
    input  wire logic          hmac_s_key_tvalid,
    output logic               hmac_s_key_tready,
    output logic [255:0]       hmac_m_tdata,
    output logic [31:0]        hmac_m_tkeep,
    output logic               hmac_m_tlast,
    output logic [2:0]         hmac_m_tid,
    output logic               hmac_m_tvalid,
    input  wire logic          hmac_m_tready
);

gcm_core #(.DATA_W(512)) gcm (
    .clk(clk), .rst(rst),
    .s_axis_tdata(gcm_s_tdata), .s_axis_tkeep(gcm_s_tkeep), .s_axis_tlast(gcm_s_tlast),
    .s_axis_tvalid(gcm_s_tvalid), .s_axis_tready(gcm_s_tready),
    .s_axis_key(gcm_s_key), .s_axis_key_256(gcm_s_key_256), .s_axis_nonce(gcm_s_nonce),
    .s_axis_aad_len(gcm_s_aad_len), .s_axis_tag_len(gcm_s_tag_len),
    .s_axis_decrypt(gcm_s_decrypt), .s_axis_tag(gcm_s_tag),
    .m_axis_tdata(gcm_m_tdata), .m_axis_tkeep(gcm_m_tkeep), .m_axis_tlast(gcm_m_tlast),
    .m_axis_tvalid(gcm_m_tvalid), .m_axis_tready(gcm_m_tready),
    .m_axis_tag(gcm_m_tag), .m_axis_tag_ok(gcm_m_tag_ok)
);

cbc_enc #(.CONTEXTS(16)) cbce (
    .clk(clk), .rst(rst),
    .s_axis_tdata(cbce_s_tdata), .s_axis_tlast(cbce_s_tlast), .s_axis_tid(cbce_s_tid),
    .s_axis_key(cbce_s_key), .s_axis_key_256(cbce_s_key_256), .s_axis_iv(cbce_s_iv),
    .s_axis_tvalid(cbce_s_tvalid), .s_axis_tready(cbce_s_tready),
    .s_axis_ctx_ready(cbce_s_ctx_ready),
    .m_axis_tdata(cbce_m_tdata), .m_axis_tlast(cbce_m_tlast), .m_axis_tid(cbce_m_tid),
    .m_axis_tvalid(cbce_m_tvalid), .m_axis_tready(cbce_m_tready)
);

cbc_dec #(.CONTEXTS(4)) cbcd (
    .clk(clk), .rst(rst),
    .s_axis_tdata(cbcd_s_tdata), .s_axis_tlast(cbcd_s_tlast), .s_axis_tid(cbcd_s_tid),
    .s_axis_key(cbcd_s_key), .s_axis_key_256(cbcd_s_key_256), .s_axis_iv(cbcd_s_iv),
    .s_axis_tvalid(cbcd_s_tvalid), .s_axis_tready(cbcd_s_tready),
    .m_axis_tdata(cbcd_m_tdata), .m_axis_tlast(cbcd_m_tlast), .m_axis_tid(cbcd_m_tid),
    .m_axis_tvalid(cbcd_m_tvalid), .m_axis_tready(cbcd_m_tready)
);

hmac_sha_core_x8 hmac (
    .clk(clk), .rst(rst),
    .s_axis_tdata(hmac_s_tdata), .s_axis_tkeep(hmac_s_tkeep), .s_axis_tlast(hmac_s_tlast),
    .s_axis_tid(hmac_s_tid), .s_axis_tuser(hmac_s_tuser), .s_axis_tvalid(hmac_s_tvalid),
    .s_axis_tready(hmac_s_tready), .s_axis_ctx_ready(hmac_s_ctx_ready),
    .s_axis_key_tdata(hmac_s_key_tdata), .s_axis_key_tdest(hmac_s_key_tdest),
    .s_axis_key_tvalid(hmac_s_key_tvalid), .s_axis_key_tready(hmac_s_key_tready),
    .m_axis_tdata(hmac_m_tdata), .m_axis_tkeep(hmac_m_tkeep), .m_axis_tlast(hmac_m_tlast),
    .m_axis_tid(hmac_m_tid), .m_axis_tvalid(hmac_m_tvalid), .m_axis_tready(hmac_m_tready)
);

endmodule

`default_nettype wire
