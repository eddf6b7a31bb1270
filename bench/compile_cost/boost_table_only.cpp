// bench/compile_cost/boost_table_only.cpp: what including Boost.Unordered's
// flat map costs, with nothing instantiated: the floor of any TU that uses
// cachet's bounded storages (they index their nodes with its flat set).
#include <boost/unordered/unordered_flat_map.hpp>
