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
