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
// m_axis_tkeep marks tag_len bytes, m_axis_tid is the context, tlast = 1;
// all m_axis outputs come from registers.
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

// Per-context registers. keep_reg: tag bytes to emit; tag_reg: the tag,
// masked, byte n in [8n +: 8].
logic [CONTEXTS-1:0] active_reg, init_valid_reg, out_valid_reg, sha256_reg, hmac_reg;
logic [31:0]  keep_reg [0:CONTEXTS-1];
logic [255:0] init_x_reg [0:CONTEXTS-1];
logic [255:0] opad_x_reg [0:CONTEXTS-1];
logic [255:0] tag_reg [0:CONTEXTS-1];
logic         rd_pend_reg;
logic [CTX_W-1:0] rd_ctx_reg;

// Block assemblers.
logic [CONTEXTS-1:0] asm_valid, asm_last, asm_ready, asm_pop_reg, asm_in_valid;
logic [511:0] asm_blk [0:CONTEXTS-1];

// The ring slot reaching position 0 at the next clock, the decision for it,
// and the slot at position 0.
logic [CTX_W-1:0] nx_ctx, p0_ctx;
logic         nx_idle, nx_folded, nx_last, nx_outer, p0_sha256, p0_retire;
logic         ld_valid, ld_chain, ld_outer, ld_last, retire;
logic [CONTEXTS-1:0] ld_pop;
logic [255:0] ld_x, p0_hh, p0_digest;

// Tag output: context chosen (sel_*), then the registered m_axis beat (beat_*).
logic         start, sel_valid_reg, sel_load, beat_valid_reg, beat_load, bypass, out_take, out_found;
logic [CTX_W-1:0] sel_ctx_reg, out_sel, beat_tid_reg;
logic [CONTEXTS-1:0] rr_mask_reg, rr_mask_next, out_grant;
logic [255:0] beat_tdata_reg, tag_next;
logic [31:0]  beat_tkeep_reg;
logic [5:0]   tag_len_in, tag_len_full, tag_len;
logic         sha256_in, hmac_in;

assign sha256_in = s_axis_tuser[0];
assign hmac_in = s_axis_tuser[1];
assign tag_len_in = s_axis_tuser[2+KEY_SLOT_W +: 6];
assign tag_len_full = sha256_in ? 6'd32 : 6'd20;
assign tag_len = (tag_len_in == 6'd0 || tag_len_in > tag_len_full) ? tag_len_full : tag_len_in;

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
            .m_blk_valid(asm_valid[gc]), .m_blk_ready(asm_pop_reg[gc])
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
    .nx_ctx(nx_ctx), .nx_idle(nx_idle), .nx_folded(nx_folded), .nx_last(nx_last),
    .nx_outer(nx_outer),
    .ld_valid(ld_valid), .ld_sha256(sha256_reg[nx_ctx]), .ld_x(ld_x), .ld_w(asm_blk[nx_ctx]),
    .ld_chain(ld_chain), .ld_outer(ld_outer), .ld_last(ld_last), .retire(retire),
    .p0_ctx(p0_ctx), .p0_sha256(p0_sha256), .p0_hh(p0_hh), .p0_retire(p0_retire)
);

// What the slot reaching position 0 does there: its first block (from idle),
// the message's next block, the HMAC outer block (built in sha_round_s1 from
// the slot's inner digest), or retire with its digest. Decided a clock ahead
// so that the ring registers the decision (and the block is popped when it
// is loaded). What is read here can only become ready in between, which
// costs the slot one lap, never go away: only the context's own slot loads,
// pops or retires it.
always_comb begin
    for (int k = 0; k < CONTEXTS; k = k + 1) begin
        ld_pop[k] = nx_ctx == CTX_W'(k) && asm_valid[k]
            && (nx_idle ? active_reg[k] && init_valid_reg[k] && !out_valid_reg[k]
                        : nx_folded && !nx_last);
    end
end

assign ld_chain = nx_folded && !nx_last;
assign ld_outer = nx_folded && nx_last && hmac_reg[nx_ctx] && !nx_outer;
assign retire = nx_folded && nx_last && !(hmac_reg[nx_ctx] && !nx_outer);
assign ld_valid = (|ld_pop) || ld_outer;
assign ld_last = ld_outer || asm_last[nx_ctx];

// ld_x matters only for the first block (initial state) and the outer block (opad state).
assign ld_x = nx_folded ? opad_x_reg[nx_ctx] : init_x_reg[nx_ctx];
assign p0_digest = from_ring(p0_hh, p0_sha256);

// Round-robin over the contexts holding a tag, starting after the last one
// served: the first among those after it (rr_mask_reg), else the first of
// all. Written as flat reductions of the two registers (no priority chain),
// so that the choice stays a few LUT levels deep.
logic [CONTEXTS-1:0] out_masked, grant_masked, grant_any, below_masked, below_any;
logic                any_masked;

