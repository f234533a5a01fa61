#!/usr/bin/env bash
# A TeleClaude peer written only from the README's MUST rows (the seed's wire contract), in bash and redis-cli:
# no PUBLISH, no TeleClaude code. The integration tests run it beside real daemons.
#
#   seed-peer.sh NAME PORT DIR run                 heartbeat every second (SET ... EX 3) and answer requests
#   seed-peer.sh NAME PORT DIR heartbeat           only the heartbeat loop
#   seed-peer.sh NAME PORT DIR event TARGET EVENT JSON   XADD one session event to TARGET
#   seed-peer.sh NAME PORT DIR request TARGET COMMAND    send a request to TARGET, print the answer's chunk
#
# DIR/sessions.json is its list of sessions (a JSON array, read at every list_sessions); each request it answers is
# appended to DIR/requests.log as "<id> <initiator> <command>" before it is answered. INTERESTED=1 adds interested_in ["sessions"].
set -u
name=$1 port=$2 dir=$3 mode=$4
shift 4
cli() { redis-cli -p "$port" --raw "$@"; }

heartbeat() {
  local interest=""
  [ "${INTERESTED:-0}" = 1 ] && interest=',"interested_in":["sessions"]'
  while :; do
    cli SET "computer:$name:heartbeat" "{\"computer_name\":\"$name\",\"last_seen\":\"$(date -u +%FT%T.%3NZ)\"$interest}" EX 3 >/dev/null
    sleep 1
  done
}

answer() { # id initiator command
  local chunk
  case $3 in
    list_sessions) chunk="{\"status\":\"success\",\"data\":$(cat "$dir/sessions.json")}" ;;
    *) chunk="{\"status\":\"error\",\"error\":\"$name does not know $3\"}" ;;
  esac
  # Logged first, so a test that has seen the answer also sees the log line.
  echo "$1 $2 $3" >>"$dir/requests.log"
  # The MUST row: XADD output:{request id} * chunk <envelope>. (source and EXPIRE are optional.)
  cli XADD "output:$1" '*' chunk "$chunk" >/dev/null
}

serve() {
  # Start after the newest request (older ones were sent to a peer that was not there).
  local last lines id command initiator i
  last=$(cli XREVRANGE "messages:$name" + - COUNT 1 | head -n 1)
  [ -n "$last" ] || last=0-0
  while :; do
    # One entry per read: the --raw reply is then "stream, id, field, value, field, value, ...", one per line.
    mapfile -t lines < <(cli XREAD COUNT 1 BLOCK 5000 STREAMS "messages:$name" "$last" 2>/dev/null)
    [ "${#lines[@]}" -ge 2 ] || continue
    id=${lines[1]} command="" initiator=""
    for ((i = 2; i + 1 < ${#lines[@]}; i += 2)); do
      case ${lines[i]} in
        command) command=${lines[i + 1]} ;;
        initiator) initiator=${lines[i + 1]} ;;
      esac
    done
    last=$id
    [ -n "$command" ] && answer "$id" "$initiator" "$command"
  done
}

case $mode in
  run) heartbeat & serve ;;
  heartbeat) heartbeat ;;
  event) cli XADD "session_events:$1" '*' event "$2" source "$name" data "$3" ;;
  request)
    id=$(cli XADD "messages:$1" '*' command "$2" initiator "$name")
    # The answer's entry: stream, id, then "chunk", <envelope>, possibly "source", <responder>.
    mapfile -t lines < <(cli XREAD BLOCK 10000 STREAMS "output:$id" 0-0)
    for ((i = 2; i + 1 < ${#lines[@]}; i += 2)); do
      if [ "${lines[i]}" = chunk ]; then echo "${lines[i + 1]}"; fi
    done
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
