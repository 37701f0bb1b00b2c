# meshform's watchdog for a child process (istioctl). Run as: bash -c "$(cat watchdog.sh)" meshform-watchdog SECONDS CMD...
# meshform first records this process in its state lock, then writes "go" on stdin, then a newline every half
# second while it runs and may still change the cluster. The command runs in a process group of its own, and the
# whole group is stopped (TERM, then KILL after 2 s) when stdin ends (meshform exited, was killed, or asks to stop),
# when no newline came for SECONDS seconds (meshform is paused or hung), or on INT/TERM/HUP. This script exits
# only once the group is gone, so "this process is alive" covers the command too, and as soon as the command has.
hb=$1
shift
child=
reader=
stop() {
  trap '' INT TERM HUP USR1 USR2
  [ -z "$reader" ] || kill "$reader" 2>/dev/null
  if [ -n "$child" ]; then
    echo "meshform-watchdog: stopping $(basename "$1") (pid $child): $2" >&3 2>/dev/null
    kill -TERM -- "-$child" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$child" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 143
}
trap 'stop "$1" "signalled"' INT TERM HUP
trap 'stop "$1" "meshform exited or asked to stop"' USR1
trap 'stop "$1" "meshform sent no sign of life for ${hb}s (paused or hung)"' USR2
IFS= read -r go || exit 143
# From here this shell's own stderr is /dev/null and the command's is meshform's (fd 3): with job control on, bash
# reports a job that ended ("[1]+ Exit 3  ...") on its stderr, which meshform would read as a line istioctl printed.
# It does so when the command ends before `set +m` below (seen under load), so no ordering of the two can prevent it.
exec 3>&2 2>/dev/null
set -m
"$@" </dev/null 2>&3 3>&- &
child=$!
set +m
# meshform's ends of our stdout/stderr vanish with it: writing the note below must not kill us (SIGPIPE) before
# the group is stopped. Set only now, so that the child keeps the default disposition.
trap '' PIPE
# A helper shell reads the heartbeat and signals this one (USR1: stdin ended, USR2: silence), so that this one can
# wait on the child itself and end the moment it does (polling the child between reads ended up to a heartbeat, half
# a second, after it). The helper reads meshform's pipe explicitly (a background job's stdin is /dev/null otherwise)
# and none of its output pipes: meshform reads istioctl's output until the last writer is gone.
(
  last=$SECONDS
  while :; do
    if IFS= read -r -t 1 line; then
      last=$SECONDS
    elif [ $? -le 128 ]; then
      kill -USR1 $$ 2>/dev/null
      exit 0
    elif [ $((SECONDS - last)) -ge "$hb" ]; then
      kill -USR2 $$ 2>/dev/null
      exit 0
    fi
  done
) <&0 >/dev/null 2>&1 &
reader=$!
wait "$child"
status=$?
kill "$reader" 2>/dev/null
exit $status
