// Cuts one context's message stream into 64-byte SHA blocks and appends the
// FIPS 180-4 padding (0x80, zeros, 64-bit big-endian bit length), which is
// the same for SHA-1 and SHA-256. A block waits in m_blk_* until the
// compression engine takes it; the next beats are refused meanwhile.
//
// Input beats: every beat but the last carries DATA_W/8 bytes; the last beat
// (s_tlast) carries the bytes whose s_tkeep bit is set, contiguous from byte
// lane 0; a zero-length message is one beat with s_tkeep = 0 and s_tlast.
// The first beat of a message is taken only while s_start_ok is high.
//
// The last beat is written in one clock without arithmetic (byte positions
// follow from the beat's slot and tkeep); its bytes are counted in the next
// clock, added to the length in the one after, and the length is written in
// the third, so that no clock holds more than one adder or one population
// count. The last block is ready three clocks after the last beat.
`default_nettype none

module sha_block_asm #(
    // Input width in bits; 64..512 and a divisor of 512.
    parameter int DATA_W = 64,
    // Byte lanes per beat.
    parameter int KEEP_W = DATA_W / 8
) (
    input  wire logic              clk,
    input  wire logic              rst,           // synchronous, active high

    input  wire logic [DATA_W-1:0] s_tdata,       // byte n of the beat in [8n +: 8]
    input  wire logic [KEEP_W-1:0] s_tkeep,
    input  wire logic              s_tlast,
    input  wire logic              s_tvalid,
    output logic                   s_tready,
    input  wire logic              s_start_ok,    // a new message may start
    input  wire logic              s_len_base_64, // count 64 bytes before the message (HMAC inner)

    output logic [511:0]           m_blk_data,    // W[0..15], W[0] in [31:0]
    output logic                   m_blk_last,    // last block of the message
    output logic                   m_blk_valid,
    input  wire logic              m_blk_ready
);

localparam int BEATS = 512 / DATA_W;
localparam int SLOT_W = (BEATS > 1) ? $clog2(BEATS) : 1;
localparam int NB_W = $clog2(KEEP_W + 1);

initial begin
    if (DATA_W < 64 || DATA_W > 512 || (512 % DATA_W) != 0 || KEEP_W * 8 != DATA_W) begin
        $error("sha_block_asm: DATA_W must divide 512, be >= 64, and KEEP_W = DATA_W/8");
        $finish;
    end
end

logic [511:0]      blk_reg;        // message byte j of the block in [8j +: 8]
logic              blk_valid_reg, blk_last_reg, in_msg_reg, pad_pending_reg;
logic              fits_reg, mark_reg;
logic [1:0]        fin_reg;        // 1: count the last beat's bytes, 2: add them, 3: write the length
logic [KEEP_W-1:0] keep_last_reg;
logic [SLOT_W-1:0] slot_reg;       // slot of the next beat in the block
logic [31:0]       count_reg;      // message bytes so far, plus 64 for HMAC inner
logic [NB_W-1:0]   n_last_reg;

logic              accept, first, keep_all;
logic [SLOT_W-1:0] slot_cur;
logic [NB_W-1:0]   n_bytes;
logic [KEEP_W-1:0] count_mask;
logic [31:0]       count_base;
logic [63:0]       bit_len;
logic [511:0]      blk_last_img, blk_pad_img;
logic              data_55, data_63;  // byte 55 / 63 holds message data after the last beat

assign s_tready = !blk_valid_reg && fin_reg == 2'd0 && (in_msg_reg || s_start_ok);
assign accept = s_tvalid && s_tready;
assign first = !in_msg_reg;
assign slot_cur = first ? '0 : slot_reg;
assign count_base = first ? (s_len_base_64 ? 32'd64 : 32'd0) : count_reg;
assign keep_all = &s_tkeep;
assign bit_len = {29'd0, count_reg, 3'd0};

always_comb begin
    // tkeep is a thermometer code, so bit b of its count is the parity of
    // its bits (2^b)*i - 1: XOR trees instead of an adder tree.
    for (int b = 0; b < NB_W; b = b + 1) begin
        count_mask = '0;
        for (int i = 1; i * (1 << b) <= KEEP_W; i = i + 1) begin
            count_mask[i * (1 << b) - 1] = 1'b1;
        end
        n_bytes[b] = ^(keep_last_reg & count_mask);
    end
end

// Block image when the last beat lands: earlier beats, the beat's bytes,
// 0x80 right after them, zeros.
generate
    if (55 / KEEP_W == BEATS - 1) begin : g_55_last_slot
        assign data_55 = slot_cur == SLOT_W'(55 / KEEP_W) && s_tkeep[55 % KEEP_W];
    end else begin : g_55_inner_slot
        assign data_55 = (slot_cur > SLOT_W'(55 / KEEP_W))
                      || (slot_cur == SLOT_W'(55 / KEEP_W) && s_tkeep[55 % KEEP_W]);
    end
endgenerate
assign data_63 = slot_cur == SLOT_W'(BEATS - 1) && s_tkeep[KEEP_W - 1];

always_comb begin
    for (int j = 0; j < 64; j = j + 1) begin
        if (SLOT_W'(j / KEEP_W) < slot_cur) begin
            blk_last_img[8*j +: 8] = blk_reg[8*j +: 8];
        end else if (SLOT_W'(j / KEEP_W) == slot_cur && s_tkeep[j % KEEP_W]) begin
            blk_last_img[8*j +: 8] = s_tdata[8*(j % KEEP_W) +: 8];
        end else if ((SLOT_W'(j / KEEP_W) == slot_cur
                      && (j % KEEP_W == 0 || s_tkeep[(j % KEEP_W + KEEP_W - 1) % KEEP_W]))
                  || (j % KEEP_W == 0 && j > 0 && SLOT_W'(j / KEEP_W - 1) == slot_cur && keep_all)) begin
            blk_last_img[8*j +: 8] = 8'h80;
        end else begin
            blk_last_img[8*j +: 8] = 8'h00;
        end
    end
    blk_pad_img = '0;
    blk_pad_img[7:0] = mark_reg ? 8'h80 : 8'h00;
    for (int j = 0; j < 8; j = j + 1) begin
        blk_pad_img[8*(56+j) +: 8] = bit_len[63-8*j -: 8];
    end
end

always_ff @(posedge clk) begin
    if (accept) begin
        in_msg_reg <= !s_tlast;
        if (!s_tlast) begin
            // One write enable per slot: a variable part-select would map to
            // a barrel shifter.
            for (int k = 0; k < BEATS; k = k + 1) begin
                if (slot_cur == SLOT_W'(k)) begin
                    blk_reg[DATA_W*k +: DATA_W] <= s_tdata;
                end
            end
            count_reg <= count_base + 32'(KEEP_W);
            slot_reg <= slot_cur + 1'b1;
            if (slot_cur == SLOT_W'(BEATS - 1)) begin
                slot_reg <= '0;
                blk_valid_reg <= 1'b1;
                blk_last_reg <= 1'b0;
            end
        end else begin
            blk_reg <= blk_last_img;
            count_reg <= count_base;
            keep_last_reg <= s_tkeep;
            slot_reg <= '0;
            fin_reg <= 2'd1;
            // The length fits if byte 55 is free; 0x80 moves to the next
            // block when the data fills this one.
            fits_reg <= !data_55;
            mark_reg <= data_63;
        end
    end else if (fin_reg == 2'd1) begin
        n_last_reg <= n_bytes;
        fin_reg <= 2'd2;
    end else if (fin_reg == 2'd2) begin
        count_reg <= count_reg + 32'(n_last_reg);
        fin_reg <= 2'd3;
    end else if (fin_reg == 2'd3) begin
        fin_reg <= 2'd0;
        blk_valid_reg <= 1'b1;
        blk_last_reg <= fits_reg;
        pad_pending_reg <= !fits_reg;
        if (fits_reg) begin
            for (int j = 0; j < 8; j = j + 1) begin
                blk_reg[8*(56+j) +: 8] <= bit_len[63-8*j -: 8];
            end
        end
    end else if (m_blk_ready && blk_valid_reg) begin
        blk_valid_reg <= pad_pending_reg;
        if (pad_pending_reg) begin
            blk_reg <= blk_pad_img;
            blk_last_reg <= 1'b1;
            pad_pending_reg <= 1'b0;
        end
    end
    if (rst) begin
        blk_valid_reg <= 1'b0;
        in_msg_reg <= 1'b0;
        pad_pending_reg <= 1'b0;
        fin_reg <= 2'd0;
        slot_reg <= '0;
    end
end

// The engine takes W[i] as a big-endian 32-bit word of bytes 4i..4i+3.
always_comb begin
    for (int i = 0; i < 16; i = i + 1) begin
        m_blk_data[32*i +: 32] = {blk_reg[8*(4*i) +: 8], blk_reg[8*(4*i+1) +: 8],
                                  blk_reg[8*(4*i+2) +: 8], blk_reg[8*(4*i+3) +: 8]};
    end
end

assign m_blk_last = blk_last_reg;
assign m_blk_valid = blk_valid_reg;

endmodule

`default_nettype wire
