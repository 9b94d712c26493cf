# AES-GCM/GMAC core: hierarchical synthesis at 128/256/512 bits, depth of the
# GHASH stages.
set(GCM_SYN_SOURCES
  ${PROJECT_SOURCE_DIR}/hw/rtl/aes/aes_sbox.sv ${PROJECT_SOURCE_DIR}/hw/rtl/aes/aes_sbox_rom2.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/aes/aes_key_fwd_step.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/aes/aes_enc_round.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/aes/aes_enc_stage.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/aes/aes_enc_pipe.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/gcm/gf128_mul_raw.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/gcm/gf128_reduce.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/gcm/gcm_lane_products.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/gcm/gcm_ghash_loop.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/gcm/gcm_core.sv)

aipsec_rtl_synth(NAME gcm_core_w128 TOP gcm_core SOURCES ${GCM_SYN_SOURCES} PARAMS DATA_W=128)
aipsec_rtl_synth(NAME gcm_core_w256 TOP gcm_core SOURCES ${GCM_SYN_SOURCES} PARAMS DATA_W=256 FULL_SCALE_ONLY)
aipsec_rtl_synth(NAME gcm_core_w512 TOP gcm_core SOURCES ${GCM_SYN_SOURCES} PARAMS DATA_W=512 IN_SET FULL_SCALE_ONLY
  TIMEOUT 3600)

# The GHASH feedback stage (one multiply + reduction + XOR in the loop) is
# the deepest GCM stage; the lane products stage is two levels of XOR tree
# shallower per lane.
aipsec_rtl_depth(NAME gcm_ghash_loop TOP gcm_ghash_loop SOURCES ${GCM_SYN_SOURCES} CORE gcm_core_w512)
aipsec_rtl_depth(NAME gcm_lane_products_x1 TOP gcm_lane_products SOURCES ${GCM_SYN_SOURCES}
  PARAMS LANES=1 CORE gcm_core_w128)
if(AIPSEC_RTL_CI_SCALE STREQUAL "full")
  aipsec_rtl_depth(NAME gcm_lane_products_x4 TOP gcm_lane_products SOURCES ${GCM_SYN_SOURCES}
    PARAMS LANES=4 CORE gcm_core_w512)
endif()

# Everything else in gcm_core (stages A, B, C, the tail's carries, operand
# selection, tag and compare, the AES pipeline's own control, flow control):
# the whole core flattened with the modules checked on their own (above and
# in aes.cmake) as blackboxes. The GF(2^128) blocks are combinational and
# must sit between registers, so that their own depth is the stage's. Every
# output (s_axis_tready included) comes straight from a register, so a client's
# logic behind the core's ports starts at a register.
set(GCM_CHECKED_MODULES aes_enc_stage gcm_ghash_loop gcm_lane_products gf128_mul_raw gf128_reduce)
set(GCM_CHECKED_COMB gcm_lane_products gf128_mul_raw gf128_reduce)
# About 40 s at 128 bits and 80 s at 512 bits on this machine.
aipsec_rtl_depth(NAME gcm_core_control TOP gcm_core SOURCES ${GCM_SYN_SOURCES} PARAMS DATA_W=128
  BLACKBOX ${GCM_CHECKED_MODULES} REGISTERED ${GCM_CHECKED_COMB} REGISTERED_OUTPUTS CORE gcm_core_w128)
aipsec_rtl_depth(NAME gcm_core_control_w512 TOP gcm_core SOURCES ${GCM_SYN_SOURCES} PARAMS DATA_W=512
  BLACKBOX ${GCM_CHECKED_MODULES} REGISTERED ${GCM_CHECKED_COMB} REGISTERED_OUTPUTS CORE gcm_core_w512)
if(AIPSEC_RTL_CI_SCALE STREQUAL "full")
  aipsec_rtl_depth(NAME gcm_core_control_w256 TOP gcm_core SOURCES ${GCM_SYN_SOURCES} PARAMS DATA_W=256
    BLACKBOX ${GCM_CHECKED_MODULES} REGISTERED ${GCM_CHECKED_COMB} REGISTERED_OUTPUTS CORE gcm_core_w256)
endif()
