#!/usr/bin/env bash
# Idle CPU of the desktop app: how much CPU the app (the Tauri process) and its page (the
# WebKitWebProcess) use per second while nothing happens, against a blank page in the same
# WebKit (MiniBrowser) under the same display.
#
#   benches/idle.sh            prints a Markdown table (results: benches/results/desktop.md)
#
# Every case starts a fresh process under one Xvfb of the script's own, waits SETTLE seconds
# (default 12; three times that for 10,000 nodes, past the garbage collection after loading)
# for the window to load and settle, then reads utime+stime from /proc/PID/stat over DURATION
# seconds (default 10). The busiest threads of both are listed beside the figures (names as
# the kernel keeps them, cut to 15 characters: eadedCompositor is WebKit's ThreadedCompositor).
# Needs the debug app and the poni command line built ($CARGO_TARGET_DIR, else
# ~/.cache/poni-desktop/target), Xvfb, xdotool, dbus-run-session and webkit2gtk's MiniBrowser.
set -euo pipefail

TARGET=${CARGO_TARGET_DIR:-$HOME/.cache/poni-desktop/target}
APP=${PONI_DESKTOP_BIN:-$TARGET/debug/poni-desktop}
PONI=${PONI_BIN:-$TARGET/debug/poni}
MINIBROWSER=${MINIBROWSER:-/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser}
SETTLE=${SETTLE:-12}
DURATION=${DURATION:-10}
HZ=$(getconf CLK_TCK)
export LC_ALL=C

for tool in Xvfb xdotool dbus-run-session; do command -v "$tool" >/dev/null || { echo "idle.sh: $tool is missing" >&2; exit 1; }; done
for f in "$APP" "$PONI" "$MINIBROWSER"; do [ -x "$f" ] || { echo "idle.sh: $f is missing (build it first)" >&2; exit 1; }; done

