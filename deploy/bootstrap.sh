#!/usr/bin/env bash
# Create the virtualenv with Python 3.11 and install the project with its test tools.
set -euo pipefail
venv=${1:-.venv}

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python=$candidate; break
  fi
done
if [ -z "$python" ]; then
  echo "bootstrap: Python 3.11 is required (nameko 2.14 and eventlet); install it, e.g. apt-get install -y python3.11 python3.11-venv" >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bootstrap: installing python3-venv with apt"
      apt-get install -y -qq python3-venv >/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
      "$python" -m venv "$venv"
    else
      echo "bootstrap: '$python -m venv' failed; install the venv module (Debian: sudo apt-get install -y python3-venv)" >&2
      exit 1
    fi
  fi
fi
echo "bootstrap: installing packages into $venv (first time takes a minute)"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
