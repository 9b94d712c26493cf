// AES-GCM / GMAC core (NIST SP 800-38D with 96-bit IVs, as ESP uses it:
// RFC 4106, RFC 4543), one beat of DATA_W bits (DATA_W/128 blocks) per clock.
//
// Packet format on s_axis (full contract in docs/hw/crypto-cores.md):
//   ceil(aad_len/16) AAD blocks (zero-padded to a block by the sender or not:
//   bytes past aad_len are ignored), then the text (plaintext to encrypt or
//   ciphertext to decrypt), densely packed, lane 0 = tdata[127:0] first,
//   AXI byte order (byte 0 of the packet in tdata[7:0]). tkeep is all ones
//   except on the tlast beat, where it is contiguous from byte 0 (it may be
//   all zeros only for an empty packet).
//   Per-packet fields (key, key_256, nonce, aad_len, tag_len, decrypt) are
//   sampled with the first beat; s_axis_tag (received tag) with the tlast beat.
// m_axis carries the same layout: AAD blocks unchanged, text encrypted or
//   decrypted, bytes outside tkeep zero. On the tlast beat m_axis_tag holds
//   the computed tag truncated to tag_len bytes (zeros above) and
//   m_axis_tag_ok is 1 when decrypting and all tag_len bytes of the received
//   tag match (every byte compared, no early exit); 0 when encrypting.
//
// Per packet the core computes, in the pipeline, H = E(K, 0^128) and
// E(K, J0) on two extra AES lanes, H^2..H^LANES after the cipher, so
// consecutive packets may use different keys with no gap.
// Latency: 29 clocks. Flow control: each stage advances when it is empty or
// its successor advances; the output is a skid buffer (output register plus
// one spare), so m_axis_tready only reaches its registers, and the input has
// a spare register, so s_axis_tready is a register's output.
`default_nettype none

module gcm_core #(
    // Data path width in bits: 128, 256 or 512 (1, 2 or 4 AES blocks per clock).
    parameter int DATA_W = 128
) (
    input  wire logic                clk,
    input  wire logic                rst,            // synchronous, active high

    input  wire logic [DATA_W-1:0]   s_axis_tdata,
    input  wire logic [DATA_W/8-1:0] s_axis_tkeep,
    input  wire logic                s_axis_tlast,
    input  wire logic                s_axis_tvalid,
    output logic                     s_axis_tready,
    input  wire logic [255:0]        s_axis_key,     // AXI byte order; AES-128 key in [127:0]
    input  wire logic                s_axis_key_256, // 1: AES-256, 0: AES-128
    input  wire logic [95:0]         s_axis_nonce,   // salt || IV (12 bytes, AXI byte order)
    input  wire logic [15:0]         s_axis_aad_len, // AAD bytes
    input  wire logic [4:0]          s_axis_tag_len, // tag bytes, 4..16
    input  wire logic                s_axis_decrypt, // 1: decrypt and verify
    input  wire logic [127:0]        s_axis_tag,     // received tag (tlast beat)

    output logic      [DATA_W-1:0]   m_axis_tdata,
    output logic      [DATA_W/8-1:0] m_axis_tkeep,
    output logic                     m_axis_tlast,
    output logic                     m_axis_tvalid,
    input  wire logic                m_axis_tready,
    output logic      [127:0]        m_axis_tag,
    output logic                     m_axis_tag_ok
);

localparam int LANES = DATA_W / 128;
localparam int KEEP_W = DATA_W / 8;
localparam int AES_LANES = LANES + 2;         // + E(K,0) and E(K,J0)
localparam int MW = 3;                        // width of a block count (0..LANES)
localparam int TAIL = 11;                     // stages after the cipher

initial begin
    if (DATA_W != 128 && DATA_W != 256 && DATA_W != 512) begin
        $error("gcm_core: DATA_W must be 128, 256 or 512");
        $finish;
    end
end

// Bit i of a GHASH element is the coefficient of x^i: byte i/8, bit 7-i%8.
function automatic logic [127:0] to_gf(input logic [127:0] blk);
    for (int i = 0; i < 128; i = i + 1) begin
        to_gf[i] = blk[8*(i/8) + 7 - (i%8)];
    end
endfunction

// Squaring is linear: a(x)^2 has coefficient a_i at x^(2i).
function automatic logic [254:0] gf_spread(input logic [127:0] a);
    gf_spread = '0;
    for (int i = 0; i < 128; i = i + 1) begin
        gf_spread[2*i] = a[i];
    end
endfunction

function automatic logic [127:0] byte_mask(input logic [4:0] count);
    for (int j = 0; j < 16; j = j + 1) begin
        byte_mask[8*j +: 8] = (j < count) ? 8'hff : 8'h00;
    end
endfunction

function automatic logic [15:0] byte_enables(input logic [4:0] count);
    for (int j = 0; j < 16; j = j + 1) begin
        byte_enables[j] = j < count;
    end
endfunction

function automatic logic [127:0] keep_to_mask(input logic [15:0] keep);
    for (int j = 0; j < 16; j = j + 1) begin
        keep_to_mask[8*j +: 8] = {8{keep[j]}};
    end
endfunction

// ---------------------------------------------------------------- input skid
// s_axis_tready comes straight from a register: a beat offered while stage A
// is held waits in the spare register, and A takes the spare's beat first.
// So a sender's logic behind s_axis_tready does not add to the pipeline's
// enable chain (and the other way round). A still takes a beat on every clock
// its successor advances: the spare fills only on a clock where A is held.
logic              sp_free;           // spare register empty (active high: the
                                      // ready output is the register itself)
logic [DATA_W-1:0] sp_data;
logic [KEEP_W-1:0] sp_keep;
logic              sp_last, sp_key_256, sp_decrypt;
logic [255:0]      sp_key;
logic [95:0]       sp_nonce;
logic [15:0]       sp_aad_len;
logic [4:0]        sp_tag_len;
logic [127:0]      sp_tag;

// The beat stage A sees: the spare's when it holds one, else the input's.
logic              x_valid, x_last, x_key_256, x_decrypt;
logic [DATA_W-1:0] x_data;
logic [KEEP_W-1:0] x_keep;
logic [255:0]      x_key;
logic [95:0]       x_nonce;
logic [15:0]       x_aad_len;
logic [4:0]        x_tag_len;
logic [127:0]      x_tag;
assign x_valid = !sp_free || s_axis_tvalid;
assign x_data = sp_free ? s_axis_tdata : sp_data;
assign x_keep = sp_free ? s_axis_tkeep : sp_keep;
assign x_last = sp_free ? s_axis_tlast : sp_last;
assign x_key = sp_free ? s_axis_key : sp_key;
assign x_key_256 = sp_free ? s_axis_key_256 : sp_key_256;
assign x_nonce = sp_free ? s_axis_nonce : sp_nonce;
assign x_aad_len = sp_free ? s_axis_aad_len : sp_aad_len;
assign x_tag_len = sp_free ? s_axis_tag_len : sp_tag_len;
assign x_decrypt = sp_free ? s_axis_decrypt : sp_decrypt;
assign x_tag = sp_free ? s_axis_tag : sp_tag;

// ---------------------------------------------------------------- stage A
logic         a_valid, a_ce;
logic [15:0]  pkt_beat;                       // beats accepted in the current packet
logic [255:0] held_key;
logic         held_key_256, held_decrypt;
logic [95:0]  held_nonce;
logic [15:0]  held_aad_len;
logic [4:0]   held_tag_len;

logic [DATA_W-1:0] a_data;
logic [KEEP_W-1:0] a_keep;
logic         a_last, a_sop, a_key_256, a_decrypt;
logic [255:0] a_key;
logic [95:0]  a_nonce;
logic [15:0]  a_aad_len, a_beat;
logic [4:0]   a_tag_len;
logic [127:0] a_rx_tag;

logic         b_ce;
logic         in_sop;
assign in_sop = pkt_beat == 16'd0;
assign a_ce = !a_valid || b_ce;
assign s_axis_tready = sp_free;

always_ff @(posedge clk) begin
    if (a_ce) begin
        a_valid <= x_valid;
        a_data <= x_data;
        a_keep <= x_keep;
        a_last <= x_last;
        a_sop <= in_sop;
        a_beat <= pkt_beat;
        a_rx_tag <= x_tag;
        a_key <= in_sop ? x_key : held_key;
        a_key_256 <= in_sop ? x_key_256 : held_key_256;
        a_nonce <= in_sop ? x_nonce : held_nonce;
        a_aad_len <= in_sop ? x_aad_len : held_aad_len;
        a_tag_len <= in_sop ? x_tag_len : held_tag_len;
        a_decrypt <= in_sop ? x_decrypt : held_decrypt;
        if (x_valid) begin
            pkt_beat <= x_last ? 16'd0 : pkt_beat + 16'd1;
            if (in_sop) begin
                held_key <= x_key;
                held_key_256 <= x_key_256;
                held_nonce <= x_nonce;
                held_aad_len <= x_aad_len;
                held_tag_len <= x_tag_len;
                held_decrypt <= x_decrypt;
            end
        end
    end
    if (rst) begin
        a_valid <= 1'b0;
        pkt_beat <= 16'd0;
    end
end

always_ff @(posedge clk) begin
    if (a_ce) begin
        sp_free <= 1'b1;                      // A takes the spare's beat, or the input's
    end else if (s_axis_tvalid && sp_free) begin
        sp_free <= 1'b0;
        sp_data <= s_axis_tdata;
        sp_keep <= s_axis_tkeep;
        sp_last <= s_axis_tlast;
        sp_key <= s_axis_key;
        sp_key_256 <= s_axis_key_256;
        sp_nonce <= s_axis_nonce;
        sp_aad_len <= s_axis_aad_len;
        sp_tag_len <= s_axis_tag_len;
        sp_decrypt <= s_axis_decrypt;
        sp_tag <= s_axis_tag;
    end
    if (rst) begin
        sp_free <= 1'b1;
    end
end

// ---------------------------------------------------------------- stage B
// Lane roles, counter blocks and GHASH byte masks. Block bi of the packet is
// AAD when bi < ceil(aad_len/16), i.e. bi < aad_len[15:4], or bi equals it
// and aad_len[3:0] != 0 (that block holds aad_len[3:0] bytes): two compares
// and no adder. The counter of lane l is bi - ceil(aad_len/16) + 2, kept per
// lane in a register that advances by LANES each beat, so no adder sits
// behind a compare.
localparam int USER_W = DATA_W + KEEP_W + 2 + DATA_W + LANES + MW + 16 + 5 + 1 + 128;
localparam int LB = $clog2(LANES);            // lane index bits
localparam int CW = 20;                       // block counter width (ctr_first writes 20)

logic               b_valid;
logic [128*AES_LANES-1:0] b_blocks;
logic [USER_W-1:0]  b_user;
logic [255:0]       b_key;
logic               b_key_256;
logic               aes_s_ready;

logic [LANES-1:0]   lane_aad, lane_text;
logic [DATA_W-1:0]  lane_gmask;
logic [127:0]       lane_ctr_blocks [0:LANES-1];
logic [CW-1:0]      lane_ctr [0:LANES-1];      // this beat
logic [CW-1:0]      ctr_next_beat [0:LANES-1]; // the packet's next beat
logic [CW-1:0]      ctr_sop_advanced [0:LANES-1];
logic [MW-1:0]      lane_count;
logic [11:0]        aad_full;                  // whole AAD blocks
logic [3:0]         aad_rem;                   // bytes in the partial AAD block

assign aad_full = a_aad_len[15:4];
assign aad_rem = a_aad_len[3:0];

// Counter of lane l on the first beat plus `ahead`: l + 2 + ahead -
// ceil(aad_len/16) = ~aad_full + (l + 3 + ahead - (aad_rem != 0)).
function automatic logic [CW-1:0] ctr_first(input int l, input int ahead,
                                            input logic [11:0] full, input logic partial);
    ctr_first = ~{8'd0, full} + (partial ? 20'(l + 2 + ahead) : 20'(l + 3 + ahead));
endfunction

always_comb begin
    lane_count = '0;
    for (int l = 0; l < LANES; l = l + 1) begin
        logic [17:0] bi;
        logic        full_aad;
        bi = (18'(a_beat) << LB) | 18'(l);
        full_aad = bi < 18'(aad_full);
        lane_aad[l] = full_aad || (bi == 18'(aad_full) && aad_rem != 4'd0);
        lane_text[l] = !lane_aad[l] && a_keep[16*l];
        lane_ctr[l] = a_sop ? ctr_first(l, 0, aad_full, aad_rem != 4'd0) : ctr_next_beat[l];
        ctr_sop_advanced[l] = ctr_first(l, LANES, aad_full, aad_rem != 4'd0);
        // Text lanes have counters 2..2^18+1: zero-extended to 32 bits.
        lane_ctr_blocks[l] = {lane_ctr[l][7:0], lane_ctr[l][15:8], 4'd0, lane_ctr[l][19:16],
                              8'd0, a_nonce};
        if (lane_aad[l]) begin
            lane_gmask[128*l +: 128] = byte_mask(full_aad ? 5'd16 : {1'b0, aad_rem});
        end else if (lane_text[l]) begin
            lane_gmask[128*l +: 128] = keep_to_mask(a_keep[16*l +: 16]);
        end else begin
            lane_gmask[128*l +: 128] = '0;
        end
        if (lane_aad[l] || lane_text[l]) begin
            lane_count = lane_count + 1'b1;
        end
    end
end

assign b_ce = !b_valid || aes_s_ready;

always_ff @(posedge clk) begin
    if (b_ce) begin
        b_valid <= a_valid;
        b_key <= a_key;
        b_key_256 <= a_key_256;
        for (int l = 0; l < LANES; l = l + 1) begin
            b_blocks[128*l +: 128] <= lane_ctr_blocks[l];
            if (a_valid) begin
                ctr_next_beat[l] <= a_sop ? ctr_sop_advanced[l] : ctr_next_beat[l] + CW'(LANES);
            end
        end
        b_blocks[128*LANES +: 128] <= '0;
        b_blocks[128*(LANES+1) +: 128] <= {8'h01, 24'h0, a_nonce};
        b_user <= {a_data, a_keep, a_last, a_sop, lane_gmask, lane_text, lane_count,
                   a_aad_len, a_tag_len, a_decrypt, a_rx_tag};
    end
    if (rst) begin
        b_valid <= 1'b0;
    end
end

// ---------------------------------------------------------------- cipher
logic [128*AES_LANES-1:0] aes_blocks;
logic [USER_W-1:0]        aes_user;
logic                     aes_valid, ce_g;

aes_enc_pipe #(.LANES(AES_LANES), .USER_W(USER_W)) aes_inst (
    .clk(clk), .rst(rst),
    .s_axis_tdata(b_blocks), .s_axis_key(b_key), .s_axis_key_256(b_key_256),
    .s_axis_tuser(b_user), .s_axis_tvalid(b_valid), .s_axis_tready(aes_s_ready),
    .m_axis_tdata(aes_blocks), .m_axis_tuser(aes_user), .m_axis_tvalid(aes_valid),
    .m_axis_tready(ce_g)
);

// ---------------------------------------------------------------- stage C
// Keystream XOR, GHASH inputs, per-packet H and E(K,J0).
logic [DATA_W-1:0] u_data, u_gmask;
logic [KEEP_W-1:0] u_keep;
logic              u_last, u_sop, u_decrypt;
logic [LANES-1:0]  u_text;
logic [MW-1:0]     u_count;
logic [15:0]       u_aad_len;
logic [4:0]        u_tag_len;
logic [127:0]      u_rx_tag;
assign {u_data, u_keep, u_last, u_sop, u_gmask, u_text, u_count,
        u_aad_len, u_tag_len, u_decrypt, u_rx_tag} = aes_user;

logic [DATA_W-1:0] c_out_next, c_g_next;
always_comb begin
    for (int l = 0; l < LANES; l = l + 1) begin
        logic [127:0] in_blk, out_blk;
        in_blk = u_data[128*l +: 128];
        out_blk = u_text[l] ? (in_blk ^ aes_blocks[128*l +: 128]) : in_blk;
        c_out_next[128*l +: 128] = out_blk & keep_to_mask(u_keep[16*l +: 16]);
        c_g_next[128*l +: 128] = to_gf(((u_text[l] && !u_decrypt) ? out_blk : in_blk)
                                       & u_gmask[128*l +: 128]);
    end
end

logic [127:0] held_h, held_ej0;
logic [127:0] c_h_next, c_ej0_next;
assign c_h_next = u_sop ? to_gf(aes_blocks[128*LANES +: 128]) : held_h;
assign c_ej0_next = u_sop ? aes_blocks[128*(LANES+1) +: 128] : held_ej0;

// Tag operands, prepared here so that the output stage is one XOR and one
// compare: tag = (S & mask) ^ (E(K,J0) & mask), and the received tag matches
// when (S & mask) ^ ((E(K,J0) ^ received) & mask) is zero.
logic [15:0]  c_tag_bytes;
logic [127:0] c_tag_mask, c_ej0_masked, c_tag_expect;
assign c_tag_bytes = byte_enables(u_tag_len > 5'd16 ? 5'd16 : u_tag_len);
assign c_tag_mask = keep_to_mask(c_tag_bytes);
assign c_ej0_masked = c_ej0_next & c_tag_mask;
assign c_tag_expect = (c_ej0_next ^ u_rx_tag) & c_tag_mask;

always_ff @(posedge clk) begin
    if (ce_g && aes_valid) begin
        held_h <= c_h_next;
        held_ej0 <= c_ej0_next;
    end
end
// Per-beat fields carried down the tail: data out, keep, last, sop, tag
// byte mask, direction, and the two tag operands.
localparam int META_W = DATA_W + KEEP_W + 1 + 1 + 16 + 1 + 128 + 128;

logic [TAIL-1:0]   t_valid;
logic [META_W-1:0] t_meta [0:TAIL-1];

always_ff @(posedge clk) begin
    if (ce_g) begin
        t_valid <= {t_valid[TAIL-2:0], aes_valid};
        t_meta[0] <= {c_out_next, u_keep, u_last, u_sop, c_tag_bytes, u_decrypt,
                      c_tag_expect, c_ej0_masked};
        for (int i = 1; i < TAIL; i = i + 1) begin
            t_meta[i] <= t_meta[i-1];
        end
    end
    if (rst) begin
        t_valid <= '0;
    end
end

// Carried only as far as each is needed.
logic [DATA_W-1:0] g_blocks [0:4];    // stages 0..4 (t1..t5 inputs)
logic [MW-1:0]     g_count [0:3];
logic [127:0]      h_carry [0:9];     // H at stages 0..9
logic [15:0]       aad_len_carry [0:3];

always_ff @(posedge clk) begin
    if (ce_g) begin
        g_blocks[0] <= c_g_next;
        g_count[0] <= u_count;
        h_carry[0] <= c_h_next;
        aad_len_carry[0] <= u_aad_len;
        for (int i = 1; i < 5; i = i + 1) g_blocks[i] <= g_blocks[i-1];
        for (int i = 1; i < 4; i = i + 1) begin
            g_count[i] <= g_count[i-1];
            aad_len_carry[i] <= aad_len_carry[i-1];
        end
        for (int i = 1; i < 10; i = i + 1) h_carry[i] <= h_carry[i-1];
    end
end

// Text bytes so far in the packet, over three tail stages (t0: bytes per
// lane, t1: bytes in the beat, t2: running total), ready at t3 for the
// length block. keep is contiguous from byte 0, so a lane's byte count is
// the index of its last kept byte plus one.
logic [4:0]  text_lane_bytes_t0 [0:LANES-1];
logic [6:0]  text_beat_bytes_t1, text_beat_bytes_next;
logic [15:0] text_total_t2, text_total_next, text_total_t3, text_acc;
logic        sop_t1;
assign sop_t1 = t_meta[1][META_W-DATA_W-KEEP_W-2];

always_comb begin
    text_beat_bytes_next = '0;
    for (int l = 0; l < LANES; l = l + 1) begin
        text_beat_bytes_next = text_beat_bytes_next + 7'(text_lane_bytes_t0[l]);
    end
end
assign text_total_next = (sop_t1 ? 16'd0 : text_acc) + 16'(text_beat_bytes_t1);

always_ff @(posedge clk) begin
    if (ce_g) begin
        for (int l = 0; l < LANES; l = l + 1) begin
            text_lane_bytes_t0[l] <= '0;
            for (int j = 0; j < 16; j = j + 1) begin
                if (u_text[l] && u_keep[16*l+j]) text_lane_bytes_t0[l] <= 5'(j + 1);
            end
        end
        text_beat_bytes_t1 <= text_beat_bytes_next;
        text_total_t2 <= text_total_next;
        text_total_t3 <= text_total_t2;
        if (t_valid[1]) begin
            text_acc <= text_total_next;
        end
    end
end

// ---------------------------------------------------------------- powers of H
// t1: H^2 = H*H (squaring is linear); t2: H^3 unreduced, H^4 = (H^2)^2;
// t3: H^3 reduced. Registers named *_t<i> belong to tail stage i. A beat has
// at most LANES blocks, so only H^1..H^LANES are made: none at 128 bits, H^2
// at 256.
logic [127:0] h2_t3, h3_t3, h4_t3;

if (LANES >= 2) begin : g_h2
    logic [127:0] h2_next, h2_t1, h2_t2;
    gf128_reduce sq1_inst (.product(gf_spread(h_carry[0])), .reduced(h2_next));
    always_ff @(posedge clk) begin
        if (ce_g) begin
            h2_t1 <= h2_next;
            h2_t2 <= h2_t1;
            h2_t3 <= h2_t2;
        end
    end
    if (LANES >= 4) begin : g_h34
        logic [127:0] h4_next, h3_next, h4_t2;
        logic [254:0] h3_raw_next, h3_raw_t2;
        gf128_reduce sq2_inst (.product(gf_spread(h2_t1)), .reduced(h4_next));
        gf128_mul_raw h3_mul_inst (.a(h2_t1), .b(h_carry[1]), .product(h3_raw_next));
        gf128_reduce h3_reduce_inst (.product(h3_raw_t2), .reduced(h3_next));
        always_ff @(posedge clk) begin
            if (ce_g) begin
                h4_t2 <= h4_next;
                h4_t3 <= h4_t2;
                h3_raw_t2 <= h3_raw_next;
                h3_t3 <= h3_next;
            end
        end
    end else begin : g_no_h34
        assign h3_t3 = '0;
        assign h4_t3 = '0;
    end
end else begin : g_no_h2
    assign h2_t3 = '0;
    assign h3_t3 = '0;
    assign h4_t3 = '0;
end

// ---------------------------------------------------------------- t4: operands
// A beat of m blocks: Y' = Y*H^m ^ sum_{l<m} X_l*H^(m-l); H^m := 0 when the
// beat starts a packet. The length block is added after the last beat.
logic [127:0] powers [0:4];
assign powers[0] = 128'h1;
assign powers[1] = h_carry[3];
assign powers[2] = h2_t3;
assign powers[3] = h3_t3;
assign powers[4] = h4_t3;

logic [DATA_W-1:0] op_powers_next, op_powers_t4;
logic [127:0]      loop_power_next, loop_power_t4, loop_power_t5, loop_power_t6;
logic [127:0]      len_block_next, len_block_t4, len_block_t5, len_block_t6, len_block_t7;
logic              sop_t3;
assign sop_t3 = t_meta[3][META_W-DATA_W-KEEP_W-2];

always_comb begin
    for (int l = 0; l < LANES; l = l + 1) begin
        op_powers_next[128*l +: 128] = (l < 32'(g_count[3])) ? powers[32'(g_count[3]) - l] : 128'h0;
    end
    loop_power_next = sop_t3 ? 128'h0 : powers[g_count[3]];
    // len(A) || len(C) in bits, each 64-bit big-endian (AXI byte order).
    len_block_next = to_gf({{text_total_t3[4:0], 3'b000}, text_total_t3[12:5],
                            5'd0, text_total_t3[15:13], 40'h0,
                            {aad_len_carry[3][4:0], 3'b000}, aad_len_carry[3][12:5],
                            5'd0, aad_len_carry[3][15:13], 40'h0});
end

always_ff @(posedge clk) begin
    if (ce_g) begin
        op_powers_t4 <= op_powers_next;
        loop_power_t4 <= loop_power_next;
        loop_power_t5 <= loop_power_t4;
        loop_power_t6 <= loop_power_t5;
        len_block_t4 <= len_block_next;
        len_block_t5 <= len_block_t4;
        len_block_t6 <= len_block_t5;
        len_block_t7 <= len_block_t6;
    end
end

// ---------------------------------------------------------------- t5, t6: Z
logic [254:0] z_raw_next, z_raw_t5;
logic [127:0] z_next, z_t6;

gcm_lane_products #(.LANES(LANES)) products_inst (
    .blocks(g_blocks[4]), .powers(op_powers_t4), .sum(z_raw_next));
gf128_reduce z_reduce_inst (.product(z_raw_t5), .reduced(z_next));

always_ff @(posedge clk) begin
    if (ce_g) begin
        z_raw_t5 <= z_raw_next;
        z_t6 <= z_next;
    end
end

// ---------------------------------------------------------------- t7: Y loop
logic [127:0] y_t7;

gcm_ghash_loop loop_inst (
    .clk(clk), .ce(ce_g), .beat_valid(t_valid[6]),
    .loop_power(loop_power_t6), .lanes_sum(z_t6), .y(y_t7));

// ---------------------------------------------------------------- t8..t10: S = (Y ^ L) * H
logic [127:0] s_in_t8, s_t10;
logic [254:0] s_raw_next, s_raw_t9;
logic [127:0] s_next;

gf128_mul_raw s_mul_inst (.a(s_in_t8), .b(h_carry[8]), .product(s_raw_next));
gf128_reduce s_reduce_inst (.product(s_raw_t9), .reduced(s_next));

always_ff @(posedge clk) begin
    if (ce_g) begin
        s_in_t8 <= y_t7 ^ len_block_t7;
        s_raw_t9 <= s_raw_next;
        s_t10 <= s_next;
    end
end

// ---------------------------------------------------------------- t11: tag, compare, output
logic [DATA_W-1:0] o_data;
logic [KEEP_W-1:0] o_keep;
logic              o_last, o_sop, o_decrypt, o_tag_ok;
logic [15:0]       o_tag_bytes;
logic [127:0]      o_tag_expect, o_ej0_masked, o_s_masked, o_tag;
assign {o_data, o_keep, o_last, o_sop, o_tag_bytes, o_decrypt, o_tag_expect, o_ej0_masked} = t_meta[10];

// S back to bytes: GHASH bit i is byte i/8, bit 7-i%8 (to_gf is its own inverse).
assign o_s_masked = to_gf(s_t10) & keep_to_mask(o_tag_bytes);
assign o_tag = o_s_masked ^ o_ej0_masked;
assign o_tag_ok = o_decrypt && ((o_s_masked ^ o_tag_expect) == 128'h0);

logic unused_tail;
assign unused_tail = ^{o_sop, h_carry[9]};

// Output skid buffer. The tail advances whenever the spare register is
// empty; a beat leaving the tail goes to the output register when that is
// free, else to the spare, which refills the output register first. So
// m_axis_tready drives only these registers, and the pipeline's enables
// (ce_g and the stages before it) are functions of registered valids: no
// combinational path from m_axis_tready to s_axis_tready. Full rate: the
// spare fills only on a clock where m_axis_tready is low.
logic              spare_free;        // spare register empty (active high: a
                                      // positive enable keeps the tail in SRLs)
logic [DATA_W-1:0] spare_data;
logic [KEEP_W-1:0] spare_keep;
logic              spare_last, spare_tag_ok;
logic [127:0]      spare_tag;

assign ce_g = spare_free;

always_ff @(posedge clk) begin
    if (!m_axis_tvalid || m_axis_tready) begin
        if (!spare_free) begin
            m_axis_tvalid <= 1'b1;
            m_axis_tdata <= spare_data;
            m_axis_tkeep <= spare_keep;
            m_axis_tlast <= spare_last;
            m_axis_tag <= spare_tag;
            m_axis_tag_ok <= spare_tag_ok;
        end else begin
            m_axis_tvalid <= t_valid[10];
            m_axis_tdata <= o_data;
            m_axis_tkeep <= o_keep;
            m_axis_tlast <= o_last;
            m_axis_tag <= o_tag;
            m_axis_tag_ok <= o_tag_ok;
        end
        spare_free <= 1'b1;
    end else if (spare_free) begin
        spare_free <= !t_valid[10];
        spare_data <= o_data;
        spare_keep <= o_keep;
        spare_last <= o_last;
        spare_tag <= o_tag;
        spare_tag_ok <= o_tag_ok;
    end
    if (rst) begin
        m_axis_tvalid <= 1'b0;
        spare_free <= 1'b1;
    end
end

endmodule

`default_nettype wire