assign out_masked = out_valid_reg & rr_mask_reg;
assign any_masked = |out_masked;
assign out_found = |out_valid_reg;

always_comb begin
    for (int k = 0; k < CONTEXTS; k = k + 1) begin
        below_masked[k] = |(out_masked & (((CONTEXTS)'(1) << k) - 1'b1));
        below_any[k] = |(out_valid_reg & (((CONTEXTS)'(1) << k) - 1'b1));
        grant_masked[k] = out_masked[k] && !below_masked[k];
        grant_any[k] = out_valid_reg[k] && !below_any[k];
    end
    out_grant = any_masked ? grant_masked : grant_any;
    // Contexts after the one granted.
    rr_mask_next = any_masked ? below_masked : below_any;
    out_sel = '0;
    for (int k = 0; k < CONTEXTS; k = k + 1) begin
        if (out_grant[k]) begin
            out_sel = out_sel | CTX_W'(k);
        end
    end
end

// Tag bytes in order (big-endian digest words), cut to the tag length.
always_comb begin
    for (int j = 0; j < 32; j = j + 1) begin
        tag_next[8*j +: 8] = keep_reg[p0_ctx][j] ? p0_digest[32*(j/4) + 24 - 8*(j%4) +: 8] : 8'h00;
    end
end

// Two-register output pipeline: the chosen context, then the beat itself;
// both move whenever the beat register is empty or being taken, so one tag
// leaves per clock. A tag retiring while nothing waits goes straight into
// the beat register, one clock after retirement as without the pipeline.
assign out_take = beat_valid_reg && m_axis_tready;
assign beat_load = !beat_valid_reg || m_axis_tready;
assign sel_load = !sel_valid_reg || beat_load;
assign bypass = p0_retire && beat_load && !sel_valid_reg && !(|out_valid_reg);

always_ff @(posedge clk) begin
    rd_pend_reg <= start;
    asm_pop_reg <= ld_pop;
    if (start) begin
        rd_ctx_reg <= s_axis_tid;
        active_reg[s_axis_tid] <= 1'b1;
        sha256_reg[s_axis_tid] <= sha256_in;
        hmac_reg[s_axis_tid] <= hmac_in;
        for (int j = 0; j < 32; j = j + 1) begin
            keep_reg[s_axis_tid][j] <= 6'(j) < tag_len;
        end
    end
    if (rd_pend_reg) begin
        init_valid_reg[rd_ctx_reg] <= 1'b1;
        init_x_reg[rd_ctx_reg] <= hmac_reg[rd_ctx_reg]
            ? to_ring(key_q[255:0], sha256_reg[rd_ctx_reg])
            : (sha256_reg[rd_ctx_reg] ? IV_SHA256 : to_ring(IV_SHA1, 1'b0));
        opad_x_reg[rd_ctx_reg] <= to_ring(key_q[511:256], sha256_reg[rd_ctx_reg]);
    end
    if (p0_retire) begin
        out_valid_reg[p0_ctx] <= !bypass;
        init_valid_reg[p0_ctx] <= 1'b0;
        tag_reg[p0_ctx] <= tag_next;
    end
    if (sel_load) begin
        sel_valid_reg <= out_found;
        sel_ctx_reg <= out_sel;
        if (out_found) begin
            for (int k = 0; k < CONTEXTS; k = k + 1) begin
                if (out_grant[k]) begin
                    out_valid_reg[k] <= 1'b0;
                end
            end
            rr_mask_reg <= rr_mask_next;
        end
    end
    if (bypass) begin
        beat_valid_reg <= 1'b1;
        beat_tid_reg <= p0_ctx;
        beat_tdata_reg <= tag_next;
        beat_tkeep_reg <= keep_reg[p0_ctx];
    end else if (beat_load) begin
        beat_valid_reg <= sel_valid_reg;
        beat_tid_reg <= sel_ctx_reg;
        beat_tdata_reg <= tag_reg[sel_ctx_reg];
        beat_tkeep_reg <= keep_reg[sel_ctx_reg];
    end
    // The context is free once its tag has left.
    if (out_take) begin
        active_reg[beat_tid_reg] <= 1'b0;
    end
    if (rst) begin
        active_reg <= '0;
        init_valid_reg <= '0;
        out_valid_reg <= '0;
        rd_pend_reg <= 1'b0;
        asm_pop_reg <= '0;
        rr_mask_reg <= '0;
        sel_valid_reg <= 1'b0;
        beat_valid_reg <= 1'b0;
    end
end

assign m_axis_tvalid = beat_valid_reg;
assign m_axis_tid = beat_tid_reg;
assign m_axis_tdata = beat_tdata_reg;
assign m_axis_tkeep = beat_tkeep_reg;
assign m_axis_tlast = 1'b1;

endmodule

`default_nettype wire
