// Types private to the outbound path (docs/hw/datapath.md, outbound path).
`default_nettype none

package aipsec_ob_pkg;

  // Bytes of the prebuilt output header: Ethernet with two VLAN tags (22) and
  // the IP header chain, which the parser sees within HDR_BYTES (128), plus
  // the NAT-T UDP header (8) and SPI, sequence number and IV (16).
  localparam int HDR_MAX = 152;

  // What the frame dispatcher does with a frame.
  localparam logic [1:0] ACT_DROP = 2'd0;     // consume, send nothing
  localparam logic [1:0] ACT_NET = 2'd1;      // unchanged to m_axis (bypass)
  localparam logic [1:0] ACT_HOST = 2'd2;     // unchanged to m_host (exception)
  localparam logic [1:0] ACT_PROTECT = 2'd3;  // ESP encapsulation to m_axis

  // One frame's instructions, from the decision stage to the dispatcher.
  typedef struct packed {
    logic                 src;        // 0: plain port ingress, 1: host ingress
    logic [1:0]           act;
    logic [63:0]          tuser;      // packet_meta of the frame sent
    // ACT_PROTECT only:
    logic [15:0]          pay_start;  // frame offset of the bytes to encrypt
    logic [15:0]          pay_len;
    logic [1:0]           pad_len;    // ESP padding bytes (4-byte alignment)
    logic                 pad_zero;   // 1: zero padding; 0: 1, 2, 3
    logic [7:0]           next_hdr;
    logic [95:0]          aad;        // SPI || [seq_hi ||] seq_lo, byte 0 in [7:0]
    logic                 esn;        // AAD of 12 bytes, else 8
    logic [255:0]         key;        // AXI byte order (gcm_core)
    logic                 key_256;
    logic [95:0]          nonce;      // salt || IV, AXI byte order
    logic [4:0]           icv_len;
    logic [7:0]           hdr_len;
    logic [HDR_MAX*8-1:0] hdr;        // output bytes in front of the ciphertext
  } ob_cmd_t;

  // The outbound packet-metadata word (aipsec_dp_pkg::packet_meta).
  function automatic logic [63:0] meta(
      input logic [1:0] port, input logic index_kind, input logic exception,
      input logic event_flag, input logic [7:0] reason, input logic [15:0] index,
      input logic [15:0] pkt_len, input logic [7:0] l3_offset);
    meta = aipsec_dp_pkg::packet_meta(aipsec_regs_pkg::PACKET_META_DIRECTION_OUTBOUND, port, index_kind,
                                      exception, 1'b0, event_flag, reason, index, pkt_len, l3_offset);
  endfunction

  // aipsec_regs_pkg::PACKET_META_PORT_* and _INDEX_KIND_* (yosys 0.23 takes no
  // other package's constant in a package's localparam).
  localparam logic [1:0] PORT_PLAIN = 2'd0;
  localparam logic [1:0] PORT_HOST = 2'd2;
  localparam logic KIND_SA = 1'b0;
  localparam logic KIND_FLOW = 1'b1;

endpackage

`default_nettype wire
