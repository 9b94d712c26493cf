# Warning and sanitizer flags applied to every first-party C++ target.
add_library(aipsec_warnings INTERFACE)
target_compile_options(aipsec_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wpedantic>
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra>)
if(AIPSEC_WERROR)
  target_compile_options(aipsec_warnings INTERFACE -Werror)
endif()
if(AIPSEC_SANITIZE)
  target_compile_options(aipsec_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(aipsec_warnings INTERFACE -fsanitize=address,undefined)
endif()
