# AES encrypt/decrypt pipelines: hierarchical synthesis and per-stage depth.
set(AES_SYN_DIR ${PROJECT_SOURCE_DIR}/hw/rtl/aes)
set(AES_ENC_SOURCES ${AES_SYN_DIR}/aes_sbox.sv ${AES_SYN_DIR}/aes_sbox_rom2.sv ${AES_SYN_DIR}/aes_key_fwd_step.sv
  ${AES_SYN_DIR}/aes_enc_round.sv ${AES_SYN_DIR}/aes_enc_stage.sv ${AES_SYN_DIR}/aes_enc_pipe.sv)
set(AES_DEC_SOURCES ${AES_SYN_DIR}/aes_sbox.sv ${AES_SYN_DIR}/aes_sbox_rom2.sv ${AES_SYN_DIR}/aes_inv_sbox.sv ${AES_SYN_DIR}/aes_inv_sbox_rom2.sv
  ${AES_SYN_DIR}/aes_key_fwd_step.sv ${AES_SYN_DIR}/aes_key_inv_step.sv
  ${AES_SYN_DIR}/aes_dec_round.sv ${AES_SYN_DIR}/aes_dec_stage.sv ${AES_SYN_DIR}/aes_dec_pipe.sv)

# aipsec_aes_depth(NAME n TOP t SOURCES f.sv... [PARAMS P=V...] [CORE c] [BLACKBOX m...]
#                  [REGISTERED m...] [FED_BY_REGISTERS m...] [EXCEPT port=N...]
#                  [REGISTERED_OUTPUTS] [TIMEOUT s])
#   ctest rtl.depth.<n>: like aipsec_rtl_depth (synth.cmake), always through
#   scripts/lut_depth.py, with the checks that make stage checks compose:
#   REGISTERED_OUTPUTS (the top's outputs come straight from registers),
#   FED_BY_REGISTERS (blackboxes with no logic in front of their inputs: with
#   registered outputs of their own, every path through them is checked by
#   theirs or by this one) and EXCEPT (input ports of those blackboxes
#   allowed N levels in front: the clock enable ce, which only enables
#   flip-flops inside). Limit 6 LUT levels.
function(aipsec_aes_depth)
  cmake_parse_arguments(D "REGISTERED_OUTPUTS" "NAME;TOP;CORE;TIMEOUT"
    "SOURCES;PARAMS;BLACKBOX;REGISTERED;FED_BY_REGISTERS;EXCEPT" ${ARGN})
  if(NOT YOSYS_BIN OR NOT SYSTEM_PYTHON3_SYN)
    return()
  endif()
  if(NOT D_TIMEOUT)
    set(D_TIMEOUT 300)
  endif()
  if(NOT D_CORE)
    set(D_CORE ${D_NAME})
  endif()
  list(JOIN D_SOURCES " " srcs)
  _aipsec_yosys_params(params ${D_TOP} ${D_PARAMS})
  string(REPLACE "; " "\n" ys_params "${params}")
  set(ys ${AIPSEC_SYN_REPORT_DIR}/${D_NAME}.depth.ys)
  set(json ${AIPSEC_SYN_REPORT_DIR}/${D_NAME}.depth.json)
  set(bb "")
  if(D_BLACKBOX)
    list(JOIN D_BLACKBOX " " bb_words)
    set(bb "blackbox ${bb_words}\n")
  endif()
  file(WRITE ${ys} "read_verilog -sv ${srcs}\n${bb}${ys_params}synth -flatten -top ${D_TOP} -lut 6\nwrite_json ${json}\n")
  list(JOIN D_BLACKBOX "," cut)
  list(JOIN D_REGISTERED "," reg)
  list(JOIN D_FED_BY_REGISTERS "," fed)
  set(args --yosys ${YOSYS_BIN} --script ${ys} --json ${json} --top ${D_TOP} --cut=${cut}
    --registered=${reg} --fed-by-registers=${fed} --max 6 --out ${AIPSEC_SYN_REPORT_DIR}/${D_NAME}.depth --core ${D_CORE})
  foreach(e ${D_EXCEPT})
    list(APPEND args --registered-except ${e})
  endforeach()
  if(D_REGISTERED_OUTPUTS)
    list(APPEND args --registered-outputs)
  endif()
  _aipsec_defer_test(rtl.depth.${D_NAME} ${D_TIMEOUT}
    ${SYSTEM_PYTHON3_SYN} ${AIPSEC_SYN_SCRIPTS}/lut_depth.py ${args})
endfunction()

# The pipelines are synthesized inside gcm_core and the CBC cores at every
# scale; their standalone tests run at full scale only (time budget at ci).
foreach(lanes 1 4)
  aipsec_rtl_synth(NAME aes_enc_pipe_x${lanes} TOP aes_enc_pipe SOURCES ${AES_ENC_SOURCES}
    PARAMS LANES=${lanes} FULL_SCALE_ONLY)
  aipsec_rtl_synth(NAME aes_dec_pipe_x${lanes} TOP aes_dec_pipe SOURCES ${AES_DEC_SOURCES}
    PARAMS LANES=${lanes} FULL_SCALE_ONLY)
