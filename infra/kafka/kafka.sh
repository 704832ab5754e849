#!/usr/bin/env bash
# Runs a real single-node Apache Kafka 4.x broker (KRaft) on 127.0.0.1:9092 for
# development and tests. The broker's jars come from Maven Central through Maven and
# live in a cache outside git.
#   kafka.sh start   fetch if needed, format storage, start, wait, create declared topics
#   kafka.sh stop    stop the broker started by this script
#   kafka.sh status  exit 0 when a broker answers on 127.0.0.1:9092
#   kafka.sh fetch   only download the jars
# A second broker (e.g. one a test stops and starts) takes other ports and its own state:
#   KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 EVALVAULT_KAFKA_INSTANCE=/tmp/b2 kafka.sh start
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${EVALVAULT_KAFKA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/evalvault/kafka}"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
lib="$cache/lib-$version"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
instance="${EVALVAULT_KAFKA_INSTANCE:-$cache}"   # data, logs, pid file and configuration of this broker
data="$instance/data"
logs="$instance/logs"
pidfile="$instance/broker.pid"
export KAFKA_BROKERS="127.0.0.1:$port"            # for await-broker.js

log() { echo "[kafka] $*" >&2; }

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; }

fetch() {
  if [[ -f "$lib/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch the broker"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required to run the broker"; exit 1; }
  log "fetching Apache Kafka $version from Maven Central into $lib"
  mkdir -p "$lib"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib"
  touch "$lib/.complete"
}

configure() {
  mkdir -p "$data" "$logs"
  sed -e "s#@DATA_DIR@#$data#" -e "s#127.0.0.1:9092#127.0.0.1:$port#g" -e "s#127.0.0.1:9093#127.0.0.1:$controller_port#g" \
    "$here/server.properties" > "$instance/server.properties"
  if [[ ! -f "$data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    log "formatting KRaft storage (cluster $cluster_id)"
    java -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$logs" -cp "$lib/*" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$instance/server.properties" --ignore-formatted >/dev/null
  fi
}

start() {
  if running_pid >/dev/null; then log "already running (pid $(cat "$pidfile"))"; await_ready; return 0; fi
  if port_open; then log "a broker already answers on 127.0.0.1:$port; using it"; await_ready; return 0; fi
  fetch
  configure
  log "starting broker $version on 127.0.0.1:$port (logs: $logs)"
  nohup setsid java -Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$logs" \
    -cp "$lib/*" kafka.Kafka "$instance/server.properties" >"$logs/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  await_ready
}

await_ready() {
  # The admin client decides readiness (describeCluster), then creates the declared topics.
  if ! node "$root/infra/dist/kafka/await-broker.js"; then
    log "broker did not become ready; last log lines:"
    tail -n 40 "$logs/server.log" "$logs/stdout.log" >&2 2>/dev/null || true
    exit 1
  fi
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then log "not running"; rm -f "$pidfile"; return 0; fi
  log "stopping broker (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "stopped"; return 0; }; sleep 0.5; done
  log "broker did not stop within 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) port_open ;;
  fetch) fetch ;;
  *) echo "usage: $0 start|stop|status|fetch" >&2; exit 2 ;;
esac
