// cachet/detail/signature.hpp: the signature R(Params...) of a callable.
#pragma once

#include <functional>
#include <type_traits>
#include <utility>

namespace cachet::detail {

template <class F, class = void>
struct signature_of {};  // overloaded or generic: memoize<R(Args...)>(fn, ...) names it

template <class R, class... P>
struct signature_of<R (*)(P...)> {
  using type = R(P...);
};
template <class R, class... P>
struct signature_of<R (*)(P...) noexcept> {
  using type = R(P...);
};
template <class R, class... P>
struct signature_of<R(P...)> {
  using type = R(P...);
};
template <class R, class... P>
struct signature_of<R(P...) noexcept> {
  using type = R(P...);
};

template <class M>
struct member_call_signature {};
#define CACHET_DETAIL_MEMBER_CALL(QUALIFIERS)            \
  template <class C, class R, class... P>                \
  struct member_call_signature<R (C::*)(P...) QUALIFIERS> { \
    using type = R(P...);                                \
  };
CACHET_DETAIL_MEMBER_CALL()
CACHET_DETAIL_MEMBER_CALL(const)
CACHET_DETAIL_MEMBER_CALL(noexcept)
CACHET_DETAIL_MEMBER_CALL(const noexcept)
CACHET_DETAIL_MEMBER_CALL(&)
CACHET_DETAIL_MEMBER_CALL(const&)
#undef CACHET_DETAIL_MEMBER_CALL

template <class F>
struct signature_of<F, std::void_t<decltype(&F::operator())>> : member_call_signature<decltype(&F::operator())> {};

template <class F>
concept has_signature = requires { typename signature_of<F>::type; };

//! A callable with an explicit signature, for memoize<R(Args...)>(fn, ...).
template <class Signature, class F>
struct with_signature;

template <class R, class... P, class F>
struct with_signature<R(P...), F> {
  F fn;
  R operator()(P... args) { return std::invoke(fn, std::forward<P>(args)...); }
};

template <class Signature, class F>
struct signature_of<with_signature<Signature, F>> {
  using type = Signature;
};

}  // namespace cachet::detail
