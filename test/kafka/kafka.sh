#!/usr/bin/env bash
# A real Apache Kafka cluster (KRaft, each node a combined broker + controller) on loopback
# ports, for the tests that run Tributary's Kafka backend. test/kafka/broker.ts drives it.
#
#   kafka.sh fetch                          fetch the broker jars (once) and print their folder
#   kafka.sh start --brokers 1|3 --dir DIR [--owner PID]
#                                           format and start the nodes, wait until every broker
#                                           serves, print the bootstrap string; with --owner the
#                                           cluster stops itself when process PID exits
#   kafka.sh stop --dir DIR [--node I] [--kill]
#                                           stop every node (or node I): SIGTERM, SIGKILL after
#                                           TRIBUTARY_KAFKA_STOP_TIMEOUT_S; --kill: SIGKILL at once
#   kafka.sh restart --dir DIR --node I     start node I again on its data and ports, wait
#
# Environment: TRIBUTARY_KAFKA_VERSION (default: test/kafka/broker/pom.xml),
# TRIBUTARY_KAFKA_CACHE (jar folder), TRIBUTARY_KAFKA_PORT_BASE (ports BASE.. instead of free
# ones), TRIBUTARY_KAFKA_HEAP (default 512m), TRIBUTARY_KAFKA_START_TIMEOUT_S (default 90),
# TRIBUTARY_KAFKA_STOP_TIMEOUT_S (default 15), JAVA_HOME.
#
# DIR holds cluster-id, bootstrap, log4j2.properties, and node-I/{server.properties, data/,
# server.log, pid} per node. Node I has node.id I and listens on 127.0.0.1 only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/broker/pom.xml"
# Printed by every node once it serves clients (KafkaBroker.STARTED_MESSAGE).
started_message='Kafka Server started'

die() { echo "kafka.sh: $*" >&2; exit 1; }

kafka_version() {
  if [ -n "${TRIBUTARY_KAFKA_VERSION:-}" ]; then echo "$TRIBUTARY_KAFKA_VERSION"; return; fi
  sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$pom"
}

jar_dir() { echo "${TRIBUTARY_KAFKA_CACHE:-$HOME/.cache/tributary/kafka-$(kafka_version)}"; }

java_cmd() { if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi; }

# Copies the broker's runtime jars into jar_dir, unless an earlier fetch completed there.
# Concurrent fetches are safe: each fills its own folder and the first rename wins.
fetch() {
  local dir version partial
  dir="$(jar_dir)"; version="$(kafka_version)"
  if [ -f "$dir/.complete" ]; then echo "$dir"; return; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka $version jars"
  mkdir -p "$(dirname "$dir")"
  partial="$(mktemp -d "$dir.partial.XXXXXX")"
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -Dkafka.version="$version" \
      -DincludeScope=runtime -DoutputDirectory="$partial" >"$partial.log" 2>&1; then
    cat "$partial.log" >&2; rm -rf "$partial" "$partial.log"
    die "could not fetch the Kafka $version jars"
  fi
  rm -f "$partial.log"; touch "$partial/.complete"
  mv -T "$partial" "$dir" 2>/dev/null || rm -rf "$partial"
  [ -f "$dir/.complete" ] || die "no jars in $dir after fetching"
  echo "$dir"
}

# Prints COUNT free loopback ports, or BASE, BASE+1, ... when TRIBUTARY_KAFKA_PORT_BASE is set.
free_ports() {
  local count="$1"
  if [ -n "${TRIBUTARY_KAFKA_PORT_BASE:-}" ]; then
    seq "$TRIBUTARY_KAFKA_PORT_BASE" $((TRIBUTARY_KAFKA_PORT_BASE + count - 1)); return
  fi
  # Picks ports below the kernel's ephemeral range, so that no client socket can take one between
  # this check and the broker binding it; holds each open until all are chosen, so they differ.
  node -e '
    const fs = require("node:fs")
    const net = require("node:net")
    const count = Number(process.argv[1])
    let ephemeralLow = 32768
    try {
      ephemeralLow = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0])
    } catch {}
    const low = 10000, high = Math.min(ephemeralLow, 32768)
    const listen = (port) => new Promise((resolve) => {
      const server = net.createServer()
      server.once("error", () => resolve(undefined))
      server.listen(port, "127.0.0.1", () => resolve(server))
    })
    ;(async () => {
      const servers = []
      for (let attempt = 0; servers.length < count && attempt < 1000; attempt++) {
        const port = high > low ? low + Math.floor(Math.random() * (high - low)) : 0
        const server = await listen(port)
        if (server) servers.push(server)
      }
      if (servers.length < count) throw new Error("no free loopback ports")
      console.log(servers.map((s) => s.address().port).join("\n"))
      servers.forEach((s) => s.close())
    })()' "$count"
}

