#!/usr/bin/env bash
# Runs EduRelief locally: installs what is missing, starts Azurite (unless EDURELIEF_STORAGE
# names a storage account) and the app, and stops both on Ctrl-C.
#
# Settings (all optional):
#   EDURELIEF_PORT                  app port (7071)
#   EDURELIEF_ADMIN_KEY             admin API key (else .data/admin-key, created on first run)
#   EDURELIEF_STORAGE               storage connection string; when set, no Azurite is started
#   EDURELIEF_AZURITE_BLOB_PORT     Azurite ports (10000, 10001, 10002)
#   EDURELIEF_AZURITE_QUEUE_PORT
#   EDURELIEF_AZURITE_TABLE_PORT
#   EDURELIEF_DEV_CLOCK             true to enable the development clock (false)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT_NAME=run.sh
cd "$REPO_ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

APP_PORT="${EDURELIEF_PORT:-7071}"
BLOB_PORT="${EDURELIEF_AZURITE_BLOB_PORT:-10000}"
QUEUE_PORT="${EDURELIEF_AZURITE_QUEUE_PORT:-10001}"
TABLE_PORT="${EDURELIEF_AZURITE_TABLE_PORT:-10002}"
DATA_DIR="$REPO_ROOT/.data"
APP_DIR="$REPO_ROOT/functions/EduRelief/bin/Release/net10.0"
APP_URL="http://127.0.0.1:$APP_PORT"
AZURITE_WAIT_SECONDS=30
APP_WAIT_SECONDS=60
# Azurite's well-known development account key (public, documented by Microsoft).
AZURITE_ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

APP_PID=""
AZURITE_PID=""

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# shellcheck disable=SC2317 # invoked from the EXIT trap
# Sends TERM to the children that are still running and waits for them (KILL after 15 s).
stop_children() {
  local pid pids=() waited=0
  for pid in "$APP_PID" "$AZURITE_PID"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  say "stopping (pids ${pids[*]})"
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [[ $waited -lt 150 ]]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid did not stop in 15 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  APP_PID=""
  AZURITE_PID=""
  say "stopped"
}

trap stop_children EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$DATA_DIR"

# --- admin key -------------------------------------------------------------------------------
if [[ -n "${EDURELIEF_ADMIN_KEY:-}" ]]; then
  ADMIN_KEY="$EDURELIEF_ADMIN_KEY"
  say "admin key: from EDURELIEF_ADMIN_KEY"
elif [[ -s "$DATA_DIR/admin-key" ]]; then
  ADMIN_KEY="$(tr -d '\r\n' <"$DATA_DIR/admin-key")"
  say "admin key: from .data/admin-key"
else
  ADMIN_KEY="er_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  (umask 077 && printf '%s\n' "$ADMIN_KEY" >"$DATA_DIR/admin-key")
  chmod 600 "$DATA_DIR/admin-key"
  say "admin key: generated into .data/admin-key"
fi

# --- install and build -----------------------------------------------------------------------
if [[ -z "${EDURELIEF_STORAGE:-}" ]]; then
  command -v node >/dev/null || die "node is not installed; install Node.js 20 or later (Azurite needs it)"
  ensure_node_modules
fi

command -v dotnet >/dev/null || die "dotnet is not installed; install the .NET 10 SDK"
say "building functions/EduRelief (Release)"
if ! build_output="$(dotnet build functions/EduRelief/EduRelief.csproj -c Release --nologo -v quiet 2>&1)"; then
  printf '%s\n' "$build_output" >&2
  die "the build failed (errors above)"
fi
[[ -f "$APP_DIR/EduRelief.dll" ]] || die "build produced no $APP_DIR/EduRelief.dll"

# --- ports -----------------------------------------------------------------------------------
if port_open "$APP_PORT"; then
  die "port $APP_PORT is already in use (another run.sh or func host?); stop it or set EDURELIEF_PORT"
fi

# --- storage ---------------------------------------------------------------------------------
if [[ -n "${EDURELIEF_STORAGE:-}" ]]; then
  STORAGE="$EDURELIEF_STORAGE"
  say "storage: EDURELIEF_STORAGE (Azurite not started)"
