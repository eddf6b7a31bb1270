// cachet/cachet.hpp: the umbrella header: the wrapper, every policy family,
// the in-memory storages, and every policy that needs no extra library.
// Byte coders (cereal) and backends that link a library have their own
// headers: <cachet/coder/cereal_binary.hpp>, ...
#pragma once

#include <cachet/bulk.hpp>
#include <cachet/bulk/batched.hpp>
#include <cachet/bulk/sequential.hpp>
#include <cachet/cached.hpp>
#include <cachet/clock.hpp>
#include <cachet/clock/manual_clock.hpp>
#include <cachet/clock/system_clock.hpp>
#include <cachet/coder.hpp>
#include <cachet/coder/identity.hpp>
#include <cachet/error_policy.hpp>
#include <cachet/error_policy/fail_open.hpp>
#include <cachet/error_policy/propagate_errors.hpp>
#include <cachet/errors.hpp>
#include <cachet/expiry.hpp>
#include <cachet/expiry/expire_after_access.hpp>
#include <cachet/expiry/expire_after_write.hpp>
#include <cachet/expiry/expire_per_entry.hpp>
#include <cachet/expiry/never.hpp>
#include <cachet/expiry_options.hpp>
#include <cachet/key.hpp>
#include <cachet/key/custom_key.hpp>
#include <cachet/key/hashed_key.hpp>
#include <cachet/key/ignore_args.hpp>
#include <cachet/key/text_key.hpp>
#include <cachet/key/tuple_key.hpp>
#include <cachet/policy.hpp>
#include <cachet/removal_listener.hpp>
#include <cachet/result_traits.hpp>
#include <cachet/stats.hpp>
#include <cachet/storage.hpp>
#include <cachet/storage/dict.hpp>
#include <cachet/storage/lru.hpp>
#include <cachet/storage/s3fifo.hpp>
#include <cachet/storage/sieve.hpp>
#include <cachet/storage/w_tinylfu.hpp>
#include <cachet/sync.hpp>
#include <cachet/sync/mutex.hpp>
#include <cachet/sync/sharded.hpp>
#include <cachet/sync/unsynchronized.hpp>
#include <cachet/weigher.hpp>
