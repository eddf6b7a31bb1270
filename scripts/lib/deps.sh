# shellcheck shell=bash
# Shared set-up for scripts/demo, scripts/test and scripts/bench: installing
# the Debian packages cachet needs and configuring a CMake build directory.
# Source it; it defines functions only and changes no shell options.

# cachet_install_packages PKG...
# Installs with apt-get those of PKG... that dpkg does not report installed.
# As root it runs apt-get itself; otherwise it prints the sudo command to run
# and exits 1. On a system without dpkg it only warns.
cachet_install_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "cachet: dpkg-query not found (not Debian?); make sure these are installed: $*" >&2
    return 0
  fi
  local pkg status
  local missing=()
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "cachet: missing Debian packages: ${missing[*]}" >&2
    echo "cachet: install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "cachet: installing ${missing[*]}" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# cachet_abs_path PATH: PATH made absolute against the current directory.
cachet_abs_path() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

# cachet_configure SOURCE_DIR BUILD_DIR [CMAKE_ARG...]
# Configures BUILD_DIR with Ninja when it is installed, else Unix Makefiles.
# A build directory left by the other generator is reset first (CMake refuses
# to switch generators in place).
cachet_configure() {
  local src=$1 build=$2
  shift 2
  local generator="Unix Makefiles"
  if command -v ninja >/dev/null 2>&1; then
    generator="Ninja"
  fi
  local cache="$build/CMakeCache.txt"
  if [[ -f "$cache" ]] && ! grep -qxF "CMAKE_GENERATOR:INTERNAL=$generator" "$cache"; then
    echo "cachet: $build was configured with another generator; resetting it" >&2
    rm -rf "$cache" "$build/CMakeFiles"
  fi
  cmake -S "$src" -B "$build" -G "$generator" "$@"
}

# cachet_bench_packages: prints the Debian packages that only scripts/bench
# needs, on top of the build's: Google Benchmark; robin-map-dev, because
# tsl::robin_map is a baseline of the benchmarks (the library and its tests
# never use it, so scripts/test and users do not install it); xz-utils, to
# read the xz-compressed traces of bench/hitratio; python3, for
# scripts/bench_table.py; the remote storages' libraries and servers, for
# bench_remote (redis-tools brings redis-benchmark, its baseline).
cachet_bench_packages() {
  echo libbenchmark-dev robin-map-dev xz-utils python3 pkg-config libhiredis-dev libmemcached-dev redis-server \
    redis-tools memcached
}
