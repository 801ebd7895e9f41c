#!/usr/bin/env bash
# Print a Python >= 3.12 interpreter, preferring 3.13 (the Lambda runtime). pyenv shims for a
# version that is installed but not selected fail when run, so each candidate is tried for real.
set -u
candidates=(python3.13 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13 python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 python3)
for candidate in "${candidates[@]}"; do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "no Python 3.12 or newer found" >&2
exit 1
