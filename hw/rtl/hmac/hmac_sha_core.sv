// HMAC-SHA1 / HMAC-SHA-256 (RFC 2104) and plain SHA-1 / SHA-256 over two
// interleaved messages, with padding, lengths and truncation in hardware.
//
// HMAC starts from per-SA precomputed states: the key store holds, per key
// slot, the chaining values after one block of K ^ ipad and of K ^ opad
// (computed once per SA by the host). A message then costs only its own
// blocks plus one outer block.
//
// Contexts: the compression ring (sha_ring) runs CONTEXTS = 2*PAIRS
// messages at once, s_axis_tid 0..CONTEXTS-1. Beats of different contexts
// may interleave freely on s_axis; s_axis_ctx_ready tells the sender which
// contexts would take a beat now.
// A context takes the first beat of its next message only after the tag of
// its previous message has left on m_axis.
//
// s_axis_tuser, sampled on the first beat of a message (see
// docs/hw/crypto-cores.md for the bit layout):
//   [0]                 sha256    1: SHA-256, 0: SHA-1
//   [1]                 hmac      1: HMAC from key slot, 0: plain hash
//   [2 +: KEY_SLOT_W]   key_slot
//   [2+KEY_SLOT_W +: 6] tag_len   bytes of tag to emit; 0 or more than the
//                                 digest length means the whole digest
// m_axis: one beat per message: tag byte n in m_axis_tdata[8n +: 8],
// m_axis_tkeep marks tag_len bytes, m_axis_tid is the context, tlast = 1.
// s_axis_key: writes {opad_state, ipad_state} of one key slot; state word
// H[i] in [32i +: 32] of its half (SHA-1 uses H[0..4]).
`default_nettype none

module hmac_sha_core #(
    // Round stage pairs of the compression ring (rounds per clock at full load).
    parameter int PAIRS = 1,
    // Messages in flight (ring slots).
    parameter int CONTEXTS = 2 * PAIRS,
    // Width of a context number (s_axis_tid, m_axis_tid).
    parameter int CTX_W = $clog2(CONTEXTS),
    // Message input width in bits: 64, 128, 256 or 512.
    parameter int DATA_W = 64,
    // Byte lanes of the message input.
    parameter int KEEP_W = DATA_W / 8,
    // Number of key slots (precomputed HMAC state pairs); at least 2.
    parameter int KEY_SLOTS = 16,
    // Width of a key slot index.
    parameter int KEY_SLOT_W = $clog2(KEY_SLOTS),
    // Width of s_axis_tuser.
    parameter int USER_W = 2 + KEY_SLOT_W + 6
) (
    input  wire logic                  clk,
    input  wire logic                  rst,   // synchronous, active high

    input  wire logic [DATA_W-1:0]     s_axis_tdata,
    input  wire logic [KEEP_W-1:0]     s_axis_tkeep,
    input  wire logic                  s_axis_tlast,
    input  wire logic [CTX_W-1:0]      s_axis_tid,
    input  wire logic [USER_W-1:0]     s_axis_tuser,
    input  wire logic                  s_axis_tvalid,
    output logic                       s_axis_tready,
    output logic [CONTEXTS-1:0]        s_axis_ctx_ready,

    input  wire logic [511:0]          s_axis_key_tdata,
    input  wire logic [KEY_SLOT_W-1:0] s_axis_key_tdest,
    input  wire logic                  s_axis_key_tvalid,
    output logic                       s_axis_key_tready,

    output logic [255:0]               m_axis_tdata,
    output logic [31:0]                m_axis_tkeep,
    output logic                       m_axis_tlast,
    output logic [CTX_W-1:0]           m_axis_tid,
    output logic                       m_axis_tvalid,
    input  wire logic                  m_axis_tready
);

localparam logic [1:0] PH_IDLE = 2'd0, PH_FOLDED = 2'd3;

initial begin
    if (KEY_SLOTS < 2 || USER_W != 2 + KEY_SLOT_W + 6 || KEEP_W * 8 != DATA_W
            || PAIRS < 1 || CONTEXTS != 2 * PAIRS || CTX_W != $clog2(CONTEXTS)) begin
        $error("hmac_sha_core: KEY_SLOTS >= 2 and derived widths must not be overridden");
        $finish;
    end
end

// Canonical chaining value (H[i] in [32i +: 32]) to the ring's x layout.
function automatic logic [255:0] to_ring(input logic [255:0] s, input logic sha256);
    if (sha256) begin
        to_ring = s;
    end else begin
        to_ring = {s[128 +: 32], s[96 +: 32], s[64 +: 32], s[32 +: 32], 96'd0, s[0 +: 32]};
    end
endfunction

// Ring x layout back to the digest words H[0..7] (SHA-1: H[0..4], rest 0).
function automatic logic [255:0] from_ring(input logic [255:0] x, input logic sha256);
    if (sha256) begin
        from_ring = x;
    end else begin
        from_ring = {96'd0, x[224 +: 32], x[192 +: 32], x[160 +: 32], x[128 +: 32], x[0 +: 32]};
    end
endfunction

localparam logic [255:0] IV_SHA256 = {32'h5be0cd19, 32'h1f83d9ab, 32'h9b05688c, 32'h510e527f,
                                      32'ha54ff53a, 32'h3c6ef372, 32'hbb67ae85, 32'h6a09e667};
localparam logic [255:0] IV_SHA1 = {96'd0, 32'hc3d2e1f0, 32'h10325476, 32'h98badcfe,
                                    32'hefcdab89, 32'h67452301};

// Key store.
logic [511:0] key_mem [0:KEY_SLOTS-1];
logic [511:0] key_q;

// Per-context registers.
logic [CONTEXTS-1:0] active_reg, init_valid_reg, out_valid_reg, sha256_reg, hmac_reg;
logic [5:0]   tag_len_reg [0:CONTEXTS-1];
logic [255:0] init_x_reg [0:CONTEXTS-1];
logic [255:0] opad_x_reg [0:CONTEXTS-1];
logic [255:0] digest_reg [0:CONTEXTS-1];
logic         rd_pend_reg;
logic [CTX_W-1:0] rd_ctx_reg, rr_reg;

// Block assemblers.
logic [CONTEXTS-1:0] asm_valid, asm_last, asm_ready, asm_pop, asm_in_valid;
logic [511:0] asm_blk [0:CONTEXTS-1];

// Ring position 0.
logic [CTX_W-1:0] p0_ctx;
logic         p0_sha256, p0_last, p0_outer;
logic [1:0]   p0_phase;
logic [255:0] p0_hh, p0_digest;
logic         ld_valid, ld_last, ld_outer, retire;
logic [255:0] ld_x;
logic [511:0] ld_w, outer_w;

logic         start, out_take, out_found;
logic [CTX_W-1:0] out_sel;
logic [CTX_W:0]   out_idx;
logic [5:0]   tag_len_in, tag_len_full;
logic         sha256_in, hmac_in;

assign sha256_in = s_axis_tuser[0];
assign hmac_in = s_axis_tuser[1];
assign tag_len_in = s_axis_tuser[2+KEY_SLOT_W +: 6];
assign tag_len_full = sha256_in ? 6'd32 : 6'd20;

genvar gc;
generate
    for (gc = 0; gc < CONTEXTS; gc = gc + 1) begin : g_ctx
        assign asm_in_valid[gc] = s_axis_tvalid && s_axis_tid == CTX_W'(gc);
        sha_block_asm #(.DATA_W(DATA_W)) asm (
            .clk(clk), .rst(rst),
            .s_tdata(s_axis_tdata), .s_tkeep(s_axis_tkeep), .s_tlast(s_axis_tlast),
            .s_tvalid(asm_in_valid[gc]), .s_tready(asm_ready[gc]),
            .s_start_ok(!active_reg[gc]), .s_len_base_64(hmac_in),
            .m_blk_data(asm_blk[gc]), .m_blk_last(asm_last[gc]),
            .m_blk_valid(asm_valid[gc]), .m_blk_ready(asm_pop[gc])
        );
    end
endgenerate

assign s_axis_ctx_ready = asm_ready;
assign s_axis_tready = asm_ready[s_axis_tid];
assign start = s_axis_tvalid && s_axis_tready && !active_reg[s_axis_tid];
assign s_axis_key_tready = 1'b1;

always_ff @(posedge clk) begin
    if (s_axis_key_tvalid) begin
        key_mem[s_axis_key_tdest] <= s_axis_key_tdata;
    end
    key_q <= key_mem[s_axis_tuser[2 +: KEY_SLOT_W]];
end

sha_ring #(.PAIRS(PAIRS)) ring (
    .clk(clk), .rst(rst),
    .p0_ctx(p0_ctx), .p0_phase(p0_phase), .p0_sha256(p0_sha256), .p0_last(p0_last),
    .p0_outer(p0_outer), .p0_hh(p0_hh),
    .ld_valid(ld_valid), .ld_sha256(sha256_reg[p0_ctx]), .ld_x(ld_x), .ld_w(ld_w),
    .ld_last(ld_last), .ld_outer(ld_outer), .retire(retire)
);

// The outer block: inner digest, 0x80, zeros, bit length of (64 + digest).
assign p0_digest = from_ring(p0_hh, p0_sha256);
always_comb begin
    outer_w = '0;
    if (p0_sha256) begin
        outer_w[255:0] = p0_digest;
        outer_w[8*32 +: 32] = 32'h80000000;
        outer_w[15*32 +: 32] = 32'd768;
    end else begin
        outer_w[159:0] = p0_digest[159:0];
        outer_w[5*32 +: 32] = 32'h80000000;
        outer_w[15*32 +: 32] = 32'd672;
    end
end

// What the slot at position 0 does next.
always_comb begin
    ld_valid = 1'b0;
    ld_x = p0_hh;
    ld_w = asm_blk[p0_ctx];
    ld_last = asm_last[p0_ctx];
    ld_outer = 1'b0;
    retire = 1'b0;
    asm_pop = '0;
    if (p0_phase == PH_IDLE) begin
        if (active_reg[p0_ctx] && init_valid_reg[p0_ctx] && asm_valid[p0_ctx]
                && !out_valid_reg[p0_ctx]) begin
            ld_valid = 1'b1;
            ld_x = init_x_reg[p0_ctx];
            asm_pop[p0_ctx] = 1'b1;
        end
    end else if (p0_phase == PH_FOLDED) begin
        if (!p0_last) begin
            if (asm_valid[p0_ctx]) begin
                ld_valid = 1'b1;
                asm_pop[p0_ctx] = 1'b1;
            end
        end else if (hmac_reg[p0_ctx] && !p0_outer) begin
            ld_valid = 1'b1;
            ld_x = opad_x_reg[p0_ctx];
            ld_w = outer_w;
            ld_last = 1'b1;
            ld_outer = 1'b1;
        end else begin
            retire = 1'b1;
        end
    end
end

// Round-robin over the contexts holding a tag, starting after the last one served.
always_comb begin
    out_sel = rr_reg;
    out_found = 1'b0;
    for (int k = 0; k < CONTEXTS; k = k + 1) begin
        out_idx = {1'b0, rr_reg} + (CTX_W+1)'(k);
        if (out_idx >= (CTX_W+1)'(CONTEXTS)) begin
            out_idx = out_idx - (CTX_W+1)'(CONTEXTS);
        end
        if (!out_found && out_valid_reg[out_idx[CTX_W-1:0]]) begin
            out_found = 1'b1;
            out_sel = out_idx[CTX_W-1:0];
        end
    end
end

assign out_take = m_axis_tvalid && m_axis_tready;

always_ff @(posedge clk) begin
    rd_pend_reg <= start;
    if (start) begin
        rd_ctx_reg <= s_axis_tid;
        active_reg[s_axis_tid] <= 1'b1;
        sha256_reg[s_axis_tid] <= sha256_in;
        hmac_reg[s_axis_tid] <= hmac_in;
        tag_len_reg[s_axis_tid] <= (tag_len_in == 6'd0 || tag_len_in > tag_len_full)
                                   ? tag_len_full : tag_len_in;
    end
    if (rd_pend_reg) begin
        init_valid_reg[rd_ctx_reg] <= 1'b1;
        init_x_reg[rd_ctx_reg] <= hmac_reg[rd_ctx_reg]
            ? to_ring(key_q[255:0], sha256_reg[rd_ctx_reg])
            : (sha256_reg[rd_ctx_reg] ? IV_SHA256 : to_ring(IV_SHA1, 1'b0));
        opad_x_reg[rd_ctx_reg] <= to_ring(key_q[511:256], sha256_reg[rd_ctx_reg]);
    end
    if (retire) begin
        out_valid_reg[p0_ctx] <= 1'b1;
        digest_reg[p0_ctx] <= p0_digest;
        init_valid_reg[p0_ctx] <= 1'b0;
    end
    if (out_take) begin
        out_valid_reg[out_sel] <= 1'b0;
        active_reg[out_sel] <= 1'b0;
        rr_reg <= (out_sel == CTX_W'(CONTEXTS - 1)) ? '0 : out_sel + 1'b1;
    end
    if (rst) begin
        active_reg <= '0;
        init_valid_reg <= '0;
        out_valid_reg <= '0;
        rd_pend_reg <= 1'b0;
        rr_reg <= '0;
    end
end

// Tag: digest bytes in order (big-endian words), cut to tag_len bytes.
always_comb begin
    for (int j = 0; j < 32; j = j + 1) begin
        m_axis_tkeep[j] = 6'(j) < tag_len_reg[out_sel];
        m_axis_tdata[8*j +: 8] = m_axis_tkeep[j]
            ? digest_reg[out_sel][32*(j/4) + 24 - 8*(j%4) +: 8] : 8'h00;
    end
end

assign m_axis_tvalid = |out_valid_reg;
assign m_axis_tid = out_sel;
assign m_axis_tlast = 1'b1;

endmodule

`default_nettype wire
