// Carry-less 128 x 128 -> 255-bit polynomial product over GF(2), no
// reduction. Operands use the GHASH coefficient order of gcm_core (bit i is
// the coefficient of x^i). Kept unreduced so that several products can be
// summed and reduced once (aggregated reduction).
// The 128 partial products are summed as an explicit balanced XOR tree: a
// linear XOR chain maps to about 27 LUT levels, the tree to 4.
// Row r (a * b[r] shifted up by r) is written one 32-bit word at a time from
// constant part-selects, and the tree leaves out the words in which all the
// rows it adds are zero (XOR with zero is no gate): the same logic, which a
// simulator then evaluates with word operations instead of 255-bit shifts.
`default_nettype none

module gf128_mul_raw (
    input  wire logic [127:0] a,
    input  wire logic [127:0] b,
    output logic      [254:0] product
);

logic [255:0] rows [0:127];
logic [255:0] pairs [0:63];     // rows 2j and 2j+1
logic [255:0] partial [0:63];   // pairs, then whole subtrees

// Rows lo..hi have bits in word w: row r covers bits r .. r+127.
function automatic logic rows_reach(input int lo, input int hi, input int w);
    rows_reach = lo <= 32 * w + 31 && hi + 127 >= 32 * w;
endfunction

logic [189:0] a_padded;   // 31 zero bits either side of a
assign a_padded = {31'h0, a, 31'h0};

genvar r, w;
generate
    for (r = 0; r < 128; r = r + 1) begin : g_row
        for (w = 0; w < 8; w = w + 1) begin : g_word
            // Word w of the row holds bits 32w-r .. 32w-r+31 of a * b[r].
            if (rows_reach(r, r, w)) begin : g_bits
                assign rows[r][32*w +: 32] = a_padded[32*w - r + 31 +: 32] & {32{b[r]}};
            end else begin : g_zero
                assign rows[r][32*w +: 32] = 32'h0;
            end
        end
    end
    for (r = 0; r < 64; r = r + 1) begin : g_pair
        for (w = 0; w < 8; w = w + 1) begin : g_word
            if (rows_reach(2 * r + 1, 2 * r + 1, w)) begin : g_sum
                assign pairs[r][32*w +: 32] = rows[2*r][32*w +: 32] ^ rows[2*r+1][32*w +: 32];
            end else begin : g_left
                assign pairs[r][32*w +: 32] = rows[2*r][32*w +: 32];
            end
        end
    end
endgenerate

always_comb begin
    for (int j = 0; j < 64; j = j + 1) begin
        partial[j] = pairs[j];
    end
    for (int span = 1; span < 64; span = span * 2) begin
        for (int i = 0; i < 64; i = i + 2 * span) begin
            for (int k = 0; k < 8; k = k + 1) begin
                if (rows_reach(2 * (i + span), 2 * (i + 2 * span) - 1, k)) begin
                    partial[i][32*k +: 32] = partial[i][32*k +: 32] ^ partial[i+span][32*k +: 32];
                end
            end
        end
    end
    product = 255'(partial[0]);
end

// Bit 255 of the sum is always zero.
logic unused_top;
assign unused_top = partial[0][255];

endmodule

`default_nettype wire
