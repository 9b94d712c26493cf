# Synthesis helpers for the card's cores (yosys 0.23, synth_xilinx -family xcup).
#
#   aipsec_rtl_synth(NAME n TOP t SOURCES f.sv... [PARAMS P=V...] [IN_SET | WHOLE_SET]
#                    [FULL_SCALE_ONLY] [TIMEOUT s])
#     ctest test rtl.synth.<n> (label rtl): hierarchical synth_xilinx -noiopad of t;
#     passes when yosys succeeds; writes <build>/hw/syn/reports/<n>.hier.stat.
#     The core is also registered for the `synth-report` target, which runs the
#     flattened synth_xilinx of every registered core (long; not in the suite)
#     and regenerates docs/hw/crypto-synthesis.md. IN_SET marks a core as part
#     of the 512-bit card set whose sum is reported; WHOLE_SET marks a top that
#     instantiates that set (synthesised together; the report's verdict uses it
#     when its run exists, the sum otherwise). FULL_SCALE_ONLY adds the
#     ctest test only when AIPSEC_RTL_CI_SCALE is full (the core stays in the report).
#
#   aipsec_rtl_depth(NAME n TOP t SOURCES f.sv... [PARAMS P=V...] [CORE c] [MAX_DEPTH 6]
#                    [BLACKBOX m...] [REGISTERED m...] [FED_BY_REGISTERS m...]
#                    [EXCEPT port=N...] [REGISTERED_OUTPUTS] [MEMORIES] [TIMEOUT s])
#     ctest test rtl.depth.<n> (label rtl): `synth -flatten -top t -lut 6`, then
#     scripts/lut_depth.py on the netlist (the figure of `ltp -noff` when nothing
#     is cut), on a module small enough to flatten (one pipeline stage); fails
#     when the longest path is deeper than MAX_DEPTH LUT levels. CORE names the
#     core the figure is reported under.
#     BLACKBOX: modules depth-checked on their own, made blackboxes so that a
#     whole core flattens; paths end and start at their ports like at
#     flip-flops (`ltp` would chain through them), and the logic depth into and
#     out of each is printed. REGISTERED: those of them that are combinational and must have
#     no logic on either side (the test fails otherwise).
#     The checks that make stage checks compose: REGISTERED_OUTPUTS (the top's
#     outputs come straight from registers), FED_BY_REGISTERS (blackboxes with
#     no logic in front of their inputs: with registered outputs of their own,
#     every path through them is checked by theirs or by this one) and EXCEPT
#     (input ports of those blackboxes allowed N levels in front, e.g. ce=2: a
#     clock enable that only enables flip-flops inside).
#     MEMORIES: the top's memories stay memory cells (block or distributed RAM)
#     instead of being mapped to flip-flops and multiplexers; their ports end
#     and start paths like flip-flops (the synth script without memory_map,
#     then scripts/lut_depth.py with the memory cells cut). For a data-path
#     block whose FIFOs and tables the FPGA holds in RAM.
#
#   aipsec_rtl_add_synth_tests(): adds the recorded tests in the calling
#     directory (hw/ is configured before testing is enabled; the call is in
#     tests/rtl/aes/CMakeLists.txt).
#
#   aipsec_rtl_synth_report_table(): adds the synth-report targets (called once,
#     after every hw/syn/*.cmake file, by this file's deferred call).
find_program(YOSYS_BIN yosys)
find_program(SYSTEM_PYTHON3_SYN NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
set(AIPSEC_SYN_REPORT_DIR ${CMAKE_BINARY_DIR}/hw/syn/reports)
set(AIPSEC_SYN_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/scripts)
file(MAKE_DIRECTORY ${AIPSEC_SYN_REPORT_DIR})

# Yosys commands that set the top's parameters ("chparam -set K V top; " each).
function(_aipsec_yosys_params out top)
  set(cmds "")
  foreach(p ${ARGN})
    string(REPLACE "=" ";" kv ${p})
    list(GET kv 0 k)
    list(GET kv 1 v)
    string(APPEND cmds "chparam -set ${k} ${v} ${top}; ")
  endforeach()
  set(${out} "${cmds}" PARENT_SCOPE)
endfunction()

# hw/ is configured before testing is enabled at the top level, so tests
# cannot be added here: they are recorded and added by
# aipsec_rtl_add_synth_tests(), which tests/rtl/aes/CMakeLists.txt calls.
function(_aipsec_defer_test name timeout)
  set_property(GLOBAL APPEND PROPERTY AIPSEC_SYN_TESTS ${name})
  set_property(GLOBAL PROPERTY AIPSEC_SYN_TEST_TIMEOUT_${name} ${timeout})
  set_property(GLOBAL PROPERTY AIPSEC_SYN_TEST_CMD_${name} ${ARGN})
endfunction()

# Adds the recorded synthesis and depth tests (label rtl) in the calling
# directory; later calls add nothing.
function(aipsec_rtl_add_synth_tests)
  get_property(done GLOBAL PROPERTY AIPSEC_SYN_TESTS_ADDED)
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY AIPSEC_SYN_TESTS_ADDED TRUE)
  get_property(names GLOBAL PROPERTY AIPSEC_SYN_TESTS)
  foreach(name ${names})
    get_property(cmd GLOBAL PROPERTY AIPSEC_SYN_TEST_CMD_${name})
    get_property(timeout GLOBAL PROPERTY AIPSEC_SYN_TEST_TIMEOUT_${name})
    add_test(NAME ${name} COMMAND ${cmd})
    set_tests_properties(${name} PROPERTIES LABELS rtl TIMEOUT ${timeout})
  endforeach()
