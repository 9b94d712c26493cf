// Watches gcm_core's output (the AAD block, then the plaintext) as it goes
// into the plaintext buffer and records, per packet, what the verdict needs
// once the ICV is known: the tag check, the ESP trailer (pad length, next
// header) and the padding checks of both checked pad modes (RFC 4303 2.4),
// and the first plaintext bytes (inner headers, ports).
//
// Padding of any length (0..255) is checked without buffering it: per byte a
// flag says whether it continues a run (zero mode: the byte is 0; sequential
// mode: byte - stream position is the same as for the byte before, so bytes
// 1, 2, 3.. form one run), a counter carries the run across beats, and at the
// last beat the run ending at the last padding byte is measured. Sequential
// padding of length pad is correct when that byte is pad and the run before
// it is at least pad-1 long; zero padding when at least pad zero bytes end there.
`default_nettype none

module aipsec_inbound_tail #(
  parameter int DATA_W = 128
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire logic [DATA_W-1:0] s_tdata,
  input  wire logic [KW-1:0]     s_tkeep,
  input  wire logic              s_tlast,
  input  wire logic              s_tag_ok,
  input  wire logic              s_tvalid,
  output      logic              s_tready,

  output      logic [DATA_W-1:0] m_buf_tdata,
  output      logic [KW-1:0]     m_buf_tkeep,
  output      logic              m_buf_tlast,
  output      logic              m_buf_tvalid,
  input  wire logic              m_buf_tready,

  output      aipsec_inbound_pkg::tail_t m_tail,
  output      logic              m_tail_valid,
  input  wire logic              m_tail_ready
);
  localparam int KW = DATA_W / 8;
  localparam int CAP = aipsec_inbound_pkg::CAP_BYTES;
  localparam int CAP_BEATS = (16 + CAP + KW - 1) / KW;
  localparam logic [9:0] RUN_MAX = 10'd1023;

  logic [15:0] spos;                 // stream offset of this beat
  logic [7:0]  beat_idx;             // saturating
  logic [DATA_W-1:0] prev;
  logic [KW-1:0] fz_prev, fs_prev;
  logic [9:0]  rz_end, rs_end;       // runs at the end of the previous beat
  logic [9:0]  rz_before, rs_before; // runs before the previous beat
  logic [7:0]  v_last;               // byte - position of the previous beat's last byte
  logic [CAP*8-1:0] head;

  assign s_tready = m_buf_tready && (!s_tlast || m_tail_ready);
  wire go = s_tvalid && s_tready;

  assign m_buf_tdata = s_tdata;
  assign m_buf_tkeep = s_tkeep;
  assign m_buf_tlast = s_tlast;
  assign m_buf_tvalid = s_tvalid && (!s_tlast || m_tail_ready);

  /* verilator lint_off UNUSEDSIGNAL */  // b is at most KEEP_W
  function automatic logic [9:0] sat_add(input logic [9:0] a, input int b);
    logic [10:0] s;
    s = 11'(a) + 11'(b);
    sat_add = s > 11'(RUN_MAX) ? RUN_MAX : s[9:0];
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // Run of ones in f ending at lane (inclusive), continuing run_in when the
  // whole range 0..lane is ones.
  function automatic logic [9:0] run_at(input logic [KW-1:0] f, input int lane, input logic [9:0] run_in);
    int z;
    z = -1;
    for (int j = 0; j < KW; j = j + 1) begin
      if (j <= lane && !f[j]) z = j;
    end
    run_at = z >= 0 ? 10'(lane - z) : sat_add(run_in, lane + 1);
  endfunction

  logic [KW-1:0] fz, fs;
  logic [7:0] v [0:KW-1];
  logic [CAP*8-1:0] head_next;
  logic [KW:0] cnt;
  always_comb begin
    for (int j = 0; j < KW; j = j + 1) begin
      v[j] = s_tdata[8*j +: 8] - 8'(spos + 16'(j));
      fz[j] = s_tdata[8*j +: 8] == 8'd0;
    end
    fs[0] = v[0] == v_last;
    for (int j = 1; j < KW; j = j + 1) fs[j] = v[j] == v[j-1];
    head_next = head;
    for (int k = 0; k < CAP; k = k + 1) begin
      if (32'(beat_idx) == (16 + k) / KW) head_next[8*k +: 8] = s_tdata[8*((16 + k) % KW) +: 8];
    end
    cnt = '0;
    for (int j = 0; j < KW; j = j + 1) cnt = cnt + (KW+1)'(s_tkeep[j]);
  end

  // Trailer positions (stream offsets) on the last beat.
  wire [15:0] total = spos + 16'(cnt);
  wire [15:0] p_nh = total - 16'd1;
  wire [15:0] p_pad = total - 16'd2;
  wire [15:0] p_last = total - 16'd3;

  function automatic logic [7:0] byte_at(input logic [15:0] q, input logic [15:0] sp,
                                         input logic [DATA_W-1:0] cur, input logic [DATA_W-1:0] pr);
    byte_at = q >= sp ? cur[8*(32'(16'(q - sp)) % KW) +: 8] : pr[8*(32'(16'(q + 16'(KW) - sp)) % KW) +: 8];
  endfunction

  always_comb begin
    m_tail.tag_ok = s_tag_ok;
    m_tail.next_hdr = byte_at(p_nh, spos, s_tdata, prev);
    m_tail.pad_len = byte_at(p_pad, spos, s_tdata, prev);
    m_tail.pad_last = byte_at(p_last, spos, s_tdata, prev);
    if (p_last >= spos) begin
      m_tail.zero_run = run_at(fz, 32'(16'(p_last - spos)), rz_end);
      m_tail.seq_run = run_at(fs, 32'(16'(p_last - spos)), rs_end);
    end else begin
      m_tail.zero_run = run_at(fz_prev, 32'(16'(p_last + 16'(KW) - spos)), rz_before);
      m_tail.seq_run = run_at(fs_prev, 32'(16'(p_last + 16'(KW) - spos)), rs_before);
    end
    m_tail.head = head_next;
  end
  assign m_tail_valid = s_tvalid && s_tlast && m_buf_tready;

  always_ff @(posedge clk) begin
    if (rst) begin
      spos <= '0;
      beat_idx <= '0;
      rz_end <= '0;
      rs_end <= '0;
      v_last <= '0;
      head <= '0;
    end else if (go) begin
      if (s_tlast) begin
        spos <= '0;
        beat_idx <= '0;
        rz_end <= '0;
        rs_end <= '0;
        v_last <= '0;
        head <= '0;
      end else begin
        spos <= spos + 16'(KW);
        if (32'(beat_idx) < CAP_BEATS) beat_idx <= beat_idx + 8'd1;
        rz_before <= rz_end;
        rs_before <= rs_end;
        rz_end <= run_at(fz, KW - 1, rz_end);
        rs_end <= run_at(fs, KW - 1, rs_end);
        fz_prev <= fz;
        fs_prev <= fs;
        prev <= s_tdata;
        v_last <= v[KW-1];
        head <= head_next;
      end
    end
  end
endmodule
