// cachet/coder/cereal/xxh3.hpp: xxHash's XXH3 (xxhash.h, libxxhash-dev),
// header-only: every function static inline, nothing to link. The checksum
// of the cereal coders' frames and of the files storage's entries; a part of
// cachet::cereal, whose target finds xxhash.h.
#pragma once

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#define CACHET_DEFINED_XXH_INLINE_ALL
#endif
#include <xxhash.h>
#ifdef CACHET_DEFINED_XXH_INLINE_ALL
#undef XXH_INLINE_ALL
#undef CACHET_DEFINED_XXH_INLINE_ALL
#endif
