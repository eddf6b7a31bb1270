// cachet/storage/redis/url.hpp: where a Redis server is and how to log in,
// parsed from a URL:
//
//     redis://[[user]:password@]host[:port][/db]
//     unix://[[user]:password@]/path/to.sock[?db=N]
//
// User and password may be percent-encoded (%40 for '@'). rediss:// (TLS)
// is refused: Debian's hiredis is built without TLS. Every error is a
// std::invalid_argument naming the URL with its password masked.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cachet::detail {

struct redis_endpoint {
  std::string host;  // empty for a unix socket
  int port = 6379;
  std::string socket;  // the unix socket's path, or empty
  int db = 0;
  std::string user;  // empty: AUTH with the password only
  std::optional<std::string> password;
  //! "127.0.0.1:6379/2" or "unix:/path/to.sock?db=2": for names and errors.
  std::string address() const {
    if (!socket.empty()) return "unix:" + socket + "?db=" + std::to_string(db);
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
  }
};

//! `url` with the password replaced by "***", for messages.
inline std::string redis_url_for_display(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t from = scheme + 3;
  const std::size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < from) return std::string(url);
  const std::size_t colon = url.find(':', from);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

namespace redis_url {

[[noreturn]] inline void fail(std::string_view url, const std::string& why) {
  throw std::invalid_argument("cachet::redis: bad URL " + redis_url_for_display(url) + ": " + why +
                              " (expected redis://[[user]:password@]host[:port][/db] or "
                              "unix://[[user]:password@]/path/to.sock[?db=N])");
}

inline std::string percent_decoded(std::string_view url, std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= s.size()) fail(url, "a '%' not followed by two hex digits");
    const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16);
    if (ec != std::errc{} || end != s.data() + i + 3) fail(url, "a '%' not followed by two hex digits");
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

inline int number(std::string_view url, std::string_view s, int low, int high, const char* what) {
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value < low || value > high)
    fail(url, std::string("the ") + what + " '" + std::string(s) + "' is not a number from " + std::to_string(low) +
                  " to " + std::to_string(high));
  return value;
}

// "user:password" (either may be empty) before an '@'.
inline void credentials(std::string_view url, std::string_view userinfo, redis_endpoint& out) {
  const std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) fail(url, "credentials must be [user]:password@");
  out.user = percent_decoded(url, userinfo.substr(0, colon));
  out.password = percent_decoded(url, userinfo.substr(colon + 1));
}

}  // namespace redis_url

//! Parses `url`; throws std::invalid_argument (password masked) if it is
//! not one of the forms in the banner.
inline redis_endpoint parse_redis_url(std::string_view url) {
  using namespace redis_url;
  redis_endpoint out;
  if (url.starts_with("rediss://"))
    fail(url,
         "rediss:// (TLS) is not supported: Debian's hiredis is built without TLS; reach the server "
         "through a TLS tunnel (stunnel, spiped) or a unix socket");
  if (url.starts_with("unix://")) {
    std::string_view rest = url.substr(7);
    if (!rest.starts_with('/')) {
      const std::size_t at = rest.find("@/");
      if (at == std::string_view::npos) fail(url, "the socket path must be absolute (unix:///path/to.sock)");
      credentials(url, rest.substr(0, at), out);
      rest.remove_prefix(at + 1);
    }
    const std::size_t query = rest.find('?');
    out.socket = percent_decoded(url, rest.substr(0, query));
    if (out.socket.size() < 2) fail(url, "no socket path");
    if (query != std::string_view::npos) {
      const std::string_view q = rest.substr(query + 1);
      if (!q.starts_with("db=")) fail(url, "the only query parameter is db=N");
      out.db = number(url, q.substr(3), 0, 1 << 20, "db");
    }
    return out;
  }
  if (!url.starts_with("redis://")) fail(url, "the scheme must be redis:// or unix://");
  std::string_view rest = url.substr(8);
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) out.db = number(url, db, 0, 1 << 20, "db");
  }
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    credentials(url, authority.substr(0, at), out);
    authority.remove_prefix(at + 1);
  }
  std::string_view port;
  if (authority.starts_with('[')) {  // an IPv6 literal
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) fail(url, "an unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) fail(url, "text after the IPv6 host");
    if (!after.empty()) port = after.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (colon != std::string_view::npos && port.empty()) fail(url, "an empty port");
  }
  if (out.host.empty()) fail(url, "no host");
  if (!port.empty()) out.port = number(url, port, 1, 65535, "port");
  return out;
}

}  // namespace cachet::detail
