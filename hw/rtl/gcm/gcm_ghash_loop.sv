// The one feedback stage of GHASH: Y <= Y * P ^ Z for each valid beat, where
// Z is the beat's blocks already multiplied by their powers of H and P is
// H^m (m blocks in the beat), or 0 on the first beat of a packet (which
// restarts Y without a multiplexer in the loop). One multiply with its
// reduction is the whole loop.
`default_nettype none

module gcm_ghash_loop (
    input  wire logic         clk,
    input  wire logic         ce,          // advance the pipeline
    input  wire logic         beat_valid,  // a beat is present at the input
    input  wire logic [127:0] loop_power,  // H^m, or 0 to start a packet
    input  wire logic [127:0] lanes_sum,   // Z
    output logic      [127:0] y
);

logic [254:0] product;
logic [127:0] reduced;

gf128_mul_raw mul_inst (.a(y), .b(loop_power), .product(product));
gf128_reduce reduce_inst (.product(product), .reduced(reduced));

always_ff @(posedge clk) begin
    if (ce && beat_valid) begin
        y <= reduced ^ lanes_sum;
    end
end

endmodule

`default_nettype wire