write_log_config() {
  cat >"$1/log4j2.properties" <<'EOF'
# Each node's stdout goes to its node-I/server.log.
status = warn
# Keep logging through the broker's own shutdown (its hook runs after log4j's otherwise).
shutdownHook = disable
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.kafka-request.name = kafka.request.logger
logger.kafka-request.level = warn
logger.state-change.name = state.change.logger
logger.state-change.level = warn
EOF
}

# write_node_config DIR NODE BROKERS CLIENT_PORT VOTERS
write_node_config() {
  local dir="$1" node="$2" brokers="$3" port="$4" voters="$5" controller_port min_isr
  controller_port="$(sed -n "s|.*$node@127.0.0.1:\([0-9]*\).*|\1|p" <<<"$voters")"
  min_isr=$(( brokers > 1 ? 2 : 1 ))
  mkdir -p "$dir/node-$node/data"
  cat >"$dir/node-$node/server.properties" <<EOF
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/node-$node/data
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=$brokers
offsets.topic.replication.factor=$brokers
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=$brokers
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=$brokers
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
# A killed broker is fenced, and leaves the in-sync replicas, after 5 s rather than 9 s.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=5000
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
EOF
}

# launch DIR NODE: starts the node in the background, appending to its server.log.
launch() {
  local dir="$1" node="$2" jars heap
  jars="$(jar_dir)"; heap="${TRIBUTARY_KAFKA_HEAP:-512m}"
  echo "=== launch $(date -u +%FT%TZ)" >>"$dir/node-$node/server.log"
  wc -c <"$dir/node-$node/server.log" >"$dir/node-$node/log-offset"
  # setsid: a Ctrl-C in the terminal that started the tests does not reach the broker; stop does.
  setsid "$(java_cmd)" -Xms64m "-Xmx$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true "-Dlog4j2.configurationFile=$dir/log4j2.properties" \
    -cp "$jars/*" kafka.Kafka "$dir/node-$node/server.properties" \
    >>"$dir/node-$node/server.log" 2>&1 </dev/null &
  echo $! >"$dir/node-$node/pid"
  disown
}

# await_started DIR NODE...: waits until each node logged that it serves; else prints the
# failing node's log tail and returns 1.
await_started() {
  local dir="$1" node pid offset deadline
  shift
  deadline=$((SECONDS + ${TRIBUTARY_KAFKA_START_TIMEOUT_S:-90}))
  for node in "$@"; do
    pid="$(cat "$dir/node-$node/pid")"; offset="$(cat "$dir/node-$node/log-offset")"
    until tail -c "+$((offset + 1))" "$dir/node-$node/server.log" | grep -q "$started_message"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 40 "$dir/node-$node/server.log" >&2
        echo "kafka.sh: node $node exited while starting (log: $dir/node-$node/server.log)" >&2
        return 1
      fi
      if [ "$SECONDS" -ge "$deadline" ]; then
        tail -n 40 "$dir/node-$node/server.log" >&2
        echo "kafka.sh: node $node did not start in ${TRIBUTARY_KAFKA_START_TIMEOUT_S:-90}s (log: $dir/node-$node/server.log)" >&2
        return 1
      fi
      sleep 0.1
    done
  done
}

start() {
  local brokers=1 dir="" owner="" node ports voters="" cluster_id bootstrap="" jars
  while [ $# -gt 0 ]; do
    case "$1" in
      --brokers) brokers="$2"; shift 2 ;;
      --dir) dir="$2"; shift 2 ;;
      --owner) owner="$2"; shift 2 ;;
      *) die "start: unknown argument $1" ;;
    esac
  done
  [ "$brokers" = 1 ] || [ "$brokers" = 3 ] || die "start: --brokers must be 1 or 3"
  [ -n "$dir" ] || die "start: --dir is required"
  mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"
  [ ! -e "$dir/cluster-id" ] || die "start: $dir already holds a cluster; stop it and use a new dir"
  jars="$(fetch)"

  mapfile -t ports < <(free_ports $((2 * brokers)))
  [ "${#ports[@]}" -eq $((2 * brokers)) ] || die "start: could not pick $((2 * brokers)) free loopback ports"
  for ((node = 0; node < brokers; node++)); do
    voters+="${voters:+,}$node@127.0.0.1:${ports[$((2 * node + 1))]}"
    bootstrap+="${bootstrap:+,}127.0.0.1:${ports[$((2 * node))]}"
  done
  write_log_config "$dir"
  for ((node = 0; node < brokers; node++)); do
    write_node_config "$dir" "$node" "$brokers" "${ports[$((2 * node))]}" "$voters"
  done

  cluster_id="$(node "$here/cluster-id.mjs")"
  echo "$cluster_id" >"$dir/cluster-id"
  local formats=()
  for ((node = 0; node < brokers; node++)); do
    "$(java_cmd)" -Xmx128m -XX:TieredStopAtLevel=1 "-Dlog4j2.configurationFile=$dir/log4j2.properties" \
      -cp "$jars/*" kafka.tools.StorageTool format --cluster-id "$cluster_id" \
      --config "$dir/node-$node/server.properties" >"$dir/node-$node/format.log" 2>&1 &
    formats+=("$!")
  done
  local format_failed=""
  for ((node = 0; node < brokers; node++)); do
    wait "${formats[$node]}" || { cat "$dir/node-$node/format.log" >&2; format_failed+=" $node"; }
  done
  [ -z "$format_failed" ] || die "formatting node(s)$format_failed failed"

  for ((node = 0; node < brokers; node++)); do launch "$dir" "$node"; done
  if [ -n "$owner" ]; then
    # Stops the cluster when the owner exits, so a crashed test run leaves no broker behind.
    # shellcheck disable=SC2016 # the inner script expands its own arguments
    setsid bash -c 'tail --pid="$1" -f /dev/null; exec bash "$2" stop --dir "$3" --kill' \
      watchdog "$owner" "$here/kafka.sh" "$dir" >/dev/null 2>&1 </dev/null &
    echo $! >"$dir/watchdog.pid"
  fi
  echo "$bootstrap" >"$dir/bootstrap"
  await_started "$dir" $(seq 0 $((brokers - 1))) || { stop --dir "$dir" --kill; exit 1; }
  echo "$bootstrap"
}

# stop_node DIR NODE SIGNAL: signals the node and waits for it to exit (SIGKILL on timeout).
stop_node() {
  local dir="$1" node="$2" signal="$3" pid deadline
  [ -f "$dir/node-$node/pid" ] || return 0
  pid="$(cat "$dir/node-$node/pid")"
  kill "-$signal" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + ${TRIBUTARY_KAFKA_STOP_TIMEOUT_S:-15}))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.1
  done
  rm -f "$dir/node-$node/pid"
}

stop() {
  local dir="" only="" signal=TERM node_dir node pids=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="$2"; shift 2 ;;
      --node) only="$2"; shift 2 ;;
      --kill) signal=KILL; shift ;;
      *) die "stop: unknown argument $1" ;;
    esac
  done
  [ -n "$dir" ] || die "stop: --dir is required"
  [ -d "$dir" ] || return 0
  if [ -n "$only" ]; then stop_node "$dir" "$only" "$signal"; return; fi
  if [ -f "$dir/watchdog.pid" ]; then
    # The watchdog leads its own process group (setsid); it is this process when its owner
    # exited, and then must not kill itself first.
    [ "$(cat "$dir/watchdog.pid")" = "$$" ] || kill -- "-$(cat "$dir/watchdog.pid")" 2>/dev/null || true
    rm -f "$dir/watchdog.pid"
  fi
  # All nodes at once: in a combined cluster, one that waits for the others' quorum would hang.
  for node_dir in "$dir"/node-*; do
    [ -d "$node_dir" ] || continue
    node="${node_dir##*-}"
    stop_node "$dir" "$node" "$signal" &
    pids+=("$!")
  done
  for node in "${pids[@]}"; do wait "$node"; done
}

restart() {
  local dir="" node=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="$2"; shift 2 ;;
      --node) node="$2"; shift 2 ;;
      *) die "restart: unknown argument $1" ;;
    esac
  done
  if [ -z "$dir" ] || [ -z "$node" ]; then die "restart: --dir and --node are required"; fi
  [ -f "$dir/node-$node/server.properties" ] || die "restart: $dir has no node $node"
  if [ -f "$dir/node-$node/pid" ] && kill -0 "$(cat "$dir/node-$node/pid")" 2>/dev/null; then
    die "restart: node $node is running"
  fi
  launch "$dir" "$node"
  await_started "$dir" "$node" || { stop_node "$dir" "$node" KILL; exit 1; }
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  fetch) fetch ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  restart) restart "$@" ;;
  *) die "usage: kafka.sh fetch | start --brokers 1|3 --dir DIR [--owner PID] | stop --dir DIR [--node I] [--kill] | restart --dir DIR --node I" ;;
esac
