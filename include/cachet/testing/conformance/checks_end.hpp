// cachet/testing/conformance/checks_end.hpp: undoes checks_begin.hpp at the
// end of a law header: the check macros are undefined and the warnings
// restored. Deliberately without an include guard; on its own, a no-op.
#if defined(CACHET_CONFORMANCE_CHECK_)
#undef CACHET_CONFORMANCE_CHECK_
#undef CACHET_CONFORMANCE_CHECK_FALSE_
#undef CACHET_CONFORMANCE_THROWS_
#undef CACHET_CONFORMANCE_THROWS_WITH_
#undef CACHET_CONFORMANCE_NO_THROW_

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#endif
