// Round constant of the round after round t: K[t+1] of SHA-256 (FIPS 180-4
// 4.2.2) when sha256 is 1, of SHA-1 (4.2.1) when 0. Looked up one round ahead
// so that the constant is a register, not a table, on the adder path.
// A case in a small module of its own keeps simulation fast and maps to LUTs.
`default_nettype none

module sha_k_rom (
    input  wire logic        sha256,   // 1: SHA-256 constants, 0: SHA-1
    input  wire logic [6:0]  t,        // current round (0..63 or 0..79)
    output logic      [31:0] k_next    // K[t+1]; 0 after the last round
);

always_comb begin
    unique case ({sha256, t})
        8'h80: k_next = 32'h71374491;
        8'h81: k_next = 32'hb5c0fbcf;
        8'h82: k_next = 32'he9b5dba5;
        8'h83: k_next = 32'h3956c25b;
        8'h84: k_next = 32'h59f111f1;
        8'h85: k_next = 32'h923f82a4;
        8'h86: k_next = 32'hab1c5ed5;
        8'h87: k_next = 32'hd807aa98;
        8'h88: k_next = 32'h12835b01;
        8'h89: k_next = 32'h243185be;
        8'h8a: k_next = 32'h550c7dc3;
        8'h8b: k_next = 32'h72be5d74;
        8'h8c: k_next = 32'h80deb1fe;
        8'h8d: k_next = 32'h9bdc06a7;
        8'h8e: k_next = 32'hc19bf174;
        8'h8f: k_next = 32'he49b69c1;
        8'h90: k_next = 32'hefbe4786;
        8'h91: k_next = 32'h0fc19dc6;
        8'h92: k_next = 32'h240ca1cc;
        8'h93: k_next = 32'h2de92c6f;
        8'h94: k_next = 32'h4a7484aa;
        8'h95: k_next = 32'h5cb0a9dc;
        8'h96: k_next = 32'h76f988da;
        8'h97: k_next = 32'h983e5152;
        8'h98: k_next = 32'ha831c66d;
        8'h99: k_next = 32'hb00327c8;
        8'h9a: k_next = 32'hbf597fc7;
        8'h9b: k_next = 32'hc6e00bf3;
        8'h9c: k_next = 32'hd5a79147;
        8'h9d: k_next = 32'h06ca6351;
        8'h9e: k_next = 32'h14292967;
        8'h9f: k_next = 32'h27b70a85;
        8'ha0: k_next = 32'h2e1b2138;
        8'ha1: k_next = 32'h4d2c6dfc;
        8'ha2: k_next = 32'h53380d13;
        8'ha3: k_next = 32'h650a7354;
        8'ha4: k_next = 32'h766a0abb;
        8'ha5: k_next = 32'h81c2c92e;
        8'ha6: k_next = 32'h92722c85;
        8'ha7: k_next = 32'ha2bfe8a1;
        8'ha8: k_next = 32'ha81a664b;
        8'ha9: k_next = 32'hc24b8b70;
        8'haa: k_next = 32'hc76c51a3;
        8'hab: k_next = 32'hd192e819;
        8'hac: k_next = 32'hd6990624;
        8'had: k_next = 32'hf40e3585;
        8'hae: k_next = 32'h106aa070;
        8'haf: k_next = 32'h19a4c116;
        8'hb0: k_next = 32'h1e376c08;
        8'hb1: k_next = 32'h2748774c;
        8'hb2: k_next = 32'h34b0bcb5;
        8'hb3: k_next = 32'h391c0cb3;
        8'hb4: k_next = 32'h4ed8aa4a;
        8'hb5: k_next = 32'h5b9cca4f;
        8'hb6: k_next = 32'h682e6ff3;
        8'hb7: k_next = 32'h748f82ee;
        8'hb8: k_next = 32'h78a5636f;
        8'hb9: k_next = 32'h84c87814;
        8'hba: k_next = 32'h8cc70208;
        8'hbb: k_next = 32'h90befffa;
        8'hbc: k_next = 32'ha4506ceb;
        8'hbd: k_next = 32'hbef9a3f7;
        8'hbe: k_next = 32'hc67178f2;
        8'h00: k_next = 32'h5a827999;
        8'h01: k_next = 32'h5a827999;
        8'h02: k_next = 32'h5a827999;
        8'h03: k_next = 32'h5a827999;
        8'h04: k_next = 32'h5a827999;
        8'h05: k_next = 32'h5a827999;
        8'h06: k_next = 32'h5a827999;
        8'h07: k_next = 32'h5a827999;
        8'h08: k_next = 32'h5a827999;
        8'h09: k_next = 32'h5a827999;
        8'h0a: k_next = 32'h5a827999;
        8'h0b: k_next = 32'h5a827999;
        8'h0c: k_next = 32'h5a827999;
        8'h0d: k_next = 32'h5a827999;
        8'h0e: k_next = 32'h5a827999;
        8'h0f: k_next = 32'h5a827999;
        8'h10: k_next = 32'h5a827999;
        8'h11: k_next = 32'h5a827999;
        8'h12: k_next = 32'h5a827999;
        8'h13: k_next = 32'h6ed9eba1;
        8'h14: k_next = 32'h6ed9eba1;
        8'h15: k_next = 32'h6ed9eba1;
        8'h16: k_next = 32'h6ed9eba1;
        8'h17: k_next = 32'h6ed9eba1;
        8'h18: k_next = 32'h6ed9eba1;
        8'h19: k_next = 32'h6ed9eba1;
        8'h1a: k_next = 32'h6ed9eba1;
        8'h1b: k_next = 32'h6ed9eba1;
        8'h1c: k_next = 32'h6ed9eba1;
        8'h1d: k_next = 32'h6ed9eba1;
        8'h1e: k_next = 32'h6ed9eba1;
        8'h1f: k_next = 32'h6ed9eba1;
        8'h20: k_next = 32'h6ed9eba1;
        8'h21: k_next = 32'h6ed9eba1;
        8'h22: k_next = 32'h6ed9eba1;
        8'h23: k_next = 32'h6ed9eba1;
        8'h24: k_next = 32'h6ed9eba1;
        8'h25: k_next = 32'h6ed9eba1;
        8'h26: k_next = 32'h6ed9eba1;
        8'h27: k_next = 32'h8f1bbcdc;
        8'h28: k_next = 32'h8f1bbcdc;
        8'h29: k_next = 32'h8f1bbcdc;
        8'h2a: k_next = 32'h8f1bbcdc;
        8'h2b: k_next = 32'h8f1bbcdc;
        8'h2c: k_next = 32'h8f1bbcdc;
        8'h2d: k_next = 32'h8f1bbcdc;
        8'h2e: k_next = 32'h8f1bbcdc;
        8'h2f: k_next = 32'h8f1bbcdc;
        8'h30: k_next = 32'h8f1bbcdc;
        8'h31: k_next = 32'h8f1bbcdc;
        8'h32: k_next = 32'h8f1bbcdc;
        8'h33: k_next = 32'h8f1bbcdc;
        8'h34: k_next = 32'h8f1bbcdc;
        8'h35: k_next = 32'h8f1bbcdc;
        8'h36: k_next = 32'h8f1bbcdc;
        8'h37: k_next = 32'h8f1bbcdc;
        8'h38: k_next = 32'h8f1bbcdc;
        8'h39: k_next = 32'h8f1bbcdc;
        8'h3a: k_next = 32'h8f1bbcdc;
        8'h3b: k_next = 32'hca62c1d6;
        8'h3c: k_next = 32'hca62c1d6;
        8'h3d: k_next = 32'hca62c1d6;
        8'h3e: k_next = 32'hca62c1d6;
        8'h3f: k_next = 32'hca62c1d6;
        8'h40: k_next = 32'hca62c1d6;
        8'h41: k_next = 32'hca62c1d6;
        8'h42: k_next = 32'hca62c1d6;
        8'h43: k_next = 32'hca62c1d6;
        8'h44: k_next = 32'hca62c1d6;
        8'h45: k_next = 32'hca62c1d6;
        8'h46: k_next = 32'hca62c1d6;
        8'h47: k_next = 32'hca62c1d6;
        8'h48: k_next = 32'hca62c1d6;
        8'h49: k_next = 32'hca62c1d6;
        8'h4a: k_next = 32'hca62c1d6;
        8'h4b: k_next = 32'hca62c1d6;
        8'h4c: k_next = 32'hca62c1d6;
        8'h4d: k_next = 32'hca62c1d6;
        8'h4e: k_next = 32'hca62c1d6;
        default: k_next = 32'h0;
    endcase
end

endmodule

`default_nettype wire
