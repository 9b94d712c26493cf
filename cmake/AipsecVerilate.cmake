# aipsec_verilate(target <verilate() arguments>): Verilator's verilate() with
# the generated file list kept in step with the RTL.
#
# verilate() runs Verilator at configure time to learn which C++ files a model
# is made of, and again at build time when a source changes. When an RTL edit
# changes that set (Verilator splits a model by size), the build compiles the
# list of the last configure: files that no longer belong to the model, or
# without the new ones, and fails. Here every source of the model (SOURCES
# and the .sv/.svh files of the -I directories in VERILATOR_ARGS) is a
# configure dependency, and a digest of their contents is passed to Verilator
# as a define, so that an edit re-runs the configure step, which re-runs
# Verilator for the models that read the file and takes their new file list.
include_guard(GLOBAL)

function(aipsec_verilate target)
  cmake_parse_arguments(AV "COVERAGE;TRACE;TRACE_FST;SYSTEMC;TRACE_STRUCTS"
    "PREFIX;TOP_MODULE;THREADS;TRACE_THREADS;DIRECTORY"
    "SOURCES;VERILATOR_ARGS;INCLUDE_DIRS;OPT_SLOW;OPT_FAST;OPT_GLOBAL" ${ARGN})
  set(files ${AV_SOURCES})
  foreach(a ${AV_VERILATOR_ARGS})
    if(a MATCHES "^-I(.+)$")
      file(GLOB inc CONFIGURE_DEPENDS ${CMAKE_MATCH_1}/*.sv ${CMAKE_MATCH_1}/*.svh)
      list(APPEND files ${inc})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES files)
  set(digest "")
  foreach(f ${files})
    if(NOT IS_ABSOLUTE "${f}")
      set(f ${CMAKE_CURRENT_SOURCE_DIR}/${f})
    endif()
    file(MD5 ${f} h)
    string(APPEND digest ${h})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  endforeach()
  string(MD5 digest "${digest}")
  string(SUBSTRING ${digest} 0 16 digest)
  # The arguments as given, with the define added to VERILATOR_ARGS.
  set(args)
  set(added OFF)
  foreach(a ${ARGN})
    list(APPEND args ${a})
    if(a STREQUAL "VERILATOR_ARGS" AND NOT added)
      list(APPEND args +define+AIPSEC_RTL_DIGEST=${digest})
      set(added ON)
    endif()
  endforeach()
  if(NOT added)
    list(APPEND args VERILATOR_ARGS +define+AIPSEC_RTL_DIGEST=${digest})
  endif()
  verilate(${target} ${args})
endfunction()
