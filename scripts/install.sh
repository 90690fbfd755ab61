#!/usr/bin/env bash
# Builds exrm as one native binary (.NET NativeAOT: no .NET runtime needed to run it) and installs it as
# PREFIX/bin/exrm; PREFIX is ~/.local unless given. Running it again rebuilds and replaces the binary.
# Needs the .NET 10 SDK, clang and zlib's headers; on Debian, the last two are installed from Debian's
# packages when missing (with sudo when not run as root), as scripts/prerequisites.sh does for OTP.
set -euo pipefail

usage="usage: bash scripts/install.sh [PREFIX]   (default PREFIX: ~/.local; installs PREFIX/bin/exrm)"
if [ $# -gt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    echo "$usage" >&2
    exit 64
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-${HOME:?exrm: HOME is not set; give a PREFIX}/.local}"
if [ -z "$prefix" ]; then
    echo "exrm: PREFIX is empty. $usage" >&2
    exit 64
fi
case "$prefix" in
    /*) ;;
    *) prefix="$PWD/$prefix" ;;
esac
bin="${prefix%/}/bin"

if ! command -v dotnet >/dev/null 2>&1; then
    echo "exrm: dotnet is not on PATH; install the .NET 10 SDK (https://dot.net) and run this again." >&2
    exit 69
fi

case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) arch=x64 ;;
    Linux/aarch64 | Linux/arm64) arch=arm64 ;;
    *)
        echo "exrm: no native build for $(uname -s) $(uname -m); run exrm from source with ./exrm instead." >&2
        exit 69
        ;;
esac
rid="linux-$arch"
if ldd --version 2>&1 | grep -qi musl; then
    rid="linux-musl-$arch"
fi

# The C compiler and linker NativeAOT links with: clang, or a versioned clang-N (the newest one).
find_clang() {
    if command -v clang >/dev/null 2>&1; then
        echo clang
        return
    fi
    compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n | tail -n 1 || true
}

missing=()
if [ -z "$(find_clang)" ]; then
    missing+=(clang)
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
    [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "exrm: the native build needs clang and zlib's headers (missing: ${missing[*]}); install them with your package manager and run this again." >&2
        exit 69
    fi
else
    # shellcheck source=scripts/lib/debian-packages.sh
    . "$root/scripts/lib/debian-packages.sh"
    install_debian_packages "${missing[@]}" zlib1g-dev || exit 69
fi
clang="$(find_clang)"
if [ -z "$clang" ]; then
    echo "exrm: clang is still not on PATH after installing it; install clang and run this again." >&2
    exit 69
fi

out="$root/artifacts/native/$rid"
echo "Building the native exrm ($rid, with $clang; a minute or more)..."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! dotnet publish "$root/src/Exrm.Cli/Exrm.Cli.csproj" -c Release -r "$rid" -o "$out" \
        -p:CppCompilerAndLinker="$clang" --nologo >"$log" 2>&1; then
    cat "$log" >&2
    echo "exrm: the native build failed (output above)." >&2
    exit 70
fi

if ! mkdir -p "$bin" 2>/dev/null || [ ! -w "$bin" ]; then
    echo "exrm: cannot write to $bin; choose another PREFIX, or run this as a user who can write there." >&2
    exit 73
fi
# Copied next to the old binary, then renamed over it: a running exrm keeps its file.
install -m 0755 "$out/exrm" "$bin/.exrm.new.$$"
mv -f "$bin/.exrm.new.$$" "$bin/exrm"

echo "Installed $("$bin/exrm" --version) as $bin/exrm."
case ":$PATH:" in
    *":$bin:"* | *":$bin/:"*)
        if [ "$(command -v exrm)" = "$bin/exrm" ]; then
            echo "$bin is on PATH: run exrm."
        else
            echo "$bin is on PATH, but another exrm comes first: $(command -v exrm)."
        fi
        ;;
    *)
        echo "$bin is not on PATH; add it, e.g. in ~/.profile: export PATH=\"$bin:\$PATH\""
        ;;
esac
