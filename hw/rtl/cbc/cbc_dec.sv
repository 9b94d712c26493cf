// AES-CBC decryption (NIST SP 800-38A 6.2): P[i] = D(C[i]) ^ C[i-1]. Blocks
// do not wait for each other, so every block enters the inverse AES pipeline
// (aes_dec_pipe) as soon as it arrives: one block per clock for one packet
// alone or for many. C[i-1] travels beside C[i] through the pipeline.
// The beat, its context's key and C[i-1] are registered before the pipeline
// and the plaintext after it, so that neither the context selects nor the
// chaining XOR add to an AES stage's depth or to the consumer's: latency is
// the pipeline's (29) plus two clocks.
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

logic               first, accept, in_free, aes_ready, aes_valid, out_free;
logic [127:0]       prev_in, aes_out;
logic [USER_W-1:0]  aes_out_user;

// Input register of the pipeline (the beat with its context's key and C[i-1]).
logic               in_valid_reg, in_key_256_reg;
logic [127:0]       in_block_reg;
logic [255:0]       in_key_reg;
logic [USER_W-1:0]  in_user_reg;
// Output register (the plaintext).
logic               out_valid_reg;
logic [127:0]       out_block_reg;
logic [CTX_W:0]     out_user_reg;

assign first = !in_pkt_reg[s_axis_tid];
assign prev_in = first ? s_axis_iv : prev_reg[s_axis_tid];
assign in_free = !in_valid_reg || aes_ready;
assign s_axis_tready = in_free;
assign accept = s_axis_tvalid && in_free;

always_ff @(posedge clk) begin
    if (in_free) begin
        in_valid_reg <= s_axis_tvalid;
        in_block_reg <= s_axis_tdata;
        in_key_reg <= first ? s_axis_key : key_reg[s_axis_tid];
        in_key_256_reg <= first ? s_axis_key_256 : key_256_reg[s_axis_tid];
        in_user_reg <= {prev_in, s_axis_tid, s_axis_tlast};
    end
    if (rst) begin
        in_valid_reg <= 1'b0;
    end
end

aes_dec_pipe #(.LANES(1), .USER_W(USER_W)) aes (
    .clk(clk), .rst(rst),
    .s_axis_tdata(in_block_reg), .s_axis_key(in_key_reg), .s_axis_key_256(in_key_256_reg),
    .s_axis_tuser(in_user_reg), .s_axis_tvalid(in_valid_reg), .s_axis_tready(aes_ready),
    .m_axis_tdata(aes_out), .m_axis_tuser(aes_out_user), .m_axis_tvalid(aes_valid),
    .m_axis_tready(out_free)
);

assign out_free = !out_valid_reg || m_axis_tready;

always_ff @(posedge clk) begin
    if (out_free) begin
        out_valid_reg <= aes_valid;
        out_block_reg <= aes_out ^ aes_out_user[USER_W-1 -: 128];
        out_user_reg <= aes_out_user[CTX_W:0];
    end
    if (rst) begin
        out_valid_reg <= 1'b0;
    end
end

assign m_axis_tdata = out_block_reg;
assign m_axis_tid = out_user_reg[CTX_W:1];
assign m_axis_tlast = out_user_reg[0];
assign m_axis_tvalid = out_valid_reg;

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
