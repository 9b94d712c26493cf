// Test top: the package's crc32c and key builders, and aipsec_key_hash, side
// by side, so the bench can hold them against RFC 3720 and the C++ card_hash.
`default_nettype none

module dp_hash_check (
  input  wire logic [8*64-1:0] bytes,
  input  wire logic [6:0]      n,
  output      logic [31:0]     pkg_crc,        // aipsec_dp_pkg::crc32c(bytes, n)

  input  wire logic            ipv6,
  input  wire logic [7:0]      proto,
  input  wire logic [15:0]     sport,
  input  wire logic [15:0]     dport,
  input  wire logic [127:0]    src,
  input  wire logic [127:0]    dst,
  input  wire logic [31:0]     spi,
  output      logic [8*64-1:0] flow_key,
  output      logic [8*64-1:0] sa_key,
  output      logic [31:0]     flow_crc_pkg,
  output      logic [31:0]     flow_crc_tree,
  output      logic [31:0]     sa_crc_pkg,
  output      logic [31:0]     sa_crc_tree
);
  localparam int FB = aipsec_dp_pkg::FLOW_KEY_BYTES;
  localparam int SB = aipsec_dp_pkg::SA_KEY_BYTES;

  assign pkg_crc = aipsec_dp_pkg::crc32c(bytes, int'(n));
  assign flow_key = aipsec_dp_pkg::flow_key_bytes(ipv6, proto, sport, dport, src, dst);
  assign sa_key = aipsec_dp_pkg::sa_key_bytes(spi, proto, ipv6, dst);
  assign flow_crc_pkg = aipsec_dp_pkg::crc32c(flow_key, FB);
  assign sa_crc_pkg = aipsec_dp_pkg::crc32c(sa_key, SB);
  aipsec_key_hash #(.KEY_BYTES(FB)) flow_hash (.key(flow_key[8*FB-1:0]), .crc(flow_crc_tree));
  aipsec_key_hash #(.KEY_BYTES(SB)) sa_hash (.key(sa_key[8*SB-1:0]), .crc(sa_crc_tree));
endmodule

`default_nettype wire
