// bench/compile_cost/include_only.cpp: what including the umbrella header
// costs, with nothing instantiated.
#include <cachet/cachet.hpp>
