// Reduction of a 255-bit polynomial modulo the GCM field polynomial
// x^128 + x^7 + x^2 + x + 1 (NIST SP 800-38D), in GHASH coefficient order
// (bit i is the coefficient of x^i). Two folds in closed form: x^128 =
// x^7 + x^2 + x + 1 folds the high half into at most 134 bits, and the
// second fold takes the 6 bits that land above 127. Each result bit is an
// XOR of at most 9 input bits (2 LUT levels).
`default_nettype none

module gf128_reduce (
    input  wire logic [254:0] product,
    output logic      [127:0] reduced
);

logic [133:0] high, first_fold;
logic [127:0] over;

assign high = {7'h0, product[254:128]};
assign first_fold = high ^ (high << 1) ^ (high << 2) ^ (high << 7);
assign over = {122'h0, first_fold[133:128]};
assign reduced = product[127:0] ^ first_fold[127:0] ^ over ^ (over << 1) ^ (over << 2) ^ (over << 7);

endmodule

`default_nettype wire
