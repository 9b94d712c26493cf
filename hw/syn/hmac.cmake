# HMAC-SHA1 / HMAC-SHA-256 core: hierarchical synthesis of two parameter sets
# (64-bit input with 2 contexts; 512-bit input with 8 contexts).
set(HMAC_SYN_SOURCES
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_k_rom.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_round_s1.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_round_s2.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_ring.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_block_asm.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/hmac/hmac_sha_core.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/hmac/hmac_sha_core_x8.sv)

# The defaults are PAIRS=1, DATA_W=64; the 512-bit configuration is the
# fixed wrapper hmac_sha_core_x8 (a chparam'd top is renamed by yosys and
# then not found by `stat -top`).
aipsec_rtl_synth(NAME hmac_sha_core_p1_w64 TOP hmac_sha_core SOURCES ${HMAC_SYN_SOURCES})
aipsec_rtl_synth(NAME hmac_sha_core_p4_w512 TOP hmac_sha_core_x8 SOURCES ${HMAC_SYN_SOURCES} IN_SET)

# The control logic around the compression rounds and the block assembly
# (key-state store, inner/outer sequencing, ring load decision, tag output),
# flattened with sha_round_s1, sha_round_s2 and sha_block_asm as blackboxes
# (checked on their own by sha.cmake); the two round halves must sit between
# registers, so that their own depth is the whole of their clock.
set(HMAC_CHECKED_MODULES sha_round_s1 sha_round_s2 sha_block_asm)
aipsec_rtl_depth(NAME hmac_sha_core_control_w512 TOP hmac_sha_core_x8 SOURCES ${HMAC_SYN_SOURCES}
  BLACKBOX ${HMAC_CHECKED_MODULES} REGISTERED sha_round_s1 sha_round_s2
  CORE hmac_sha_core_p4_w512)
aipsec_rtl_depth(NAME hmac_sha_core_control_w64 TOP hmac_sha_core SOURCES ${HMAC_SYN_SOURCES}
  BLACKBOX ${HMAC_CHECKED_MODULES} REGISTERED sha_round_s1 sha_round_s2
  CORE hmac_sha_core_p1_w64)
