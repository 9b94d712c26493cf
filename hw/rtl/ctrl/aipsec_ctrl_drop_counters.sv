// One 64-bit counter per reason code, incremented by one drop or exception
// event per cycle; read through a combinational select.
`default_nettype none

module aipsec_ctrl_drop_counters #(
  parameter int COUNT = 27,   // reason codes
  parameter int CODE_W = 8    // width of a reason code
) (
  input  wire logic              clk,
  input  wire logic              rst,
  input  wire logic              event_valid,
  input  wire logic [CODE_W-1:0] event_code,
  input  wire logic [CODE_W-1:0] rd_code,
  output      logic [63:0]       rd_value
);

  initial begin
    if (COUNT < 1 || COUNT > (1 << CODE_W)) begin
      $error("aipsec_ctrl_drop_counters: COUNT must fit CODE_W bits");
      $finish;
    end
  end

  logic [63:0] count_reg [0:COUNT-1];

  always_ff @(posedge clk) begin
    for (int c = 0; c < COUNT; c++) begin
      if (rst) begin
        count_reg[c] <= '0;
      end else if (event_valid && event_code == CODE_W'(c)) begin
        count_reg[c] <= count_reg[c] + 64'd1;
      end
    end
  end

  always_comb begin
    rd_value = '0;
    for (int c = 0; c < COUNT; c++) begin
      if (rd_code == CODE_W'(c)) begin
        rd_value = count_reg[c];
      end
    end
  end

endmodule

`default_nettype wire
