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

// A pointer to member function: `call` is the signature of a call through
// the object (lambdas and function objects), `object` the parameter that
// the object becomes when the pointer itself is memoized (f(obj, args...)):
// `const C&` for a const member function, `C&` for a non-const one, `C&&`
// for an &&-qualified one.
template <class M>
struct member_function {};
#define CACHET_DETAIL_MEMBER_FUNCTION(QUALIFIERS, OBJECT)               \
  template <class C, class R, class... P>                               \
  struct member_function<R (C::*)(P...) QUALIFIERS> {                   \
    using call = R(P...);                                               \
    using through_object = R(OBJECT, P...);                             \
  };                                                                    \
  template <class C, class R, class... P>                               \
  struct member_function<R (C::*)(P...) QUALIFIERS noexcept> {          \
    using call = R(P...);                                               \
    using through_object = R(OBJECT, P...);                             \
  };
CACHET_DETAIL_MEMBER_FUNCTION(, C&)
CACHET_DETAIL_MEMBER_FUNCTION(const, const C&)
CACHET_DETAIL_MEMBER_FUNCTION(volatile, volatile C&)
CACHET_DETAIL_MEMBER_FUNCTION(const volatile, const volatile C&)
CACHET_DETAIL_MEMBER_FUNCTION(&, C&)
CACHET_DETAIL_MEMBER_FUNCTION(const&, const C&)
CACHET_DETAIL_MEMBER_FUNCTION(volatile&, volatile C&)
CACHET_DETAIL_MEMBER_FUNCTION(const volatile&, const volatile C&)
CACHET_DETAIL_MEMBER_FUNCTION(&&, C&&)
CACHET_DETAIL_MEMBER_FUNCTION(const&&, const C&&)
CACHET_DETAIL_MEMBER_FUNCTION(volatile&&, volatile C&&)
CACHET_DETAIL_MEMBER_FUNCTION(const volatile&&, const volatile C&&)
#undef CACHET_DETAIL_MEMBER_FUNCTION

template <class M>
struct member_call_signature {};
template <class M>
  requires requires { typename member_function<M>::call; }
struct member_call_signature<M> {
  using type = typename member_function<M>::call;
};

//! memoize(&C::f, ...): called as f(obj, args...), the object first.
template <class M>
  requires requires { typename member_function<M>::through_object; }
struct signature_of<M> {
  using type = typename member_function<M>::through_object;
};

//! memoize(&C::member, ...): called as f(obj), the member's value.
template <class C, class R>
  requires(!std::is_function_v<R>)
struct signature_of<R C::*> {
  using type = std::remove_cv_t<R>(const C&);
};

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
