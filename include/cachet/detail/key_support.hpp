// cachet/detail/key_support.hpp: how argument values become keys, in
// three parts: key_walk.hpp (the shapes a value can have and the one walk
// over them), key_visitors.hpp (hashing, equality and text form on that
// walk) and key_forms.hpp (what a key keeps of an argument, and what a
// lookup uses).
#pragma once

#include <cachet/detail/key_forms.hpp>
#include <cachet/detail/key_visitors.hpp>
#include <cachet/detail/key_walk.hpp>
