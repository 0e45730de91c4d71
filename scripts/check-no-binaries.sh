#!/usr/bin/env bash
# Fail when git tracks a binary file. Wheels, databases, spreadsheets, PDFs and compiled
# translations are built or downloaded (`make setup`, `make messages`) or made by the test that
# needs them; they never belong in the repository.
#
# Git decides what is binary, as it does for `git diff`: a NUL byte near the start of the file,
# or a `binary` / `-diff` attribute in .gitattributes. The check reads the index, so a binary
# that is only staged (`git add`) is caught before it is committed. No output and exit 0 when
# the repository is clean.
set -euo pipefail
cd "$(dirname "$0")/.."

empty_tree=$(git hash-object -t tree /dev/null)
# --numstat prints "-<TAB>-<TAB>path" for a binary file.
binaries=$(
  git -c core.quotepath=off diff --cached --numstat --no-renames --no-textconv --no-ext-diff \
    "$empty_tree" | awk -F '\t' '$1 == "-" && $2 == "-" { print $3 }'
)
if [ -n "$binaries" ]; then
  {
    echo "Binary files are tracked by git:"
    sed 's/^/  /' <<<"$binaries"
    echo "Remove them with 'git rm --cached FILE' and keep them out with .gitignore."
  } >&2
  exit 1
fi
