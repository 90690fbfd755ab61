#!/usr/bin/env bash
# Installs what exrm's demo and tests need and a fresh Debian 12 machine lacks: Erlang/OTP (with its
# sources, which the tests read), Elixir, rebar3, shellcheck (the tests check the scripts a release
# ships with it), a C compiler (the tests build a NIF) and git (the tests take dependencies from git),
# from Debian's packages. Does nothing when they are all there already.
set -euo pipefail

# shellcheck source=scripts/lib/debian-packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/debian-packages.sh"

packages=(erlang-nox erlang-dev erlang-src elixir rebar3 shellcheck gcc libc6-dev git)
if [ -z "$(missing_debian_packages "${packages[@]}")" ]; then
    exit 0
fi
install_debian_packages "${packages[@]}"
echo "Installed: $(erl -noshell -eval 'io:format("OTP ~s", [erlang:system_info(otp_release)]), halt().'), $(elixir --short-version 2>/dev/null | sed 's/^/Elixir /'), $(rebar3 version | cut -d' ' -f1-2), $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"