endforeach()

# Stage 0 forms the key window from the raw key and runs the first key step
# with S-boxes in LUTs; with the pipeline's inputs wired straight to it (the
# control checks below) its own check covers every path from the pipeline's
# inputs. Its outputs must be registers, so the next stage's check starts at
# them.
aipsec_aes_depth(NAME aes_enc_stage0 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
  PARAMS STAGE=0 LANES=1 CORE aes_enc_pipe_x1 REGISTERED_OUTPUTS)
aipsec_aes_depth(NAME aes_dec_stage0 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
  PARAMS STAGE=0 LANES=1 CORE aes_dec_pipe_x1 REGISTERED_OUTPUTS)
# The pipelines' own logic with the stages as blackboxes: flow control (one
# clock enable, from the last valid and m_axis_tready) and nothing but wiring
# between the ports and the stages or between two stages, so that no path
# crosses a stage boundary through logic (only ce, which enables flip-flops
# and nothing else inside a stage, may have a level or two).
aipsec_aes_depth(NAME aes_enc_pipe_control TOP aes_enc_pipe SOURCES ${AES_ENC_SOURCES}
  PARAMS LANES=1 CORE aes_enc_pipe_x1 BLACKBOX aes_enc_stage FED_BY_REGISTERS aes_enc_stage EXCEPT ce=2)
aipsec_aes_depth(NAME aes_dec_pipe_control TOP aes_dec_pipe SOURCES ${AES_DEC_SOURCES}
  PARAMS LANES=1 CORE aes_dec_pipe_x1 BLACKBOX aes_dec_stage FED_BY_REGISTERS aes_dec_stage EXCEPT ce=2)

# Not composed: encryption stages 10..13 and decryption stages 15..18 pick
# their output by key size after their registers (the pass value cannot
# enter the ROM's output register), one level that adds to the next stage's
# (docs/hw/crypto-cores.md, AES pipelines). Each such boundary is checked as
# a pair of stages flattened together: at ci the deepest (decryption 17/18,
# found by flattening the whole cbc_dec) and one of encryption; at full
# every one of them.
set(AES_DEC_PAIR ${PROJECT_SOURCE_DIR}/tests/rtl/aes/aes_dec_stage_pair.sv)
set(AES_ENC_PAIR ${PROJECT_SOURCE_DIR}/tests/rtl/aes/aes_enc_stage_pair.sv)
aipsec_aes_depth(NAME aes_dec_stage17_18 TOP aes_dec_stage_pair SOURCES ${AES_DEC_SOURCES} ${AES_DEC_PAIR}
  PARAMS FIRST=17 CORE aes_dec_pipe_x1)
aipsec_aes_depth(NAME aes_enc_stage10_11 TOP aes_enc_stage_pair SOURCES ${AES_ENC_SOURCES} ${AES_ENC_PAIR}
  PARAMS FIRST=10 CORE aes_enc_pipe_x1)
if(AIPSEC_RTL_CI_SCALE STREQUAL "full")
  foreach(first 15 16 18)
    math(EXPR second "${first} + 1")
    aipsec_aes_depth(NAME aes_dec_stage${first}_${second} TOP aes_dec_stage_pair
      SOURCES ${AES_DEC_SOURCES} ${AES_DEC_PAIR} PARAMS FIRST=${first} CORE aes_dec_pipe_x1)
  endforeach()
  foreach(first 11 12 13)
    math(EXPR second "${first} + 1")
    aipsec_aes_depth(NAME aes_enc_stage${first}_${second} TOP aes_enc_stage_pair
      SOURCES ${AES_ENC_SOURCES} ${AES_ENC_PAIR} PARAMS FIRST=${first} CORE aes_enc_pipe_x1)
  endforeach()
endif()

# Round 10 is the deepest encryption stage (full or final round by key size,
# plus a key-schedule step); round 9 and round 13 (pass-through for AES-128)
# cover the decryption stages.
aipsec_rtl_depth(NAME aes_enc_stage10 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
  PARAMS STAGE=10 LANES=1 CORE aes_enc_pipe_x1)
aipsec_rtl_depth(NAME aes_dec_stage20 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
  PARAMS STAGE=20 LANES=1 CORE aes_dec_pipe_x1)
if(AIPSEC_RTL_CI_SCALE STREQUAL "full")
  aipsec_rtl_depth(NAME aes_enc_stage5 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
    PARAMS STAGE=5 LANES=1 CORE aes_enc_pipe_x1)
  aipsec_rtl_depth(NAME aes_enc_stage14 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
    PARAMS STAGE=14 LANES=1 CORE aes_enc_pipe_x1)
  aipsec_rtl_depth(NAME aes_dec_stage13 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
    PARAMS STAGE=13 LANES=1 CORE aes_dec_pipe_x1)
  aipsec_rtl_depth(NAME aes_dec_stage16 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
    PARAMS STAGE=16 LANES=1 CORE aes_dec_pipe_x1)
  aipsec_rtl_depth(NAME aes_dec_stage28 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
    PARAMS STAGE=28 LANES=1 CORE aes_dec_pipe_x1)
endif()
