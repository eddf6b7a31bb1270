// cachet/testing/storage_conformance.hpp: the storage conformance kit: the
// laws every cachet storage passes, runnable against a storage of your own
// from any test framework, or none.
//
//     #include <cachet/testing/storage_conformance.hpp>
//
//     auto report = cachet::testing::check_storage(my_storage{});  // never throws for a broken law
//     if (!report.ok()) std::cerr << report.summary();
//     cachet::testing::require_storage_conformance(my_storage{});  // throws conformance_error
//
// Each law makes fresh caches through the *fixture*, drives them on a
// cachet::manual_clock (the kit sleeps only to wait for a refresh thread)
// and records every check that does not hold as a conformance_failure: the
// law's id, the check as written in the kit's source, the values seen and
// the line. A law whose code throws where no exception is expected fails
// that check and goes on.
//
// Include this header only; its parts, under <cachet/testing/conformance/>:
// report.hpp (the report types and the checker), fixtures.hpp (the fixture
// concepts and adapters), store_laws.hpp and wrapper_laws.hpp (the laws: a
// failure's line is in the first for store.* laws, in the second for the
// others) and runner.hpp (runs them in the order listed below).
//
// The fixture, one of (checked in this order):
//   1. an object with
//        template <class Fn, class... More>
//        auto memoize(Fn fn, cachet::manual_clock clock, More... more);
//      returning cachet::memoize(std::move(fn), <storage policy>,
//      [<coder>, <key policy>,] clock, more...). `more` holds the policies a
//      law adds (an expiry, a sync or a bulk policy), never a storage, a
//      coder or a clock. Optionally a member `name` (a string, static or
//      not) that labels the report. Use this form to name a coder or a key
//      policy, or to give each cache its own file, table or key prefix.
//   2. a storage policy (cachet::lru{.capacity = 1000}): every cache uses a
//      copy of it with the default coder and key policy.
//   3. a callable taking nothing and returning a storage policy: called
//      once per cache.
// The fixture is used by reference and must outlive the call.
//
// PRECONDITION: each cache the fixture makes starts empty and its storage()
//   counts only that cache's entries.
// PRECONDITION: the storage holds at least 64 entries without evicting.
// PRECONDITION: the storage (with the fixture's coder) keeps int, long,
//   std::string and std::vector<int> values for functions of (), (int),
//   (std::string), (std::string_view), (const std::string&) and
//   (int, std::string).
// A byte storage (typed == false) named without a coder needs its default
// coder's header, <cachet/coder/cereal_binary.hpp>, included by the caller;
// the kit itself includes no cereal header.
//
// The laws, by id (conformance_options::skip takes ids or prefixes such as
// "expiry"). The store laws call storage() of a cache of std::string(int)
// under expire_after_write, so that its store keeps deadlines:
//   store.empty        a new cache's store holds nothing: size() == 0, get and
//                      contains find no key
//   store.get          after set(k, v, d), get(k, t) yields v for t < d and
//                      nothing for t >= d; keys do not see each other's values
//   store.set          set replaces the value and the deadline (later or
//                      earlier), and revives an expired key
//   store.no_deadline  an entry set with no_deadline lives at any time
//   store.bytes        values round-trip exactly: empty, embedded NUL, high
//                      bytes, 64 KiB
//   store.contains     true for a live entry only; never creates one
//   store.erase        true when an entry was removed, then false; false for
//                      a missing key; other keys stay
//   store.touch        on a live entry: true, and the new deadline holds
//                      (later or earlier); on a missing or expired one:
//                      false, and nothing is created or revived
//   store.size         counts distinct keys held; a replacing set adds none;
//                      erase takes one away
//   store.clear        clear() leaves nothing: size() == 0, no key found
//   store.name         name() is not empty
//   store.bulk         (bulk stores only) get_many, set_many and erase_many
//                      answer per key in order, honour each entry's
//                      deadline, and accept empty spans
//   single_key.int, single_key.string, single_key.vector
//                      every single-key sub-operation through the wrapper:
//                      f(), get, at, update, execute, set, contains, touch,
//                      erase; storage().size() and clear()
//   arguments          keys for converted arguments, strings as const char*,
//                      std::string and std::string_view, functions of zero
//                      and two arguments, bulk calls on both
//   bulk.batched.int, bulk.batched.string, bulk.sequential.vector
//                      every bulk sub-operation under cachet::batched and
//                      cachet::sequential
//   bulk.empty         bulk calls on empty ranges; a set_many of mismatched
//                      lengths throws std::invalid_argument and stores nothing
//   expiry.after_write, expiry.after_access, expiry.per_entry
//                      the expiry policies on a manual clock: at the deadline
//                      an entry is gone; what renews it and what does not
//   throwing           a throwing function stores nothing (single and bulk:
//                      results before the throw are kept), its exception
//                      passes through unchanged, an old entry stays
//   recursion.mutex, recursion.unsynchronized
//                      a function calling itself through its wrapper
//   options.stale_if_error, options.refresh_after
//                      cachet::expiry_options: entries stored with their
//                      times come back with them; an expired entry answers
//                      a computation that throws within the grace period;
//                      a hit on an old entry returns it and one refresh
//                      replaces it (the one law that waits, up to 10 s of
//                      real time, for the refresh thread's write)
#pragma once

#include <type_traits>
#include <utility>

#include <cachet/cachet.hpp>
#include <cachet/testing/conformance/fixtures.hpp>
#include <cachet/testing/conformance/report.hpp>
#include <cachet/testing/conformance/runner.hpp>

namespace cachet::testing {

//! Runs every law against caches made by `fixture` (see the banner for its
//! three forms) and returns what it found. A broken law never throws: it is
//! a conformance_failure in the report. Throws only what the fixture throws
//! when asked for the report's label.
template <class Fixture>
conformance_report check_storage(Fixture&& fixture, conformance_options options = {}) {
  if constexpr (!storage_fixture<std::remove_cvref_t<Fixture>>) {
    static_assert(storage_fixture<std::remove_cvref_t<Fixture>>,
                  "cachet::testing::check_storage: the argument is not a fixture. Pass one of:\n"
                  "  a storage policy (using cachet_family = cachet::family::storage; ...),\n"
                  "  a callable taking nothing and returning a storage policy, or\n"
                  "  an object with template <class Fn, class... More>\n"
                  "    auto memoize(Fn fn, cachet::manual_clock clock, More... more);\n"
                  "(see <cachet/testing/storage_conformance.hpp>)");
    return {};
  } else {
    auto& given = fixture;
    decltype(auto) maker = detail::as_cache_fixture(given);  // the fixture itself, or an adapter
    using maker_type = std::remove_reference_t<decltype(maker)>;
    conformance_report report;
    report.storage = !options.name.empty() ? options.name : detail::fixture_name(given, maker);
    detail::runner<maker_type>(maker, report, options).run_all();
    return report;
  }
}

//! check_storage, then throws conformance_error (what(): the summary) if a
//! law failed.
template <class Fixture>
void require_storage_conformance(Fixture&& fixture, conformance_options options = {}) {
  conformance_report report = check_storage(std::forward<Fixture>(fixture), std::move(options));
  if (!report.ok()) throw conformance_error(std::move(report));
}

}  // namespace cachet::testing
