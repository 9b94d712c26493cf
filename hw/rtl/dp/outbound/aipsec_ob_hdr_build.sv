// Output header of a protected frame, and the rest of its dispatcher command
// (combinational; docs/hw/datapath.md, outbound path). As the software
// transforms do it (host/src/xform/tunnel.cpp, esp.cpp, natt.cpp):
//   tunnel:    Ethernet (ethertype of the outer family), a new IPv4 header
//              (TOS copied, ECN cleared unless settings.ecn, ID from the SA's
//              counter, DF per settings.dfbit, TTL 64) or IPv6 header (traffic
//              class likewise, flow label 0, hop limit 64)
//   transport: Ethernet and the frame's IP header chain up to the insertion
//              point, with the next header 50 (17 for NAT-T), lengths and the
//              IPv4 checksum rewritten
// then the NAT-T UDP header (checksum 0), SPI, sequence number and IV.
`default_nettype none

/* verilator lint_off UNUSEDSIGNAL */  // parse and SA fields other paths use
module aipsec_ob_hdr_build (
  input  wire logic [8*aipsec_dp_pkg::HDR_BYTES-1:0] desc_hdr,
  input  wire aipsec_dp_pkg::parse_t        parse,
  input  wire aipsec_regs_pkg::sa_context_t sa,
  input  wire logic [31:0]                  settings,
  input  wire logic [63:0]                  seq,
  input  wire logic [15:0]                  ipid,
  input  wire logic [15:0]                  pl,          // bytes encrypted (before the trailer)
  input  wire logic [1:0]                   pad,
  input  wire logic [15:0]                  esp_len,     // ESP header to ICV
  input  wire logic [15:0]                  ip_out_len,  // protected IP packet
  input  wire logic [11:0]                  ins,         // transport insertion offset (from the IP header)
  input  wire logic [11:0]                  nhf,         // offset of the next-header byte to rewrite
  input  wire logic                         src,
  input  wire logic [1:0]                   act,
  input  wire logic [63:0]                  tuser,
  output      aipsec_ob_pkg::ob_cmd_t       cmd
);
/* verilator lint_on UNUSEDSIGNAL */

  localparam int HB = aipsec_dp_pkg::HDR_BYTES;
  localparam int HDR_MAX = aipsec_ob_pkg::HDR_MAX;

  wire tunnel = sa.mode == aipsec_regs_pkg::SA_CONTEXT_MODE_TUNNEL;
  wire ov6 = sa.outer_ipv6;
  wire [7:0] proto = sa.natt ? 8'd17 : 8'd50;
  wire [1:0] dfbit = settings[aipsec_regs_pkg::CTRL_SETTINGS_DFBIT_LSB +: 2];
  wire ecn = settings[aipsec_regs_pkg::CTRL_SETTINGS_ECN_LSB];
  wire [7:0] otos = {parse.tos[7:2], ecn ? parse.tos[1:0] : 2'b00};
  // dfbit 2 copies an inner IPv4 DF; an inner IPv6 packet has none: clear.
  wire df = dfbit == 2'd1 || (dfbit == 2'd2 && !parse.ipv6 && parse.df);

  function automatic logic [15:0] ones_add(input logic [15:0] a, input logic [15:0] b);
    logic [16:0] s;
    s = {1'b0, a} + {1'b0, b};
    ones_add = s[15:0] + {15'd0, s[16]};
  endfunction

  logic [8*HB-1:0] ip_in, ipo;
  logic [11:0] ip_len;                       // bytes of IP header chain written
  logic [15:0] cks;
  logic [8*24-1:0] tail;
  logic [4:0] tail_len;
  logic [8*HDR_MAX-1:0] eth, hdr;
  logic [7:0] l3;

  always_comb begin
    l3 = parse.l3_off;
    ip_in = desc_hdr >> (8 * 32'(l3));
    ipo = '0;
    if (tunnel && !ov6) begin
      ipo[8*0 +: 8] = 8'h45;
      ipo[8*1 +: 8] = otos;
      ipo[8*2 +: 8] = ip_out_len[15:8];
      ipo[8*3 +: 8] = ip_out_len[7:0];
      ipo[8*4 +: 8] = ipid[15:8];
      ipo[8*5 +: 8] = ipid[7:0];
      ipo[8*6 +: 8] = df ? 8'h40 : 8'h00;
      ipo[8*8 +: 8] = 8'd64;
      ipo[8*9 +: 8] = proto;
      for (int i = 0; i < 4; i = i + 1) begin
        ipo[8*(12+i) +: 8] = sa.tunnel_src[31 - 8*i -: 8];
        ipo[8*(16+i) +: 8] = sa.tunnel_dst[31 - 8*i -: 8];
      end
      ip_len = 12'd20;
    end else if (tunnel) begin
      ipo[8*0 +: 8] = {4'h6, otos[7:4]};
      ipo[8*1 +: 8] = {otos[3:0], 4'h0};
      ipo[8*4 +: 8] = 8'(({16'd0, ip_out_len} - 32'd40) >> 8);
      ipo[8*5 +: 8] = 8'(ip_out_len - 16'd40);
      ipo[8*6 +: 8] = proto;
      ipo[8*7 +: 8] = 8'd64;
      for (int i = 0; i < 16; i = i + 1) begin
        ipo[8*(8+i) +: 8] = sa.tunnel_src[127 - 8*i -: 8];
        ipo[8*(24+i) +: 8] = sa.tunnel_dst[127 - 8*i -: 8];
      end
      ip_len = 12'd40;
    end else begin
      for (int i = 0; i < HB; i = i + 1) begin
        if (i < 32'(ins)) ipo[8*i +: 8] = ip_in[8*i +: 8];
      end
      if (!parse.ipv6) begin
        ipo[8*2 +: 8] = ip_out_len[15:8];
        ipo[8*3 +: 8] = ip_out_len[7:0];
        ipo[8*9 +: 8] = proto;
        ipo[8*10 +: 16] = 16'd0;
      end else begin
        ipo[8*4 +: 8] = 8'(({16'd0, ip_out_len} - 32'd40) >> 8);
        ipo[8*5 +: 8] = 8'(ip_out_len - 16'd40);
        for (int i = 0; i < HB; i = i + 1) begin
          if (32'(nhf) == i) ipo[8*i +: 8] = proto;
        end
      end
      ip_len = ins;
    end
    // IPv4 header checksum (RFC 791) over IHL*4 bytes, options included.
    cks = 16'd0;
    for (int w = 0; w < 30; w = w + 1) begin
      if (2 * w < (tunnel ? 20 : 32'(ins))) cks = ones_add(cks, {ipo[16*w +: 8], ipo[16*w + 8 +: 8]});
    end
    if (!(tunnel ? ov6 : parse.ipv6)) begin
      ipo[8*10 +: 8] = ~cks[15:8];
      ipo[8*11 +: 8] = ~cks[7:0];
    end

    tail = '0;
    if (sa.natt) begin
      tail[8*0 +: 8] = sa.natt_sport[15:8];
      tail[8*1 +: 8] = sa.natt_sport[7:0];
      tail[8*2 +: 8] = sa.natt_dport[15:8];
      tail[8*3 +: 8] = sa.natt_dport[7:0];
      tail[8*4 +: 8] = 8'((esp_len + 16'd8) >> 8);
      tail[8*5 +: 8] = 8'(esp_len + 16'd8);
    end
    for (int i = 0; i < 4; i = i + 1) begin
      tail[8*(8*32'(sa.natt) + i) +: 8] = sa.spi[31 - 8*i -: 8];
      tail[8*(8*32'(sa.natt) + 4 + i) +: 8] = seq[31 - 8*i -: 8];
    end
    for (int i = 0; i < 8; i = i + 1) begin
      tail[8*(8*32'(sa.natt) + 8 + i) +: 8] = seq[63 - 8*i -: 8];
    end
    tail_len = sa.natt ? 5'd24 : 5'd16;

    eth = '0;
    for (int i = 0; i < 22; i = i + 1) begin
      if (i < 32'(l3)) eth[8*i +: 8] = desc_hdr[8*i +: 8];
    end
    if (tunnel) begin
      for (int i = 0; i < 22; i = i + 1) begin
        if (i == 32'(l3) - 2) eth[8*i +: 8] = ov6 ? 8'h86 : 8'h08;
        if (i == 32'(l3) - 1) eth[8*i +: 8] = ov6 ? 8'hdd : 8'h00;
      end
    end
    hdr = eth | (HDR_MAX*8)'(ipo) << (8 * 32'(l3));
    hdr = hdr | (HDR_MAX*8)'(tail) << (8 * (32'(l3) + 32'(ip_len)));

    cmd.src = src;
    cmd.act = act;
    cmd.tuser = tuser;
    cmd.pay_start = 16'(l3) + (tunnel ? 16'd0 : 16'(ins));
    cmd.pay_len = pl;
    cmd.pad_len = pad;
    cmd.pad_zero = sa.pad_mode == aipsec_regs_pkg::SA_CONTEXT_PAD_MODE_ZERO;
    cmd.next_hdr = tunnel ? (parse.ipv6 ? 8'd41 : 8'd4) : ip_in[8*32'(nhf) +: 8];
    cmd.aad = '0;
    for (int i = 0; i < 4; i = i + 1) begin
      cmd.aad[8*i +: 8] = sa.spi[31 - 8*i -: 8];
      cmd.aad[8*(4+i) +: 8] = sa.esn ? seq[63 - 8*i -: 8] : seq[31 - 8*i -: 8];
      cmd.aad[8*(8+i) +: 8] = sa.esn ? seq[31 - 8*i -: 8] : 8'd0;
    end
    cmd.esn = sa.esn;
    for (int i = 0; i < 32; i = i + 1) cmd.key[8*i +: 8] = sa.enc_key[255 - 8*i -: 8];
    cmd.key_256 = sa.enc_key_256;
    for (int i = 0; i < 4; i = i + 1) cmd.nonce[8*i +: 8] = sa.salt[31 - 8*i -: 8];
    for (int i = 0; i < 8; i = i + 1) cmd.nonce[8*(4+i) +: 8] = seq[63 - 8*i -: 8];
    cmd.icv_len = sa.icv_len;
    cmd.hdr_len = 8'(32'(l3) + 32'(ip_len) + 32'(tail_len));
    cmd.hdr = hdr;
  end

endmodule

`default_nettype wire
