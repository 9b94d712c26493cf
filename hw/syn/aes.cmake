# AES encrypt/decrypt pipelines: hierarchical synthesis and per-stage depth.
set(AES_SYN_DIR ${PROJECT_SOURCE_DIR}/hw/rtl/aes)
set(AES_ENC_SOURCES ${AES_SYN_DIR}/aes_sbox.sv ${AES_SYN_DIR}/aes_sbox_rom2.sv ${AES_SYN_DIR}/aes_key_fwd_step.sv
  ${AES_SYN_DIR}/aes_enc_round.sv ${AES_SYN_DIR}/aes_enc_stage.sv ${AES_SYN_DIR}/aes_enc_pipe.sv)
set(AES_DEC_SOURCES ${AES_SYN_DIR}/aes_sbox.sv ${AES_SYN_DIR}/aes_sbox_rom2.sv ${AES_SYN_DIR}/aes_inv_sbox.sv ${AES_SYN_DIR}/aes_inv_sbox_rom2.sv
  ${AES_SYN_DIR}/aes_key_fwd_step.sv ${AES_SYN_DIR}/aes_key_inv_step.sv
  ${AES_SYN_DIR}/aes_dec_round.sv ${AES_SYN_DIR}/aes_dec_stage.sv ${AES_SYN_DIR}/aes_dec_pipe.sv)

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
aipsec_rtl_depth(NAME aes_enc_stage0 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
  PARAMS STAGE=0 LANES=1 CORE aes_enc_pipe_x1 REGISTERED_OUTPUTS)
aipsec_rtl_depth(NAME aes_dec_stage0 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
  PARAMS STAGE=0 LANES=1 CORE aes_dec_pipe_x1 REGISTERED_OUTPUTS)
# The pipelines' own logic with the stages as blackboxes: flow control (one
# clock enable, from the last valid and m_axis_tready) and nothing but wiring
# between the ports and the stages or between two stages, so that no path
# crosses a stage boundary through logic (only ce, which enables flip-flops
# and nothing else inside a stage, may have a level or two).
aipsec_rtl_depth(NAME aes_enc_pipe_control TOP aes_enc_pipe SOURCES ${AES_ENC_SOURCES}
  PARAMS LANES=1 CORE aes_enc_pipe_x1 BLACKBOX aes_enc_stage FED_BY_REGISTERS aes_enc_stage EXCEPT ce=2)
aipsec_rtl_depth(NAME aes_dec_pipe_control TOP aes_dec_pipe SOURCES ${AES_DEC_SOURCES}
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
aipsec_rtl_depth(NAME aes_dec_stage17_18 TOP aes_dec_stage_pair SOURCES ${AES_DEC_SOURCES} ${AES_DEC_PAIR}
  PARAMS FIRST=17 CORE aes_dec_pipe_x1)
aipsec_rtl_depth(NAME aes_enc_stage10_11 TOP aes_enc_stage_pair SOURCES ${AES_ENC_SOURCES} ${AES_ENC_PAIR}
  PARAMS FIRST=10 CORE aes_enc_pipe_x1)
if(AIPSEC_RTL_CI_SCALE STREQUAL "full")
  foreach(first 15 16 18)
    math(EXPR second "${first} + 1")
    aipsec_rtl_depth(NAME aes_dec_stage${first}_${second} TOP aes_dec_stage_pair
      SOURCES ${AES_DEC_SOURCES} ${AES_DEC_PAIR} PARAMS FIRST=${first} CORE aes_dec_pipe_x1)
  endforeach()
  foreach(first 11 12 13)
    math(EXPR second "${first} + 1")
    aipsec_rtl_depth(NAME aes_enc_stage${first}_${second} TOP aes_enc_stage_pair
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
