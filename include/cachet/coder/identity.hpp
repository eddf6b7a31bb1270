// cachet/coder/identity.hpp: keep values as they are (the typed default).
#pragma once

#include <cachet/coder.hpp>
