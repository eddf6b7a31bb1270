# cachet_warnings: INTERFACE target carrying the warning flags that cachet's
# own tests, header checks and examples are built with (warnings are errors).
# Not installed or exported: consumers choose their own flags.
if(NOT TARGET cachet_warnings)
  add_library(cachet_warnings INTERFACE)
  target_compile_options(cachet_warnings INTERFACE
    "$<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Wall;-Wextra;-Wpedantic;-Werror>"
    "$<$<CXX_COMPILER_ID:MSVC>:/W4;/WX;/permissive->")
endif()
