# The 512-bit card's crypto cores synthesised together (crypto_set_w512: the
# IN_SET cores of gcm.cmake, cbc.cmake and hmac.cmake under one top). The
# cores' sources overlap (the AES modules), so each file is read once. As
# long as gcm_core_w512 alone (about 15 minutes hierarchical), so full scale only.
set(CRYPTO_SET_SOURCES ${GCM_SYN_SOURCES} ${CBC_ENC_SOURCES} ${CBC_DEC_SOURCES} ${HMAC_SYN_SOURCES}
  ${CMAKE_CURRENT_LIST_DIR}/rtl/crypto_set_w512.sv)
list(REMOVE_DUPLICATES CRYPTO_SET_SOURCES)
aipsec_rtl_synth(NAME crypto_set_w512 TOP crypto_set_w512 SOURCES ${CRYPTO_SET_SOURCES}
  WHOLE_SET FULL_SCALE_ONLY TIMEOUT 5400)