else
  for spec in "blob:$BLOB_PORT:EDURELIEF_AZURITE_BLOB_PORT" "queue:$QUEUE_PORT:EDURELIEF_AZURITE_QUEUE_PORT" \
    "table:$TABLE_PORT:EDURELIEF_AZURITE_TABLE_PORT"; do
    IFS=: read -r service port variable <<<"$spec"
    if port_open "$port"; then
      die "port $port (Azurite $service) is already in use (another Azurite?); stop it, set $variable, or set EDURELIEF_STORAGE to use that storage"
    fi
  done

  say "starting Azurite on ports $BLOB_PORT/$QUEUE_PORT/$TABLE_PORT (log: .data/azurite.log)"
  mkdir -p "$DATA_DIR/azurite"
  node node_modules/azurite/dist/src/azurite.js \
    --location "$DATA_DIR/azurite" --silent --skipApiVersionCheck --loose --disableTelemetry \
    --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" \
    --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
    --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" \
    >>"$DATA_DIR/azurite.log" 2>&1 &
  AZURITE_PID=$!

  deadline=$((SECONDS + AZURITE_WAIT_SECONDS))
  until port_open "$BLOB_PORT" && port_open "$QUEUE_PORT" && port_open "$TABLE_PORT"; do
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
      tail -n 20 "$DATA_DIR/azurite.log" >&2 || true
      die "Azurite exited during start-up (see .data/azurite.log)"
    fi
    if [[ $SECONDS -ge $deadline ]]; then
      tail -n 20 "$DATA_DIR/azurite.log" >&2 || true
      die "Azurite did not open its ports within $AZURITE_WAIT_SECONDS s (see .data/azurite.log)"
    fi
    sleep 0.2
  done
  say "Azurite is up (pid $AZURITE_PID)"

  STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_ACCOUNT_KEY;"
  STORAGE+="BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;"
  STORAGE+="QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;"
  STORAGE+="TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"
fi

# --- app -------------------------------------------------------------------------------------
# Started from its build output folder, so its content root (appsettings*.json) is that folder.
say "starting the app on $APP_URL"
(
  cd "$APP_DIR"
  export ASPNETCORE_ENVIRONMENT=Development
  export AzureWebJobsStorage="$STORAGE"
  export EDURELIEF_ADMIN_KEY="$ADMIN_KEY"
  export EDURELIEF_LOCAL_RUNNER=true
  export EDURELIEF_DEV_CLOCK="${EDURELIEF_DEV_CLOCK:-false}"
  export EDURELIEF_FUNCTIONS_ROOT="$REPO_ROOT"
  exec dotnet EduRelief.dll --urls "$APP_URL"
) &
APP_PID=$!

deadline=$((SECONDS + APP_WAIT_SECONDS))
until curl -fsS -o /dev/null --max-time 2 "$APP_URL/api/health" 2>/dev/null; do
  if ! kill -0 "$APP_PID" 2>/dev/null; then
    die "the app exited during start-up (see its output above)"
  fi
  if [[ -n "$AZURITE_PID" ]] && ! kill -0 "$AZURITE_PID" 2>/dev/null; then
    die "Azurite exited (see .data/azurite.log)"
  fi
  if [[ $SECONDS -ge $deadline ]]; then
    die "GET $APP_URL/api/health did not answer 200 within $APP_WAIT_SECONDS s"
  fi
  sleep 0.5
done

cat <<EOF

EduRelief is running at $APP_URL
Web console: $APP_URL/console/ (sign in with the admin key)
Admin key: $ADMIN_KEY

Try:
  curl -s -H "X-Api-Key: $ADMIN_KEY" -H 'Content-Type: application/json' -d '{"countyCode":"410726","semester":"2026-autumn","noticeDays":5}' $APP_URL/api/cycles

Press Ctrl-C to stop.

EOF

# Runs until Ctrl-C/TERM (the traps stop both children) or until either child exits.
children=("$APP_PID")
[[ -z "$AZURITE_PID" ]] || children+=("$AZURITE_PID")
status=0
wait -n "${children[@]}" || status=$?
if ! kill -0 "$APP_PID" 2>/dev/null; then
  APP_PID=""
  say "the app exited (status $status); stopping"
else
  AZURITE_PID=""
  say "Azurite exited (status $status, see .data/azurite.log); stopping the app"
fi
exit 1
