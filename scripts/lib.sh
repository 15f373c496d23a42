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

# Debian's Chromium for the browser tests (Microsoft.Playwright drives it; Playwright's own browser download does not
# work on a closed network), and a Chinese font so pages and screenshots show 汉字 rather than empty boxes. Installs the
# `chromium` package when ${EDURELIEF_CHROMIUM:-/usr/bin/chromium} is missing and `fonts-wqy-microhei` when fontconfig
# knows no Chinese font, through sudo when not root; exports EDURELIEF_CHROMIUM for the tests.
ensure_chromium() {
  local chromium="${EDURELIEF_CHROMIUM:-/usr/bin/chromium}" missing=()
  [[ -x "$chromium" ]] || missing+=(chromium)
  if ! command -v fc-list >/dev/null || [[ -z "$(fc-list :lang=zh family)" ]]; then
    missing+=(fonts-wqy-microhei)
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null \
        || die "installing ${missing[*]} for the browser tests needs root: run 'apt-get install ${missing[*]}' as root, or set EDURELIEF_CHROMIUM to a Chromium binary"
      sudo=(sudo)
    fi
    command -v apt-get >/dev/null || die "apt-get is not available to install ${missing[*]} for the browser tests; install Chromium and set EDURELIEF_CHROMIUM to its binary"
    say "installing ${missing[*]} for the browser tests"
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed; cannot install ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
    [[ -x "$chromium" ]] || die "chromium was installed but $chromium is still missing; set EDURELIEF_CHROMIUM to its binary"
  fi
  export EDURELIEF_CHROMIUM="$chromium"
  # Playwright must never fetch browsers of its own (its download needs the internet).
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
}
