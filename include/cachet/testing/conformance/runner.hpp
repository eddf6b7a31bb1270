// cachet/testing/conformance/runner.hpp: detail::runner, which runs the
// storage conformance kit's laws, in the order listed in
// <cachet/testing/storage_conformance.hpp>, over one fixture (form 1) into
// one report: it leaves out the laws options.skip names, skips store.bulk
// for a store without bulk members, and for a storage whose
// storage_traits::own_expiry is true (a server TTL) the laws that move the
// manual clock past a deadline, starting the others' clock at the wall
// clock's now; it turns an exception out of a law's own steps into a
// failure of that law.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <cachet/cachet.hpp>
#include <cachet/testing/conformance/fixtures.hpp>
#include <cachet/testing/conformance/option_laws.hpp>
#include <cachet/testing/conformance/report.hpp>
#include <cachet/testing/conformance/store_laws.hpp>
#include <cachet/testing/conformance/wrapper_laws.hpp>

namespace cachet::testing::detail {

//! Runs the laws over one fixture (form 1) into one report.
template <class F>
class runner {
 public:
  runner(F& fixture, conformance_report& report, const conformance_options& options)
      : fixture_(fixture), report_(report), options_(options), chk_(report) {}

  using law_fn = void (*)(session<F>&, checker&);

  void operator()(const char* id, law_fn law) {
    for (const auto& s : options_.skip) {
      if (conformance_report::covers(s, id)) {
        report_.skipped.push_back(std::string(id) + " (options.skip)");
        return;
      }
    }
    if (own_expiry && moves_clock_past_deadlines(id)) {
      report_.skipped.push_back(std::string(id) + " (storage_traits::own_expiry: the backend expires entries on "
                                                  "real time, which a manual clock does not move)");
      return;
    }
    report_.laws.emplace_back(id);
    chk_.begin(id);
    try {
      session<F> ctx{fixture_};
      // A backend on real time gets deadlines from now, not from the
      // manual clock's start (2020), which would be long past.
      if constexpr (own_expiry) ctx.clock.set(std::chrono::system_clock::now());
      law(ctx, chk_);
    } catch (...) {
      ++report_.checks;
      chk_.fail("the law's own steps", "threw " + current_exception_text(), 0);
    }
  }

  using cache_type = std::remove_cvref_t<decltype(store_cache(std::declval<session<F>&>()))>;
  //! The backend keeps its own expiry (a server TTL): the laws that move a
  //! manual clock past a deadline cannot hold and are skipped.
  static constexpr bool own_expiry = cachet::storage_traits<typename cache_type::storage_type>::own_expiry;

  //! The laws that read an entry at a time past its deadline.
  static bool moves_clock_past_deadlines(const char* id) {
    for (const char* law : {"expiry", "store.get", "store.set", "store.contains", "store.touch", "store.bulk"})
      if (conformance_report::covers(law, id)) return true;
    return false;
  }

  void run_all() {
    auto& run = *this;
    run("store.empty", &store_empty<F>);
    run("store.get", &store_get<F>);
    run("store.set", &store_set<F>);
    run("store.no_deadline", &store_no_deadline<F>);
    run("store.bytes", &store_bytes<F>);
    run("store.contains", &store_contains<F>);
    run("store.erase", &store_erase<F>);
    run("store.touch", &store_touch<F>);
    run("store.size", &store_size<F>);
    run("store.clear", &store_clear<F>);
    run("store.name", &store_name<F>);
    if constexpr (bulk_store<typename decltype(store_cache(std::declval<session<F>&>()))::store_type>)
      run("store.bulk", &store_bulk<F>);
    else
      report_.skipped.emplace_back("store.bulk (the store has no get_many, set_many, erase_many)");
    run("single_key.int", &single_key_operations<F, int>);
    run("single_key.string", &single_key_operations<F, std::string>);
    run("single_key.vector", &single_key_operations<F, std::vector<int>>);
    run("arguments", &keys_and_arguments<F>);
    run("bulk.batched.int", &bulk_operations<F, int, cachet::batched>);
    run("bulk.batched.string", &bulk_operations<F, std::string, cachet::batched>);
    run("bulk.sequential.vector", &bulk_operations<F, std::vector<int>, cachet::sequential>);
    run("bulk.empty", &bulk_edge_cases<F>);
    run("expiry.after_write", &expire_after_write_law<F>);
    run("expiry.after_access", &expire_after_access_law<F>);
    run("expiry.per_entry", &expire_per_entry_law<F>);
    run("throwing", &throwing_function<F>);
    run("recursion.mutex", &recursion<F, cachet::mutex>);
    run("recursion.unsynchronized", &recursion<F, cachet::unsynchronized>);
    run("options.stale_if_error", &stale_if_error_law<F>);
    run("options.refresh_after", &refresh_after_law<F>);
  }

 private:
  F& fixture_;
  conformance_report& report_;
  const conformance_options& options_;
  checker chk_;
};

}  // namespace cachet::testing::detail
