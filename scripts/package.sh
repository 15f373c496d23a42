#!/usr/bin/env bash
# Builds the deployable Azure Functions zip, artifacts/edurelief.zip:
#
#   host.json                  the Functions host configuration (customHandler -> handler/EduRelief)
#   <FunctionName>/function.json  one per functions/<FunctionName>/function.json
#   handler/EduRelief          the app's executable apphost (framework-dependent, linux-x64)
#   handler/...                the rest of the published app
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT_NAME=package.sh
cd "$REPO_ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# EDURELIEF_PACKAGE_OUT moves the output (tests package into a temporary folder).
OUT_DIR="${EDURELIEF_PACKAGE_OUT:-$REPO_ROOT/artifacts}"
PACKAGE_DIR="$OUT_DIR/package"
ZIP_FILE="$OUT_DIR/edurelief.zip"
PROJECT_DIR=functions/EduRelief

# host.json lives at the repository root (the local runner's functions root); functions/host.json
# is accepted too.
host_json=""
for candidate in host.json functions/host.json; do
  if [[ -f "$candidate" ]]; then
    host_json="$candidate"
    break
  fi
done
[[ -n "$host_json" ]] || die "no host.json (looked for host.json and functions/host.json)"

rm -rf "$PACKAGE_DIR" "$ZIP_FILE"
mkdir -p "$PACKAGE_DIR"

say "publishing $PROJECT_DIR (Release, linux-x64, framework-dependent)"
dotnet publish "$PROJECT_DIR/EduRelief.csproj" -c Release -r linux-x64 --self-contained false \
  -o "$PACKAGE_DIR/handler" --nologo -v quiet
[[ -f "$PACKAGE_DIR/handler/EduRelief" ]] || die "publish produced no handler/EduRelief executable"
chmod 755 "$PACKAGE_DIR/handler/EduRelief"

cp "$host_json" "$PACKAGE_DIR/host.json"
if ! grep -q '"handler/EduRelief"' "$PACKAGE_DIR/host.json"; then
  say "warning: $host_json does not name \"handler/EduRelief\" as the custom handler's defaultExecutablePath"
fi

count=0
for function_json in functions/*/function.json; do
  [[ -f "$function_json" ]] || continue
  name="$(basename "$(dirname "$function_json")")"
  [[ "$name" != "EduRelief" ]] || continue # the app project, not a function
  mkdir -p "$PACKAGE_DIR/$name"
  cp "$function_json" "$PACKAGE_DIR/$name/function.json"
  count=$((count + 1))
done
[[ $count -gt 0 ]] || say "warning: no functions/*/function.json found; the package has no functions"
say "packaged host.json and $count function(s)"

# Zip the folder's contents (paths relative to it), keeping the handler's executable bit.
if command -v zip >/dev/null; then
  (cd "$PACKAGE_DIR" && zip -qrX "$ZIP_FILE" .)
elif command -v python3 >/dev/null; then
  python3 - "$PACKAGE_DIR" "$ZIP_FILE" <<'PY'
import os, stat, sys, zipfile

root, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, root))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(os.stat(path).st_mode)) << 16
            with open(path, "rb") as source:
                archive.writestr(info, source.read())
PY
else
  die "neither zip nor python3 is installed (apt-get install zip)"
fi

say "wrote ${ZIP_FILE#"$REPO_ROOT"/} ($(du -h "$ZIP_FILE" | cut -f1))"
echo "$ZIP_FILE"