WORK=$(mktemp -d)
XVFB_PID=""
RUN_PID=""
cleanup() {
  [ -n "$RUN_PID" ] && stop_case
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# A display of our own: the first free number from 90 up.
for n in $(seq 90 140); do
  [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  sleep 1
  if kill -0 "$XVFB_PID" 2>/dev/null; then export DISPLAY=":$n"; break; fi
  XVFB_PID=""
done
[ -n "$XVFB_PID" ] || { echo "idle.sh: could not start Xvfb" >&2; exit 1; }

# utime + stime of /proc/PID[/task/TID]/stat, read after the command name (which may hold spaces).
stat_ticks() { sed 's/.*) //' "$1" 2>/dev/null | awk '{print $12 + $13}'; }
ticks() { stat_ticks "/proc/$1/stat" || echo 0; }
child() { pgrep -P "$1" -x "$2" | head -1; }

# [ROOT=repository] start_case NAME PROGRAM ARGS...: the program under its own session bus, a
# fresh HOME and config folder; sets MAIN (the program's pid) and PAGE (its WebKitWebProcess).
start_case() {
  local name=$1 comm
  shift
  comm=$(basename "$1" | cut -c1-15)
  mkdir -p "$WORK/$name/home" "$WORK/$name/config"
  HOME="$WORK/$name/home" PONI_ROOT="${ROOT:-$WORK/$name/home/.poni/default}" PONI_DESKTOP_CONFIG_DIR="$WORK/$name/config" NO_AT_BRIDGE=1 \
    dbus-run-session -- "$@" >"$WORK/$name/log" 2>&1 &
  RUN_PID=$!
  MAIN=""
  PAGE=""
  for _ in $(seq 1 100); do
    MAIN=${MAIN:-$(child "$RUN_PID" "$comm" || true)}
    [ -n "$MAIN" ] && PAGE=$(child "$MAIN" WebKitWebProces || true)
    [ -n "$PAGE" ] && break
    sleep 0.2
  done
  [ -n "$PAGE" ] || { echo "idle.sh: $name did not start (log: $(tail -3 "$WORK/$name/log"))" >&2; exit 1; }
  sleep "$SETTLE"
}

stop_case() {
  [ -n "${MAIN:-}" ] && kill "$MAIN" 2>/dev/null || true
  wait "$RUN_PID" 2>/dev/null || true
  RUN_PID=""
}

# The page's busiest threads over the same window as the process figures.
thread_ticks() { for t in /proc/"$1"/task/*; do echo "$(basename "$t") $(stat_ticks "$t/stat" || echo 0) $(tr ' ' _ <"$t/comm" 2>/dev/null)"; done | sort; }

# busiest BEFORE AFTER: the three threads (by name) that used most CPU in between, in ms/s.
busiest() {
  join "$1" "$2" | awk -v hz="$HZ" -v d="$DURATION" '{ x = ($4 - $2) * 1000 / hz / d; if (x >= 1) printf "%d %s\n", x, $3 }' |
    awk '{ s[$2] += $1 } END { for (k in s) print s[k], k }' | sort -rn | head -3 | awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 }'
}

measure() {
  local label=$1 m0 p0 m1 p1
  thread_ticks "$MAIN" >"$WORK/main.0"
  thread_ticks "$PAGE" >"$WORK/page.0"
  m0=$(ticks "$MAIN")
  p0=$(ticks "$PAGE")
  sleep "$DURATION"
  m1=$(ticks "$MAIN")
  p1=$(ticks "$PAGE")
  thread_ticks "$MAIN" >"$WORK/main.1"
  thread_ticks "$PAGE" >"$WORK/page.1"
  printf "| %s | %d | %d | %s | %s |\n" "$label" $(((m1 - m0) * 1000 / HZ / DURATION)) $(((p1 - p0) * 1000 / HZ / DURATION)) \
    "$(busiest "$WORK/main.0" "$WORK/main.1" | grep . || echo -)" "$(busiest "$WORK/page.0" "$WORK/page.1" | grep . || echo -)"
}

# Clicks at (x, y) inside the program's window.
click() {
  local win
  win=$(xdotool search --onlyvisible --pid "$MAIN" 2>/dev/null | head -1)
  xdotool mousemove --window "$win" "$1" "$2" click 1
  sleep "$SETTLE"
}

echo "Idle CPU, ms of CPU per second over ${DURATION} s after ${SETTLE} s to settle (Xvfb 1280x800, $(nproc) cores, $(date -u +%Y-%m-%d))."
echo
echo "| case | app ms/s | page (WebKitWebProcess) ms/s | app's busiest threads (ms/s) | page's busiest threads (ms/s) |"
echo "|---|---:|---:|---|---|"

echo '<!doctype html><title>blank</title>' >"$WORK/blank.html"
start_case blank "$MINIBROWSER" "file://$WORK/blank.html"
measure "blank page (MiniBrowser, same WebKit)"
stop_case

"$PONI" -d "$WORK/empty" init >/dev/null
ROOT="$WORK/empty" start_case empty "$APP"
measure "empty repository, Overview"
stop_case

"$PONI" -d "$WORK/four" init >/dev/null
"$PONI" -d "$WORK/four" add-node "web{id}" -n 1..4 >/dev/null
ROOT="$WORK/four" start_case four "$APP"
measure "4 nodes, Overview, nothing selected"
# The first row of the tree (web1): the inspector shows it, the Overview stays.
click 65 92
measure "4 nodes, Overview, web1 selected"
# The third tab (the node's editor).
click 517 61
measure "4 nodes, web1 open in the Node tab"
stop_case

# 10,000 nodes, 100 systems of 100 (as in the desktop benchmark); more time to load.
"$PONI" -d "$WORK/large" init >/dev/null
for s in $(seq -w 0 99); do
  "$PONI" -d "$WORK/large" add-system "s$s" >/dev/null
  "$PONI" -d "$WORK/large" add-node "s$s/n{id}" -n 1..100 >/dev/null
done
SETTLE=$((SETTLE * 3)) ROOT="$WORK/large" start_case large "$APP"
measure "10,000 nodes, Overview, nothing selected"
stop_case