endfunction()

function(aipsec_rtl_synth)
  cmake_parse_arguments(S "IN_SET;WHOLE_SET;FULL_SCALE_ONLY" "NAME;TOP;TIMEOUT" "SOURCES;PARAMS" ${ARGN})
  if(NOT S_NAME OR NOT S_TOP OR NOT S_SOURCES)
    message(FATAL_ERROR "aipsec_rtl_synth: NAME, TOP and SOURCES are required")
  endif()
  if(NOT S_TIMEOUT)
    set(S_TIMEOUT 1800)
  endif()
  if(NOT YOSYS_BIN)
    message(STATUS "yosys not found: no synthesis test for ${S_NAME}")
    return()
  endif()
  list(JOIN S_SOURCES " " srcs)
  _aipsec_yosys_params(params ${S_TOP} ${S_PARAMS})
  set(stat ${AIPSEC_SYN_REPORT_DIR}/${S_NAME}.hier.stat)
  set(ys ${AIPSEC_SYN_REPORT_DIR}/${S_NAME}.hier.ys)
  string(REPLACE "; " "\n" ys_params "${params}")
  file(WRITE ${ys} "read_verilog -sv ${srcs}\n${ys_params}synth_xilinx -family xcup -noiopad -top ${S_TOP}\ntee -q -o ${stat} stat -tech xilinx\n")
  if(NOT S_FULL_SCALE_ONLY OR AIPSEC_RTL_CI_SCALE STREQUAL "full")
    _aipsec_defer_test(rtl.synth.${S_NAME} ${S_TIMEOUT}
      ${YOSYS_BIN} -q -l ${AIPSEC_SYN_REPORT_DIR}/${S_NAME}.hier.log -s ${ys})
  endif()
  # Registry for synth-report: name|top|in_set|params (comma-separated)|sources (comma-separated)
  list(JOIN S_PARAMS "," p)
  list(JOIN S_SOURCES "," s)
  set(in_set 0)
  if(S_IN_SET)
    set(in_set 1)
  elseif(S_WHOLE_SET)
    set(in_set 2)
  endif()
  set_property(GLOBAL APPEND PROPERTY AIPSEC_SYN_CORES "${S_NAME}|${S_TOP}|${in_set}|${p}|${s}")
endfunction()

