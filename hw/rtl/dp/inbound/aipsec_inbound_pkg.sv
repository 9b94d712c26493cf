// Types of the inbound (ESP decapsulation) path, hw/rtl/dp/inbound
// (docs/hw/datapath.md, inbound path).
`default_nettype none

package aipsec_inbound_pkg;

  // What the engine does with a frame, decided before decryption.
  localparam logic [2:0] JOB_DECRYPT = 3'd0;  // ESP for an SA the card serves
  localparam logic [2:0] JOB_PASS    = 3'd1;  // non-IPsec (bypass flow, or from the host): plain side unchanged
  localparam logic [2:0] JOB_HOST    = 3'd2;  // exception: to the host unchanged with a reason
  localparam logic [2:0] JOB_DROP    = 3'd3;  // counted drop
  localparam logic [2:0] JOB_MIRROR  = 3'd4;  // counted drop, a copy to the host (mirrored)

  // Tag of a replay memory word: SA epoch (bumped by every SA write, so an
  // SA write clears its window without touching the memory) and the number of
  // the 64-bit word of sequence space (seq / 64) the bits belong to.
  localparam int EPOCH_W = 16;
  localparam int RWORD_TAG_W = EPOCH_W + 58;
  localparam int RWORD_W = RWORD_TAG_W + 64;

  // aipsec_dp_pkg::HDR_BYTES (repeated: a package parameter in another
  // package's type is not accepted by every tool; the top checks they agree).
  localparam int HDR_BYTES = 128;

  // One frame's job, from the classifier to the engine (reader and output).
  typedef struct packed {
    logic [2:0]    kind;
    logic [7:0]    reason;
    logic          idx_valid;      // sa_idx names the SA (meta index_kind sa)
    logic          idx_flow;       // ... or, with idx_valid, an inbound flow entry (index_kind flow)
    logic [15:0]   sa_idx;
    logic [63:0]   tuser;          // packet_meta of the frame as received
    logic [15:0]   frame_len;
    logic [HDR_BYTES*8-1:0] hdr;  // the frame's first bytes
    logic [7:0]    l3_off;
    logic [7:0]    l3_hdr_len;
    logic [7:0]    nh_off;
    logic          ipv6;           // outer family
    logic [7:0]    esp_off;
    logic [127:0]  src;            // outer addresses (transport selectors)
    logic [127:0]  dst;
    logic [15:0]   esp_len;        // ESP header to ICV end, bytes (lifetimes)
    logic [15:0]   text_len;       // ciphertext bytes (payload, padding, pad length, next header)
    logic [4:0]    icv_len;
    logic [63:0]   seq;            // inferred 64-bit sequence number
    // SA snapshot
    logic [255:0]  key;            // AXI byte order for gcm_core
    logic          key_256;
    logic [31:0]   salt;
    logic [31:0]   spi;
    logic          tunnel;
    logic          esn;
    logic [1:0]    pad_mode;
    logic          sel_check;
    logic [7:0]    sel_proto;
    logic          sel_ipv6;
    logic [127:0]  sel_src;
    logic [127:0]  sel_dst;
    logic [7:0]    sel_src_plen;
    logic [7:0]    sel_dst_plen;
    logic [15:0]   sel_sport;
    logic [15:0]   sel_dport;
    logic [15:0]   replay_window;
    logic [15:0]   replay_base;
    logic [31:0]   soft_packets;
    logic [31:0]   hard_packets;
    logic [63:0]   soft_bytes;
    logic [63:0]   hard_bytes;
    // settings sampled when the frame was classified
    logic          mirror_replay;
    logic          mirror_icv_fail;
    logic          ecn;
  } job_t;

  // What the GCM output stage learnt about one decrypted packet.
  localparam int CAP_BYTES = 64;   // first plaintext bytes kept (inner headers, ports)
  typedef struct packed {
    logic          tag_ok;
    logic [7:0]    pad_len;
    logic [7:0]    next_hdr;
    logic [7:0]    pad_last;       // byte before pad_len (the last padding byte)
    logic [9:0]    zero_run;       // zero bytes ending at the last padding byte
    logic [9:0]    seq_run;        // bytes ending there that continue a 1,2,3.. run
    logic [CAP_BYTES*8-1:0] head;  // plaintext byte i in head[8*i +: 8]
  } tail_t;

  // Ring of replay words of an SA: the smallest power of two that holds
  // ceil(window / 64) + 1 words (the host reserves that many from replay_base).
  function automatic logic [15:0] ring_mask(input logic [15:0] window);
    // The smallest power of two (at least 2) above ceil(window / 64), less
    // one: every bit at or below the highest set bit of ceil(window / 64),
    // and bit 0 (no doubling loop: a loop of compares is a long chain).
    logic [16:0] c;
    logic [15:0] m;
    c = 17'((window + 16'd63) >> 6);
    for (int i = 0; i < 16; i = i + 1) m[i] = |(c >> i);
    ring_mask = m | 16'd1;
  endfunction

  /* verilator lint_off UNUSEDSIGNAL */  // bits of seq above the ring are the tag's
  function automatic logic [15:0] replay_addr(input logic [15:0] base, input logic [15:0] window,
                                              input logic [63:0] seq);
    replay_addr = base + (seq[21:6] & ring_mask(window));
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // RFC 4303 Appendix A.2.2, as the host's ReplayWindow::infer: the high 32
  // bits of the sequence number from the low 32 and the highest accepted
  // number top; 0 when the result would precede 1 or pass 2^64.
  function automatic logic [63:0] esn_infer(input logic esn, input logic [15:0] window,
                                            input logic [63:0] top, input logic [31:0] seq_lo);
    logic [32:0] w;
    logic [31:0] th, tl, bottom;
    logic [32:0] hi;
    w = window != 16'd0 ? 33'(window) : 33'h080000000;
    th = top[63:32];
    tl = top[31:0];
    bottom = tl - 32'(w - 33'd1);
    esn_infer = {32'd0, seq_lo};
    if (esn) begin
      if (33'(tl) >= w - 33'd1) begin
        hi = seq_lo >= bottom ? 33'(th) : 33'(th) + 33'd1;
      end else if (seq_lo >= bottom) begin
        hi = th == 32'd0 ? 33'h1ffffffff : 33'(th) - 33'd1;
      end else begin
        hi = 33'(th);
      end
      esn_infer = hi[32] ? 64'd0 : {hi[31:0], seq_lo};
    end
  endfunction

  // Replay check of ReplayWindow::check against one memory word (tag + bits).
  function automatic logic [7:0] replay_check(input logic [15:0] window, input logic [63:0] top,
                                              input logic [63:0] seq, input logic [EPOCH_W-1:0] epoch,
                                              input logic [RWORD_W-1:0] word);
    replay_check = aipsec_regs_pkg::REASON_NONE;
    if (window != 16'd0) begin
      if (seq == 64'd0) begin
        replay_check = aipsec_regs_pkg::REASON_REPLAY_OLD;
      end else if (seq <= top) begin
        if (top - seq >= 64'(window)) replay_check = aipsec_regs_pkg::REASON_REPLAY_OLD;
        // top is always a number already accepted (an SA write sets it to the
        // host's highest accepted number, whose bit is not in the memory)
        else if (seq == top || (word[RWORD_W-1:64] == {epoch, seq[63:6]} && word[{2'b00, seq[5:0]}]))
          replay_check = aipsec_regs_pkg::REASON_REPLAY;
      end
    end
  endfunction

endpackage
