#!/usr/bin/env bash
# Gateway CPU per bad hello from one address: once refused after parsing (rate limits off), once refused at the door
# (429, default limits). Usage: bench/hello-flood.sh [MEASURED] [WARMUP]; results go to docs/benchmarks.md by hand.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
measured=${1:-20000}
warmup=${2:-5000}
[ -f target/iomt-gateway.jar ] || mvn -q -o package -DskipTests

run() { # $1 = label, then env assignments for the gateway
  local label=$1; shift
  local dir; dir=$(mktemp -d)
  local port=$((20000 + RANDOM % 9000))
  env "$@" IOMT_DATA_DIR="$dir" IOMT_HTTP_PORT=$port IOMT_MQTT_PORT=$((port + 1)) IOMT_MANAGEMENT_PORT=$((port + 2)) \
    IOMT_OPERATOR_TOKEN=flood-operator IOMT_AUDITOR_TOKEN=flood-auditor ./iomt gateway > "$dir/gateway.log" 2>&1 &
  local launcher=$!
  for _ in $(seq 1 120); do grep -q "Gateway listening" "$dir/gateway.log" && break; sleep 0.5; done
  local pid=$launcher # ./iomt execs the JVM
  echo "== $label (gateway pid $pid)"
  java -cp target/iomt-gateway.jar bench/HelloFlood.java "http://127.0.0.1:$port/api/v1" "$pid" "$warmup" "$measured"
  kill "$pid" 2>/dev/null || true; wait "$launcher" 2>/dev/null || true
  rm -rf "$dir"
}

run "rate limits off: every bad hello parsed and refused (400)" IOMT_LIMITS_SOURCE_REJECTIONS_RATE=0 IOMT_LIMITS_DEVICE_REJECTIONS_RATE=0
run "default limits: refused at the door (429) once the address spent its rejections"