function(aipsec_rtl_depth)
  cmake_parse_arguments(D "MEMORIES;REGISTERED_OUTPUTS" "NAME;TOP;CORE;MAX_DEPTH;TIMEOUT"
    "SOURCES;PARAMS;BLACKBOX;REGISTERED;FED_BY_REGISTERS;EXCEPT" ${ARGN})
  if(NOT D_NAME OR NOT D_TOP OR NOT D_SOURCES)
    message(FATAL_ERROR "aipsec_rtl_depth: NAME, TOP and SOURCES are required")
  endif()
  if(NOT D_MAX_DEPTH)
    set(D_MAX_DEPTH 6)
  endif()
  if(NOT D_TIMEOUT)
    set(D_TIMEOUT 900)
  endif()
  if(NOT D_CORE)
    set(D_CORE ${D_NAME})
  endif()
  if(NOT YOSYS_BIN)
    return()
  endif()
  if(NOT SYSTEM_PYTHON3_SYN)
    return()
  endif()
  list(JOIN D_SOURCES " " srcs)
  _aipsec_yosys_params(params ${D_TOP} ${D_PARAMS})
  set(ys ${AIPSEC_SYN_REPORT_DIR}/${D_NAME}.depth.ys)
  string(REPLACE "; " "\n" ys_params "${params}")
  # The netlist, through scripts/lut_depth.py (with nothing cut, its figure is
  # what `ltp -noff` gives).
  set(json ${AIPSEC_SYN_REPORT_DIR}/${D_NAME}.depth.json)
  set(cut ${D_BLACKBOX})
  set(bb_cmd "")
  if(D_BLACKBOX)
    list(JOIN D_BLACKBOX " " bb_words)
    set(bb_cmd "blackbox ${bb_words}\n")
  endif()
  set(map "synth -flatten -top ${D_TOP} -lut 6\n")
  if(D_MEMORIES)
    list(APPEND cut "$mem_v2")
    # synth's fine step without memory_map.
    set(map "synth -flatten -top ${D_TOP} -lut 6 -run :fine\nopt -fast -full\nopt -full\ntechmap\n"
            "opt -fast\nabc -fast -lut 6\nopt -fast\n")
  endif()
  file(WRITE ${ys} "read_verilog -sv ${srcs}\n${bb_cmd}${ys_params}" ${map} "write_json ${json}\n")
  list(JOIN cut "," cut_list)
  list(JOIN D_REGISTERED "," reg_list)
  list(JOIN D_FED_BY_REGISTERS "," fed_list)
  set(args --yosys ${YOSYS_BIN} --script ${ys} --json ${json} --top ${D_TOP} --cut=${cut_list}
    --registered=${reg_list} --fed-by-registers=${fed_list} --max ${D_MAX_DEPTH}
    --out ${AIPSEC_SYN_REPORT_DIR}/${D_NAME}.depth --core ${D_CORE})
  foreach(e ${D_EXCEPT})
    list(APPEND args --registered-except ${e})
  endforeach()
  if(D_REGISTERED_OUTPUTS)
    list(APPEND args --registered-outputs)
  endif()
  _aipsec_defer_test(rtl.depth.${D_NAME} ${D_TIMEOUT}
    ${SYSTEM_PYTHON3_SYN} ${AIPSEC_SYN_SCRIPTS}/lut_depth.py ${args})
endfunction()

# Called after every block file: flattened synthesis of each registered core
# (one custom command per core) and the regenerated resource table.
function(aipsec_rtl_synth_report_table)
  get_property(cores GLOBAL PROPERTY AIPSEC_SYN_CORES)
  if(NOT cores OR NOT YOSYS_BIN)
    return()
  endif()
  set(stats "")
  foreach(entry ${cores})
    string(REPLACE "|" ";" f "${entry}")
    list(GET f 0 name)
    list(GET f 1 top)
    list(GET f 3 params)
    list(GET f 4 srcs)
    string(REPLACE "," ";" param_list "${params}")
    string(REPLACE "," " " src_words "${srcs}")
    string(REPLACE "," ";" src_list "${srcs}")
    _aipsec_yosys_params(pcmds ${top} ${param_list})
    set(stat ${AIPSEC_SYN_REPORT_DIR}/${name}.flat.stat)
    set(ys ${AIPSEC_SYN_REPORT_DIR}/${name}.flat.ys)
    string(REPLACE "; " "\n" ys_params "${pcmds}")
    file(WRITE ${ys} "read_verilog -sv ${src_words}\n${ys_params}synth_xilinx -family xcup -noiopad -flatten -top ${top}\ntee -q -o ${stat} stat -tech xilinx\n")
    add_custom_command(OUTPUT ${stat}
      COMMAND ${YOSYS_BIN} -q -l ${AIPSEC_SYN_REPORT_DIR}/${name}.flat.log -s ${ys}
      DEPENDS ${src_list}
      COMMENT "yosys: flattened synth_xilinx of ${name} (long)"
      VERBATIM)
    list(APPEND stats ${stat})
  endforeach()
  string(REPLACE ";" "\;" cores_arg "${cores}")
  add_custom_target(synth-report
    COMMAND ${SYSTEM_PYTHON3_SYN} ${AIPSEC_SYN_SCRIPTS}/synth_report.py --mode flat
      --reports ${AIPSEC_SYN_REPORT_DIR} --out ${PROJECT_SOURCE_DIR}/docs/hw/crypto-synthesis.md
      --cores "${cores_arg}"
    DEPENDS ${stats}
    COMMENT "Regenerating docs/hw/crypto-synthesis.md from flattened synthesis"
    VERBATIM)
  # The same table from the hierarchical runs of the test suite (run
  # `ctest -L rtl -R rtl.synth` first).
  add_custom_target(synth-report-hier
    COMMAND ${SYSTEM_PYTHON3_SYN} ${AIPSEC_SYN_SCRIPTS}/synth_report.py --mode hier
      --reports ${AIPSEC_SYN_REPORT_DIR} --out ${PROJECT_SOURCE_DIR}/docs/hw/crypto-synthesis.md
      --cores "${cores_arg}"
    COMMENT "Regenerating docs/hw/crypto-synthesis.md from the hierarchical runs"
    VERBATIM)
endfunction()

cmake_language(DEFER CALL aipsec_rtl_synth_report_table)
