# Sourced by scripts/up and scripts/test: create .venv on first use and install the project into
# it only when its dependencies changed (pyproject.toml or the extras asked for), so a start
# after the first does not wait for pip. The stamp lives in the venv: a new venv installs again.
# Usage: install_project '.' | install_project '.[train,test]'

_deps_hash() {
  { printf '%s\n' "$1"; cat pyproject.toml; } | { sha256sum 2>/dev/null || shasum -a 256; } \
    | cut -d' ' -f1
}

install_project() {
  local spec=$1 stamp want
  if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
  fi
  stamp=".venv/.stancestream-installed-$(printf '%s' "$spec" | tr -c 'a-zA-Z0-9' '_')"
  want=$(_deps_hash "$spec")
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "installing $spec into .venv (first run, or pyproject.toml changed)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e "$spec"
  printf '%s\n' "$want" >"$stamp"  # only once pip succeeded
}
