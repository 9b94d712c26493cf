// CRC-32C of a fixed-length key as XOR trees (docs/hw/datapath.md, hashing).
//
// Equal to aipsec_dp_pkg::crc32c(key, KEY_BYTES). For a fixed length the CRC
// is affine in the key bits: bit j of the result is the parity of the key bits
// in column j of a matrix, xored with the CRC of an all-zero key. Both are
// worked out at elaboration by running the bitwise CRC on bit masks, so the
// logic is one XOR tree per output bit (a few LUT levels) instead of the
// serial byte loop of the package function, which maps to a long chain.
`default_nettype none

module aipsec_key_hash #(
  parameter int KEY_BYTES = 38                  // key length in bytes
) (
  input  wire logic [8*KEY_BYTES-1:0] key,      // byte i in bits 8i+7..8i
  output      logic [31:0]            crc
);

  localparam int KW = 8 * KEY_BYTES;
  localparam logic [31:0] POLY = 32'h82f63b78;  // reflected Castagnoli polynomial

  // Row k (bits k*KW +: KW): the key bits whose parity is CRC state bit k.
  function automatic logic [32*KW-1:0] crc_columns();
    logic [32*KW-1:0] st;
    logic [KW-1:0] s0;
    for (int k = 0; k < 32; k = k + 1) st[k*KW +: KW] = {KW{1'b0}};
    for (int i = 0; i < KEY_BYTES; i = i + 1) begin
      for (int b = 0; b < 8; b = b + 1) st[b*KW + 8*i + b] = 1'b1;   // state ^= byte i
      for (int r = 0; r < 8; r = r + 1) begin
        s0 = st[0 +: KW];
        for (int k = 0; k < 31; k = k + 1) begin
          st[k*KW +: KW] = st[(k+1)*KW +: KW] ^ (POLY[k] ? s0 : {KW{1'b0}});
        end
        st[31*KW +: KW] = POLY[31] ? s0 : {KW{1'b0}};
      end
    end
    crc_columns = st;
  endfunction

  // CRC of KEY_BYTES zero bytes: the affine constant.
  function automatic logic [31:0] crc_of_zeros();
    logic [31:0] c;
    c = 32'hffffffff;
    for (int i = 0; i < KW; i = i + 1) c = c[0] ? ((c >> 1) ^ POLY) : (c >> 1);
    crc_of_zeros = ~c;
  endfunction

  localparam logic [32*KW-1:0] COLUMNS = crc_columns();
  localparam logic [31:0] ZERO_CRC = crc_of_zeros();

  always_comb begin
    for (int j = 0; j < 32; j = j + 1) crc[j] = (^(key & COLUMNS[j*KW +: KW])) ^ ZERO_CRC[j];
  end

endmodule

`default_nettype wire
