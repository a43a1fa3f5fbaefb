#!/bin/bash
# `meson install` into a DESTDIR installs mfa's shell completion for bash, zsh and fish and its man
# page where those look for them; each script parses in its shell (bash -n, zsh -n, fish -n) and
# completes mfa's commands, nested subcommands and options; the man page renders.
#   install_extras.sh BUILD_DIR
set -euo pipefail
build="$1"
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest/install.log" 2>&1 || { cat "$dest/install.log"; exit 1; }

status=0
fail() { echo "FAIL: $*"; status=1; }
find_one() { find "$dest" -path "$1" -type f -print -quit; }
bash_c=$(find_one '*/share/bash-completion/completions/mfa')
zsh_c=$(find_one '*/share/zsh/vendor-completions/_mfa')
fish_c=$(find_one '*/share/fish/vendor_completions.d/mfa.fish')
man_p=$(find_one '*/share/man/man1/mfa.1')
for f in bash_c zsh_c fish_c man_p; do [ -n "${!f}" ] || fail "not installed: $f"; done
[ "$status" -eq 0 ] || exit 1

checked=0
bash -n "$bash_c" || fail "bash -n $bash_c"
got=$(bash -c 'source "$1"; COMP_WORDS=(mfa co); COMP_CWORD=1; _mfa; echo "${COMPREPLY[*]}"' _ "$bash_c")
[[ " $got " == *" code "* && " $got " == *" completion "* ]] || fail "bash: 'mfa co' completed to '$got'"
got=$(bash -c 'source "$1"; COMP_WORDS=(mfa token pin ""); COMP_CWORD=3; _mfa; echo "${COMPREPLY[*]}"' _ "$bash_c")
[[ " $got " == *" set "* && " $got " == *" change "* ]] || fail "bash: 'mfa token pin' completed to '$got'"
got=$(bash -c 'source "$1"; COMP_WORDS=(mfa code --js); COMP_CWORD=2; _mfa; echo "${COMPREPLY[*]}"' _ "$bash_c")
[ "$got" = "--json" ] || fail "bash: 'mfa code --js' completed to '$got'"
checked=$((checked + 1))
if command -v zsh >/dev/null; then
    zsh -n "$zsh_c" || fail "zsh -n $zsh_c"
    head -1 "$zsh_c" | grep -qx '#compdef mfa' || fail "zsh: no #compdef line"
    checked=$((checked + 1))
else
    echo "skipped: zsh is not installed (Debian zsh)"
fi
if command -v fish >/dev/null; then
    fish -n "$fish_c" || fail "fish -n $fish_c"
    got=$(fish -c 'source $argv[1]; complete -C "mfa token pin "' "$fish_c" 2>&1)
    grep -q '^set' <<<"$got" && grep -q '^change' <<<"$got" || fail "fish: 'mfa token pin' completed to '$got'"
    got=$(fish -c 'source $argv[1]; complete -C "mfa code --js"' "$fish_c" 2>&1)
    grep -q '^--json' <<<"$got" || fail "fish: 'mfa code --js' completed to '$got'"
    checked=$((checked + 1))
else
    echo "skipped: fish is not installed (Debian fish)"
fi
if command -v man >/dev/null; then
    page=$(MANWIDTH=100 man -l "$man_p" 2>&1)
    for want in "EXIT STATUS" "mfa code" "--secret" "MFA_VAULT" "130"; do
        grep -qF -- "$want" <<<"$page" || fail "man page lacks '$want'"
    done
else
    echo "skipped: man is not installed (Debian man-db)"
fi
[ "$status" -eq 0 ] || exit 1
echo "completion scripts checked in $checked shells; man page renders"
