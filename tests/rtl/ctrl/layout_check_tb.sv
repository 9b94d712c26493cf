// The generated SystemVerilog packed structs put fields at the bit positions
// docs/hw/registers.md and docs/hw/metadata.md give (the C++ side is checked
// against the same positions in tests/unit/driver_tables_test.cpp).
`default_nettype none

module layout_check_tb;
  aipsec_regs_pkg::sa_context_t sa;
  aipsec_regs_pkg::flow_entry_t flow;
  aipsec_regs_pkg::packet_meta_t meta;
  int errors = 0;

  initial begin
    sa = '0;
    sa.spi = 32'h12345678;
    sa.mode = 1'b1;
    sa.icv_len = 5'd16;
    sa.enc_key = {8'hab, 248'h0};
    sa.auth_key = {248'h0, 8'hcd};
    sa.sel_dport = 16'h0101;
    if ($bits(sa) != 1536) errors++;
    if (sa[63:32] != 32'h12345678) errors++;
    if (sa[3] != 1'b1) errors++;
    if (sa[18:14] != 5'd16) errors++;
    if (sa[959:952] != 8'hab) errors++;     // enc_key first byte: top of bits 959:704
    if (sa[967:960] != 8'hcd) errors++;     // auth_key last byte: bottom of bits 1215:960
    if (sa[1535:1520] != 16'h0101) errors++;  // sel_dport: the last word
    flow = '0;
    flow.action = 2'd2;
    flow.sa_index0 = 16'h0007;
    flow.dst_port = 16'd4500;
    if ($bits(flow) != 352) errors++;
    if (flow[3:2] != 2'd2) errors++;
    if (flow[335:320] != 16'h0007) errors++;
    if (flow[63:48] != 16'd4500) errors++;
    flow.inbound = 1'b1;                    // the inbound table's entry: bit 6
    if (flow[7:6] != 2'b01) errors++;
    meta = '0;
    meta.reason = 8'd14;
    meta.pkt_len = 16'd9000;
    meta.direction = 1'b1;
    if ($bits(meta) != 64) errors++;
    if (meta[15:8] != 8'd14 || meta[47:32] != 16'd9000 || meta[0] != 1'b1) errors++;
    if (errors != 0) $fatal(1, "layout_check_tb: %0d layout mismatches", errors);
    $display("layout_check_tb: PASSED");
    $finish;
  end
endmodule

`default_nettype wire
