# Runs hw/gen/aipsec_gen.py on hw/spec/*.yaml. Included once (from
# driver/CMakeLists.txt, configured before hw/ and tests/). Generation happens
# at configure time because verilate() reads its SV sources then; any change to
# the spec or the generator re-runs the configure step on the next build.
#
# Sets (cache, internal):
#   AIPSEC_REGS_PKG       generated SystemVerilog package (aipsec_regs_pkg.sv)
#   AIPSEC_REGS_INCLUDE   include directory holding aipsec/card_regs.hpp
#   AIPSEC_BUILD_DATE     build time, Unix seconds (SOURCE_DATE_EPOCH if set)
#   AIPSEC_GIT_HASH       first 8 hex digits of HEAD, 00000000 outside git
find_program(AIPSEC_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
set(_gen_dir ${CMAKE_CURRENT_LIST_DIR})
set(_spec_dir ${PROJECT_SOURCE_DIR}/hw/spec)
set(AIPSEC_REGS_PKG ${PROJECT_BINARY_DIR}/hw/gen/aipsec_regs_pkg.sv CACHE INTERNAL "")
set(AIPSEC_REGS_INCLUDE ${PROJECT_BINARY_DIR}/driver/include CACHE INTERNAL "")

file(GLOB _gen_inputs CONFIGURE_DEPENDS ${_spec_dir}/*.yaml ${_gen_dir}/*.py)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_gen_inputs})

execute_process(
  COMMAND ${AIPSEC_PYTHON3} -B ${_gen_dir}/aipsec_gen.py --spec ${_spec_dir}
    --sv ${AIPSEC_REGS_PKG} --cpp ${AIPSEC_REGS_INCLUDE}/aipsec/card_regs.hpp
  RESULT_VARIABLE _gen_rc
  ERROR_VARIABLE _gen_err)
if(NOT _gen_rc EQUAL 0)
  message(FATAL_ERROR "hw/gen/aipsec_gen.py failed (python3-yaml installed?):\n${_gen_err}")
endif()

string(TIMESTAMP _date "%s" UTC)
set(AIPSEC_BUILD_DATE ${_date} CACHE INTERNAL "")
execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} rev-parse --short=8 HEAD
  OUTPUT_VARIABLE _hash OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR NOT _hash MATCHES "^[0-9a-f]+$")
  set(_hash 00000000)
endif()
set(AIPSEC_GIT_HASH ${_hash} CACHE INTERNAL "")

# Rewrites the generated tables of docs/hw/registers.md and docs/hw/metadata.md.
add_custom_target(regen-card-docs
  COMMAND ${AIPSEC_PYTHON3} -B ${_gen_dir}/aipsec_gen.py --spec ${_spec_dir}
    --docs ${PROJECT_SOURCE_DIR}/docs/hw --update
  COMMENT "Regenerating the tables of docs/hw/registers.md and docs/hw/metadata.md"
  VERBATIM)

# The docs check is a test (label unit); tests can only be added once the top
# level has enabled testing, so the call is deferred to the end of it.
function(_aipsec_gen_add_tests)
  if(NOT AIPSEC_BUILD_TESTS)
    return()
  endif()
  add_test(NAME unit.card_docs_current
    COMMAND ${AIPSEC_PYTHON3} -B ${PROJECT_SOURCE_DIR}/hw/gen/aipsec_gen.py --spec ${PROJECT_SOURCE_DIR}/hw/spec
      --docs ${PROJECT_SOURCE_DIR}/docs/hw --check)
  set_tests_properties(unit.card_docs_current PROPERTIES LABELS unit)
  add_test(NAME unit.card_spec_rejects_bad
    COMMAND ${AIPSEC_PYTHON3} -B ${PROJECT_SOURCE_DIR}/hw/gen/test_spec_checks.py)
  set_tests_properties(unit.card_spec_rejects_bad PROPERTIES LABELS unit)
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL _aipsec_gen_add_tests)
