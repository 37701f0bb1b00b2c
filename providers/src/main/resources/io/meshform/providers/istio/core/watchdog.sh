# meshform's watchdog for a child process (istioctl). Run as: bash -c "$(cat watchdog.sh)" meshform-watchdog SECONDS CMD...
# meshform first records this process in its state lock, then writes "go" on stdin, then a newline every half
# second while it runs and may still change the cluster. The command runs in a process group of its own, and the
# whole group is stopped (TERM, then KILL after 2 s) when stdin ends (meshform exited, was killed, or asks to stop),
# when no newline came for SECONDS seconds (meshform is paused or hung), or on INT/TERM/HUP. This script exits
# only once the group is gone, so "this process is alive" covers the command too.
hb=$1
shift
child=
stop() {
  trap '' INT TERM HUP
  if [ -n "$child" ]; then
    echo "meshform-watchdog: stopping $(basename "$1") (pid $child): $2" >&2 2>/dev/null
    kill -TERM -- "-$child" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$child" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 143
}
trap 'stop "$1" "signalled"' INT TERM HUP
IFS= read -r go || exit 143
set -m
"$@" </dev/null &
child=$!
set +m
# meshform's ends of our stdout/stderr vanish with it: writing the note below must not kill us (SIGPIPE) before
# the group is stopped. Set only now, so that the child keeps the default disposition.
trap '' PIPE
last=$SECONDS
while kill -0 "$child" 2>/dev/null; do
  if IFS= read -r -t 1 line; then
    last=$SECONDS
  elif [ $? -le 128 ]; then
    stop "$1" "meshform exited or asked to stop"
  elif [ $((SECONDS - last)) -ge "$hb" ]; then
    stop "$1" "meshform sent no sign of life for ${hb}s (paused or hung)"
  fi
done
wait "$child"
