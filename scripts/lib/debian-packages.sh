# shellcheck shell=bash
# Sourced by the scripts that need Debian packages. install_debian_packages PACKAGE...: installs those of the
# packages that are not installed, with apt-get (through sudo when not run as root); says what it installs.
# Fails with a message saying what to install by hand when it cannot.

missing_debian_packages() { # missing_debian_packages PACKAGE...: prints those not installed, one per line
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            echo "$package"
        fi
    done
}

install_debian_packages() {
    local missing=()
    mapfile -t missing < <(missing_debian_packages "$@")
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "exrm: these packages are missing: ${missing[*]}; install them with your package manager." >&2
        return 1
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "exrm: these Debian packages are missing: ${missing[*]}; install them as root (apt-get install ${missing[*]})." >&2
            return 1
        fi
    fi
    echo "Installing ${missing[*]} from Debian's packages..."
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
