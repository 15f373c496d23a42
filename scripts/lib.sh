# shellcheck shell=bash
# Helpers shared by run.sh, test.sh and scripts/package.sh. Source it; don't run it.
# Callers set REPO_ROOT and cd there first.

# Keep the .NET CLI quiet and from phoning home.
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# One progress line, prefixed with the calling script's name.
say() {
  printf '%s: %s\n' "${SCRIPT_NAME:-edurelief}" "$*"
}

die() {
  printf '%s: error: %s\n' "${SCRIPT_NAME:-edurelief}" "$*" >&2
  exit 1
}

# npm ci when node_modules lacks Azurite or package-lock.json differs from the one last installed
# (recorded as its SHA-256 in node_modules/.edurelief-lock.sha256).
ensure_node_modules() {
  # The lock file's content, not its mtime, decides: a fresh checkout or worktree has a new mtime and the same packages.
  local stamp=node_modules/.edurelief-lock.sha256 want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ ! -d node_modules/azurite ]]; then
    say "installing npm packages (node_modules/azurite is missing)"
  elif [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    say "installing npm packages (package-lock.json changed)"
  else
    return 0
  fi
  command -v npm >/dev/null || die "npm is not installed; install Node.js 20 or later"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$want" > "$stamp"
}
