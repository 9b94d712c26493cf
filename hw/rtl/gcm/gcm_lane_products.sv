// GHASH lane products of one beat, unreduced: XOR over the lanes of
// block[l] * power[l] (aggregated reduction: one reduction per beat follows).
`default_nettype none

module gcm_lane_products #(
    // Blocks per beat.
    parameter int LANES = 1
) (
    input  wire logic [128*LANES-1:0] blocks,   // GHASH coefficient order
    input  wire logic [128*LANES-1:0] powers,   // power of H for each lane (0 for unused lanes)
    output logic      [254:0]         sum
);

initial begin
    if (LANES < 1) begin
        $error("gcm_lane_products: LANES must be >= 1");
        $finish;
    end
end

logic [254:0] products [0:LANES-1];

genvar l;
generate
    for (l = 0; l < LANES; l = l + 1) begin : g_lane
        gf128_mul_raw mul_inst (.a(blocks[128*l +: 128]), .b(powers[128*l +: 128]),
                                .product(products[l]));
    end
endgenerate

always_comb begin
    sum = '0;
    for (int i = 0; i < LANES; i = i + 1) begin
        sum = sum ^ products[i];
    end
end

endmodule

`default_nettype wire
