#!/bin/bash
# Helpers sourced by run.sh and test.sh.

MFA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Packages of the given groups of scripts/packages.txt ("build", "app", "test").
mfa_packages() {
    local want=" $* " group=""
    while IFS= read -r line; do
        line="${line%%#*}"
        line="${line//[[:space:]]/}"
        [ -z "$line" ] && continue
        if [[ "$line" =~ ^\[(.*)\]$ ]]; then
            group="${BASH_REMATCH[1]}"
        elif [[ "$want" == *" $group "* ]]; then
            echo "$line"
        fi
    done < "$MFA_ROOT/scripts/packages.txt"
}

# Installs what is missing of the given groups; does nothing (and needs no network) when all are there.
mfa_ensure_packages() {
    local missing=() p provided
    # An installed package that Provides a name counts as that name (NodeSource's nodejs provides
    # npm, and apt refuses Debian's npm beside it).
    provided=" $(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null | sed -n 's/^ii *|//p' |
        tr ',' '\n' | sed 's/ *(.*//; s/^ *//' | tr '\n' ' ') "
    for p in $(mfa_packages "$@"); do
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ] &&
            [[ "$provided" != *" $p "* ]]; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures and builds a build directory: mfa_build DIR [meson setup options...]. An existing
# directory keeps its other options; given options are applied with `meson setup --reconfigure`,
# which (unlike `meson configure`) first re-reads meson_options.txt, so an option whose type changed
# (tests: boolean, now a feature) takes its new values.
mfa_build() {
    local dir="$1" out
    shift
    if [ ! -f "$MFA_ROOT/$dir/build.ninja" ]; then
        meson setup "$MFA_ROOT/$dir" "$MFA_ROOT" "$@" || return 1
    elif [ $# -gt 0 ]; then
        out="$(meson setup --reconfigure "$MFA_ROOT/$dir" "$MFA_ROOT" "$@" 2>&1)" || { echo "$out" >&2; return 1; }
    fi
    meson compile -C "$MFA_ROOT/$dir"
}
