# SHA-1/SHA-256 compression stages: LUT depth of each per-stage module.
set(SHA_SYN_DIR ${PROJECT_SOURCE_DIR}/hw/rtl/sha)
set(SHA_SYN_SOURCES ${SHA_SYN_DIR}/sha_k_rom.sv ${SHA_SYN_DIR}/sha_round_s1.sv
  ${SHA_SYN_DIR}/sha_round_s2.sv ${SHA_SYN_DIR}/sha_ring.sv ${SHA_SYN_DIR}/sha_block_asm.sv)

# The two halves of a round: each holds one carry-propagate adder.
aipsec_rtl_depth(NAME sha_round_s1 TOP sha_round_s1 SOURCES ${SHA_SYN_SOURCES}
  CORE hmac_sha_core_p1_w64)
aipsec_rtl_depth(NAME sha_round_s2 TOP sha_round_s2 SOURCES ${SHA_SYN_SOURCES}
  CORE hmac_sha_core_p1_w64)
# Block assembly and padding at the narrowest and the widest input.
aipsec_rtl_depth(NAME sha_block_asm_w64 TOP sha_block_asm SOURCES ${SHA_SYN_SOURCES}
  PARAMS DATA_W=64 CORE hmac_sha_core_p1_w64)
if(AIPSEC_RTL_CI_SCALE STREQUAL "full")
  aipsec_rtl_depth(NAME sha_block_asm_w512 TOP sha_block_asm SOURCES ${SHA_SYN_SOURCES}
    PARAMS DATA_W=512 CORE hmac_sha_core_p4_w512)
endif()
