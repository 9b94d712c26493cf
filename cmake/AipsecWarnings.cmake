# Warning and sanitizer flags applied to every first-party C++ target.
add_library(aipsec_warnings INTERFACE)
target_compile_options(aipsec_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wpedantic>
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra>)
# GCC 12 reports -Wrestrict false positives inside libstdc++'s std::string at -O3
# (GCC bug 105651); the warning stays on for other compilers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(aipsec_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>)
endif()
if(AIPSEC_WERROR)
  target_compile_options(aipsec_warnings INTERFACE -Werror)
endif()
if(AIPSEC_SANITIZE)
  target_compile_options(aipsec_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(aipsec_warnings INTERFACE -fsanitize=address,undefined)
endif()
