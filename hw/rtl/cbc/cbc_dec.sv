// AES-CBC decryption (NIST SP 800-38A 6.2): P[i] = D(C[i]) ^ C[i-1]. Blocks
// do not wait for each other, so every block enters the inverse AES pipeline
// (aes_dec_pipe) as soon as it arrives: one block per clock for one packet
// alone or for many. C[i-1] travels beside C[i] through the pipeline.
//
// Ports as cbc_enc: one 16-byte block per beat, tlast on a packet's last
// block, s_axis_key / s_axis_key_256 / s_axis_iv sampled on the first beat of
// a packet of context s_axis_tid. Packets of up to CONTEXTS contexts may
// interleave block by block; m_axis keeps the input order.
`default_nettype none

module cbc_dec #(
    // Packets that may interleave on s_axis.
    parameter int CONTEXTS = 2,
    // Width of a context number.
    parameter int CTX_W = $clog2(CONTEXTS)
) (
    input  wire logic               clk,
    input  wire logic               rst,             // synchronous, active high

    input  wire logic [127:0]       s_axis_tdata,    // ciphertext block
    input  wire logic               s_axis_tlast,
    input  wire logic [CTX_W-1:0]   s_axis_tid,
    input  wire logic [255:0]       s_axis_key,      // raw AES (encryption) key
    input  wire logic               s_axis_key_256,  // 1: AES-256, 0: AES-128
    input  wire logic [127:0]       s_axis_iv,
    input  wire logic               s_axis_tvalid,
    output logic                    s_axis_tready,

    output logic [127:0]            m_axis_tdata,    // plaintext block
    output logic                    m_axis_tlast,
    output logic [CTX_W-1:0]        m_axis_tid,
    output logic                    m_axis_tvalid,
    input  wire logic               m_axis_tready
);

localparam int USER_W = 128 + CTX_W + 1;

initial begin
    if (CONTEXTS < 2 || CTX_W != $clog2(CONTEXTS)) begin
        $error("cbc_dec: CONTEXTS >= 2; CTX_W is derived");
        $finish;
    end
end

logic [CONTEXTS-1:0] in_pkt_reg, key_256_reg;
logic [255:0]        key_reg [0:CONTEXTS-1];
logic [127:0]        prev_reg [0:CONTEXTS-1];

logic               first, accept;
logic [127:0]       prev_in, aes_out;
logic [USER_W-1:0]  aes_out_user;

assign first = !in_pkt_reg[s_axis_tid];
assign prev_in = first ? s_axis_iv : prev_reg[s_axis_tid];
assign accept = s_axis_tvalid && s_axis_tready;

aes_dec_pipe #(.LANES(1), .USER_W(USER_W)) aes (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_tdata),
    .s_axis_key(first ? s_axis_key : key_reg[s_axis_tid]),
    .s_axis_key_256(first ? s_axis_key_256 : key_256_reg[s_axis_tid]),
    .s_axis_tuser({prev_in, s_axis_tid, s_axis_tlast}), .s_axis_tvalid(s_axis_tvalid),
    .s_axis_tready(s_axis_tready),
    .m_axis_tdata(aes_out), .m_axis_tuser(aes_out_user), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)
);

assign m_axis_tdata = aes_out ^ aes_out_user[USER_W-1 -: 128];
assign m_axis_tid = aes_out_user[CTX_W:1];
assign m_axis_tlast = aes_out_user[0];

always_ff @(posedge clk) begin
    if (accept) begin
        in_pkt_reg[s_axis_tid] <= !s_axis_tlast;
        prev_reg[s_axis_tid] <= s_axis_tdata;
        if (first) begin
            key_reg[s_axis_tid] <= s_axis_key;
            key_256_reg[s_axis_tid] <= s_axis_key_256;
        end
    end
    if (rst) begin
        in_pkt_reg <= '0;
    end
end

endmodule

`default_nettype wire
