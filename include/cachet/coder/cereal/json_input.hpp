// cachet/coder/cereal/json_input.hpp: the input archive that reads
// cereal_json text. It parses and walks the JSON with cereal's
// JSONInputArchive and reads what that archive reads, but it is an archive
// type of its own, so that cereal dispatches each value to cachet's loads:
// an enum value outside the values its enum accepts is invalid_data
// (enum_load.hpp), as in the binary coders, and so is a number outside its
// type's range (cereal's own archive casts it to another value).
//
// The cost: serialisation functions written for cereal::JSONInputArchive
// alone (not templates over the archive) are not called by this archive.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <limits>
#include <string>
#include <type_traits>

#include <cereal/archives/json.hpp>
#include <cereal/cereal.hpp>

#include <cachet/coder/cereal/enum_load.hpp>
#include <cachet/errors.hpp>

namespace cachet::detail {

class json_input : public cereal::InputArchive<json_input>, public cereal::traits::TextArchive {
 public:
  //! Parses the whole of `stream`; throws (a std::exception) when it is not JSON.
  explicit json_input(std::istream& stream) : cereal::InputArchive<json_input>(this), json_(stream) {}

  // The node interface of cereal::JSONInputArchive, for cachet's loads below
  // and for serialisation functions that use it directly.
  void startNode() { json_.startNode(); }
  void finishNode() { json_.finishNode(); }
  const char* getNodeName() const { return json_.getNodeName(); }
  void setNextName(const char* name) { json_.setNextName(name); }
  template <class T>
  void loadValue(T& value) {
    json_.loadValue(value);
  }
  void loadSize(cereal::size_type& size) { json_.loadSize(size); }
  void loadBinaryValue(void* data, std::size_t size, const char* name = nullptr) {
    json_.loadBinaryValue(data, size, name);
  }

  //! Rejects the text: `why` is what was wrong with it.
  [[noreturn]] void reject(const std::string& why) const { throw invalid_data("JSON value does not decode: " + why); }

 private:
  cereal::JSONInputArchive json_;
};

template <>
inline constexpr bool checks_enums<json_input> = true;

// The wrappers and leaves for which cereal's JSON prologue opens no node.
template <class T>
struct never_json_node : std::false_type {};
template <class T>
struct never_json_node<cereal::NameValuePair<T>> : std::true_type {};
template <class T>
struct never_json_node<cereal::DeferredData<T>> : std::true_type {};
template <class T>
struct never_json_node<cereal::SizeTag<T>> : std::true_type {};
template <class C, class Traits, class Alloc>
struct never_json_node<std::basic_string<C, Traits, Alloc>> : std::true_type {};

// Whether a value of type T is a JSON node of its own (an object or an
// array) that its load enters and leaves: the rule of cereal's JSON
// prologue and epilogue, with json_input in place of JSONInputArchive.
template <class T>
constexpr bool is_json_node() {
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::nullptr_t> || never_json_node<T>::value)
    return false;
  else
    return !cereal::traits::has_minimal_base_class_serialization<T, cereal::traits::has_minimal_input_serialization,
                                                                  json_input>::value &&
           !cereal::traits::has_minimal_input_serialization<T, json_input>::value;
}

template <class T>
void prologue(json_input& ar, const T&) {
  if constexpr (is_json_node<T>()) ar.startNode();
}

template <class T>
void epilogue(json_input& ar, const T&) {
  if constexpr (is_json_node<T>()) ar.finishNode();
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(json_input& ar, cereal::NameValuePair<T>& pair) {
  ar.setNextName(pair.name);
  ar(pair.value);
}

// Numbers narrower than 64 bits are read at 64 bits and checked, where
// cereal's JSON archive would cast: 300 is not a uint8_t, nor 1e300 a float.
template <class T>
  requires std::is_arithmetic_v<T>
void CEREAL_LOAD_FUNCTION_NAME(json_input& ar, T& value) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> && sizeof(T) < sizeof(std::int64_t)) {
    using wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
    wide read = 0;
    ar.loadValue(read);
    if (read < static_cast<wide>(std::numeric_limits<T>::min()) || read > static_cast<wide>(std::numeric_limits<T>::max()))
      ar.reject("the number " + std::to_string(read) + " is out of its type's range");
    value = static_cast<T>(read);
  } else if constexpr (std::is_same_v<T, float>) {
    double read = 0;
    ar.loadValue(read);
    if (std::isfinite(read) && std::fabs(read) > static_cast<double>(std::numeric_limits<float>::max()))
      ar.reject("a number out of a float's range");
    value = static_cast<float>(read);
  } else {
    ar.loadValue(value);
  }
}

inline void CEREAL_LOAD_FUNCTION_NAME(json_input& ar, std::nullptr_t& value) { ar.loadValue(value); }

template <class C, class Traits, class Alloc>
void CEREAL_LOAD_FUNCTION_NAME(json_input& ar, std::basic_string<C, Traits, Alloc>& text) {
  ar.loadValue(text);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(json_input& ar, cereal::SizeTag<T>& size) {
  ar.loadSize(size.size);
}

}  // namespace cachet::detail

// Polymorphic pointers load through json_input as through JSONInputArchive.
CEREAL_REGISTER_ARCHIVE(cachet::detail::json_input)

// The output archive json_input reads, so that save_minimal/load_minimal
// pairs resolve.
namespace cereal::traits::detail {
template <>
struct get_output_from_input<cachet::detail::json_input> {
  using type = cereal::JSONOutputArchive;
};
}  // namespace cereal::traits::detail
