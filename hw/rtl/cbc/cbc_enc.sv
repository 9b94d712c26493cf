// AES-CBC encryption (NIST SP 800-38A 6.2) of many packets at once over one
// fully pipelined AES core (aes_enc_pipe).
//
// Within a packet every block needs the previous ciphertext, so a context
// sends its next block only when the previous one leaves the pipeline (at
// the earliest in the same clock: the leaving block is forwarded as the
// chaining value). The block XOR chaining value, the key and the key size
// are selected for the beat's context and registered before the pipeline
// (one input register), so that the context selects do not add to the
// first AES stage's depth. Up to CONTEXTS packets (s_axis_tid) interleave
// block by block; with CONTEXTS >= the pipeline latency (15) plus the input
// register (16) the pipeline can take a block every clock. One packet alone
// gets one block per 16 clocks.
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

// Input register of the pipeline: the beat with its context's chaining
// value and key already applied.
logic               in_valid_reg, in_key_256_reg;
logic [127:0]       in_block_reg;
logic [255:0]       in_key_reg;
logic [CTX_W:0]     in_user_reg;

logic                first, aes_ready, in_free, out_take, fwd, accept;
logic [CONTEXTS-1:0] leaving;
logic [127:0]        chain_in;
logic [CTX_W:0]      aes_out_user;

assign out_take = m_axis_tvalid && m_axis_tready;
// The context whose block leaves now may send its next block in this clock.
always_comb begin
    leaving = '0;
    leaving[m_axis_tid] = out_take;
end
assign fwd = leaving[s_axis_tid];

assign first = !in_pkt_reg[s_axis_tid];
assign chain_in = first ? s_axis_iv : (fwd ? m_axis_tdata : chain_reg[s_axis_tid]);

assign in_free = !in_valid_reg || aes_ready;
assign s_axis_ctx_ready = (~busy_reg | leaving) & {CONTEXTS{in_free}};
assign s_axis_tready = in_free && (!busy_reg[s_axis_tid] || fwd);
assign accept = s_axis_tvalid && s_axis_tready;

always_ff @(posedge clk) begin
    if (in_free) begin
        in_valid_reg <= accept;
        in_block_reg <= s_axis_tdata ^ chain_in;
        in_key_reg <= first ? s_axis_key : key_reg[s_axis_tid];
        in_key_256_reg <= first ? s_axis_key_256 : key_256_reg[s_axis_tid];
        in_user_reg <= {s_axis_tid, s_axis_tlast};
    end
    if (rst) begin
        in_valid_reg <= 1'b0;
    end
end

aes_enc_pipe #(.LANES(1), .USER_W(CTX_W + 1)) aes (
    .clk(clk), .rst(rst),
    .s_axis_tdata(in_block_reg), .s_axis_key(in_key_reg), .s_axis_key_256(in_key_256_reg),
    .s_axis_tuser(in_user_reg), .s_axis_tvalid(in_valid_reg), .s_axis_tready(aes_ready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tuser(aes_out_user), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)
);

assign m_axis_tid = aes_out_user[CTX_W:1];
assign m_axis_tlast = aes_out_user[0];

always_ff @(posedge clk) begin
    // A context's block leaving and its next block entering in the same
    // clock leave it busy: the set comes after the clear.
    if (out_take) begin
        busy_reg[m_axis_tid] <= 1'b0;
        chain_reg[m_axis_tid] <= m_axis_tdata;
    end
    if (accept) begin
        busy_reg[s_axis_tid] <= 1'b1;
        in_pkt_reg[s_axis_tid] <= !s_axis_tlast;
        if (first) begin
            key_reg[s_axis_tid] <= s_axis_key;
            key_256_reg[s_axis_tid] <= s_axis_key_256;
        end
    end
    if (rst) begin
        busy_reg <= '0;
        in_pkt_reg <= '0;
    end
end

endmodule

`default_nettype wire
