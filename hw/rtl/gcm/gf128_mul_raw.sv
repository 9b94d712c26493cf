// Carry-less 128 x 128 -> 255-bit polynomial product over GF(2), no
// reduction. Operands use the GHASH coefficient order of gcm_core (bit i is
// the coefficient of x^i). Kept unreduced so that several products can be
// summed and reduced once (aggregated reduction).
// The 128 partial products are summed as an explicit balanced XOR tree: a
// linear XOR chain maps to about 27 LUT levels, the tree to 4.
`default_nettype none

module gf128_mul_raw (
    input  wire logic [127:0] a,
    input  wire logic [127:0] b,
    output logic      [254:0] product
);

logic [254:0] partial [0:127];

always_comb begin
    for (int i = 0; i < 128; i = i + 1) begin
        partial[i] = {127'h0, a & {128{b[i]}}} << i;
    end
    for (int span = 1; span < 128; span = span * 2) begin
        for (int i = 0; i < 128; i = i + 2 * span) begin
            partial[i] = partial[i] ^ partial[i+span];
        end
    end
    product = partial[0];
end

endmodule

`default_nettype wire
