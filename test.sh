#!/usr/bin/env bash
# Runs every EduRelief test: the xunit suite (which starts its own Azurite from node_modules and drives Debian's
# Chromium for the browser tests, installed here when missing) and, when infra/main.bicep exists, a Bicep build and lint.
# Ends with one line "N passed, N failed[, N skipped]"; exits non-zero if anything failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT_NAME=test.sh
cd "$REPO_ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

export EDURELIEF_REPO_ROOT="$REPO_ROOT"

BICEP_VERSION=0.49.2
RESULTS_DIR="$REPO_ROOT/artifacts/test-results"

# Builds and lints infra/main.bicep with the Bicep CLI from NuGet. Any warning or error fails.
check_bicep() {
  local template=infra/main.bicep
  say "restoring Bicep CLI $BICEP_VERSION"
  # (set -e does not apply inside a function called with ||, hence the explicit returns.)
  dotnet restore scripts/bicep/bicep.csproj -p:BicepVersion="$BICEP_VERSION" --verbosity quiet || return 1

  local packages bicep
  packages="$(dotnet msbuild scripts/bicep/bicep.csproj -getProperty:NuGetPackageRoot)" || return 1
  bicep="${packages%/}/azure.bicep.commandline.linux-x64/$BICEP_VERSION/tools/bicep"
  [[ -f "$bicep" ]] || { echo "bicep CLI not found at $bicep" >&2; return 1; }
  chmod +x "$bicep" || return 1
  # Packaging/InfraTests runs the same binary.
  export EDURELIEF_BICEP="$bicep"

  local output status=0
  say "bicep build $template"
  output="$("$bicep" build "$template" --stdout 2>&1 >/dev/null)" || status=$?
  if [[ $status -ne 0 || -n "$output" ]]; then
    printf '%s\n' "$output" >&2
    echo "bicep build reported problems (exit $status)" >&2
    return 1
  fi

  say "bicep lint $template"
  output="$("$bicep" lint "$template" 2>&1)" || status=$?
  if [[ $status -ne 0 || -n "$output" ]]; then
    printf '%s\n' "$output" >&2
    echo "bicep lint reported problems (exit $status)" >&2
    return 1
  fi
  say "bicep: no warnings or errors"
}

# Reads one integer attribute of the <Counters .../> element of a TRX file (0 when absent).
trx_counter() {
  local file=$1 name=$2 value
  value="$(grep -o '<Counters [^>]*>' "$file" | grep -o " $name=\"[0-9]*\"" | head -n 1 | grep -o '[0-9][0-9]*' || true)"
  printf '%s\n' "${value:-0}"
}

# Prints each failed test of a TRX file with the first lines of its message, so that the end of the log, which is
# all a CI page may show, names what failed.
print_failures() {
  local file=$1
  awk '
    function unescape(s) {
      gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s); gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s)
      gsub(/&#xD;/, "", s); gsub(/&#xA;/, " ", s); gsub(/&amp;/, "\\&", s)
      return s
    }
    /<UnitTestResult / && /outcome="(Failed|Error|Timeout|Aborted)"/ {
      name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
      print "FAILED " unescape(name); failing = 1; lines = 0; next
    }
    failing && /<\/UnitTestResult>/ { failing = 0; inmessage = 0; next }
    failing && /<Message>/ { inmessage = 1 }
    failing && inmessage && lines < 12 { line = $0; gsub(/<\/?Message>/, "", line); print "  " unescape(line); lines++ }
    failing && /<\/Message>/ { inmessage = 0 }
  ' "$file"
}

ensure_node_modules
# Exports EDURELIEF_CHROMIUM; the browser tests (tests/EduRelief.Tests/Console) launch it through Playwright.
ensure_chromium

bicep_status=0
if [[ -f infra/main.bicep ]]; then
  check_bicep || bicep_status=1
fi

say "dotnet restore"
dotnet restore EduRelief.sln
say "dotnet build (Release)"
dotnet build EduRelief.sln -c Release --no-restore

rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"
say "dotnet test"
test_status=0
dotnet test EduRelief.sln -c Release --no-build \
  --results-directory "$RESULTS_DIR" \
  --logger "console;verbosity=normal" \
  --logger "trx;LogFilePrefix=edurelief" \
  --blame-hang-timeout 20m --blame-hang-dump-type none \
  || test_status=$?

# One TRX file per test project; add their counters up.
shopt -s nullglob
trx_files=("$RESULTS_DIR"/*.trx)
shopt -u nullglob
passed=0 failed=0 skipped=0
for trx in "${trx_files[@]}"; do
  passed=$((passed + $(trx_counter "$trx" passed)))
  failed=$((failed + $(trx_counter "$trx" failed) + $(trx_counter "$trx" error) + $(trx_counter "$trx" timeout) + $(trx_counter "$trx" aborted)))
  # Skipped tests are counted in total but not in executed (notExecuted stays 0 for them).
  skipped=$((skipped + $(trx_counter "$trx" total) - $(trx_counter "$trx" executed)))
done

if [[ $failed -gt 0 ]]; then
  for trx in "${trx_files[@]}"; do
    print_failures "$trx"
  done
fi
if [[ ${#trx_files[@]} -eq 0 ]]; then
  echo "test.sh: dotnet test wrote no TRX result file to $RESULTS_DIR" >&2
  [[ $test_status -ne 0 ]] || test_status=1
fi
if [[ $test_status -ne 0 && $failed -eq 0 ]]; then
  echo "test.sh: dotnet test exited with $test_status" >&2
fi
if [[ $bicep_status -ne 0 ]]; then
  echo "test.sh: the Bicep check of infra/main.bicep failed (see above)" >&2
fi

if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi

if [[ $test_status -ne 0 || $failed -ne 0 || $bicep_status -ne 0 ]]; then
  exit 1
fi
