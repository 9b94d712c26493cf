// AES-CBC encryption (NIST SP 800-38A 6.2) of many packets at once over one
// fully pipelined AES core (aes_enc_pipe).
//
// Within a packet every block needs the previous ciphertext, so a context
// sends its next block only when the previous one has left the pipeline.
// Up to CONTEXTS packets (s_axis_tid) interleave block by block; with
// CONTEXTS >= the pipeline latency (15) plus one the pipeline can take a
// block every clock. One packet alone gets one block per 16 clocks.
//
// s_axis: one 16-byte block per beat (byte 0 in [7:0]); tlast marks the
// packet's last block; a packet has at least one block (no padding here).
// s_axis_key, s_axis_key_256 and s_axis_iv are sampled on the first beat of
// a packet and kept for its later beats. s_axis_ctx_ready shows which
// contexts would take a beat now (a beat of a busy context waits on s_axis).
// m_axis: the ciphertext blocks, with the packet's tid and tlast, in the
// order each context sent them (blocks of different contexts interleave).
`default_nettype none

module cbc_enc #(
    // Packets in flight.
    parameter int CONTEXTS = 16,
    // Width of a context number.
    parameter int CTX_W = $clog2(CONTEXTS)
) (
    input  wire logic               clk,
    input  wire logic               rst,             // synchronous, active high

    input  wire logic [127:0]       s_axis_tdata,    // plaintext block
    input  wire logic               s_axis_tlast,
    input  wire logic [CTX_W-1:0]   s_axis_tid,
    input  wire logic [255:0]       s_axis_key,      // raw AES key (aes_enc_pipe layout)
    input  wire logic               s_axis_key_256,  // 1: AES-256, 0: AES-128
    input  wire logic [127:0]       s_axis_iv,
    input  wire logic               s_axis_tvalid,
    output logic                    s_axis_tready,
    output logic [CONTEXTS-1:0]     s_axis_ctx_ready,

    output logic [127:0]            m_axis_tdata,    // ciphertext block
    output logic                    m_axis_tlast,
    output logic [CTX_W-1:0]        m_axis_tid,
    output logic                    m_axis_tvalid,
    input  wire logic               m_axis_tready
);

initial begin
    if (CONTEXTS < 2 || CTX_W != $clog2(CONTEXTS)) begin
        $error("cbc_enc: CONTEXTS >= 2; CTX_W is derived");
        $finish;
    end
end

logic [CONTEXTS-1:0] busy_reg, in_pkt_reg, key_256_reg;
logic [255:0]        key_reg [0:CONTEXTS-1];
logic [127:0]        chain_reg [0:CONTEXTS-1];

logic               first, aes_ready, accept, out_take;
logic [127:0]       chain_in;
logic [255:0]       key_in;
logic               key_256_in;
logic [CTX_W:0]     aes_out_user;

assign first = !in_pkt_reg[s_axis_tid];
assign chain_in = first ? s_axis_iv : chain_reg[s_axis_tid];
assign key_in = first ? s_axis_key : key_reg[s_axis_tid];
assign key_256_in = first ? s_axis_key_256 : key_256_reg[s_axis_tid];

assign s_axis_ctx_ready = ~busy_reg & {CONTEXTS{aes_ready}};
assign s_axis_tready = aes_ready && !busy_reg[s_axis_tid];
assign accept = s_axis_tvalid && s_axis_tready;

aes_enc_pipe #(.LANES(1), .USER_W(CTX_W + 1)) aes (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_tdata ^ chain_in), .s_axis_key(key_in), .s_axis_key_256(key_256_in),
    .s_axis_tuser({s_axis_tid, s_axis_tlast}), .s_axis_tvalid(accept), .s_axis_tready(aes_ready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tuser(aes_out_user), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)
);

assign m_axis_tid = aes_out_user[CTX_W:1];
assign m_axis_tlast = aes_out_user[0];
assign out_take = m_axis_tvalid && m_axis_tready;

always_ff @(posedge clk) begin
    if (accept) begin
        busy_reg[s_axis_tid] <= 1'b1;
        in_pkt_reg[s_axis_tid] <= !s_axis_tlast;
        if (first) begin
            key_reg[s_axis_tid] <= s_axis_key;
            key_256_reg[s_axis_tid] <= s_axis_key_256;
        end
    end
    // The context that just sent cannot be the one whose block leaves now.
    if (out_take) begin
        busy_reg[m_axis_tid] <= 1'b0;
        chain_reg[m_axis_tid] <= m_axis_tdata;
    end
    if (rst) begin
        busy_reg <= '0;
        in_pkt_reg <= '0;
    end
end

endmodule

`default_nettype wire
