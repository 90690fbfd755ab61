#!/usr/bin/env bash
# Installs what exrm's demo and tests need and a fresh Debian 12 machine lacks: Erlang/OTP (with its
# sources, which the tests read), Elixir, rebar3 and shellcheck (the tests check the scripts a release
# ships with it), from Debian's packages. Does nothing when they are all there already.
set -euo pipefail

packages=(erlang-nox erlang-dev erlang-src elixir rebar3 shellcheck)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "exrm: these Debian packages are missing: ${missing[*]}; install them as root (apt-get install ${missing[*]})." >&2
        exit 1
    fi
fi

echo "Installing ${missing[*]} from Debian's packages..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: $(erl -noshell -eval 'io:format("OTP ~s", [erlang:system_info(otp_release)]), halt().'), $(elixir --short-version 2>/dev/null | sed 's/^/Elixir /'), $(rebar3 version | cut -d' ' -f1-2), $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"
