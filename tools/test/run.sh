#!/bin/sh
# npm test: the type check and the specs side by side. tsc works on one core for about ten seconds;
# started first and alone it would leave the other core idle, so it runs alongside mocha's workers.
# Both must pass; tsc's findings are printed after the specs' report.
set -u
mkdir -p .build
log=.build/tsc.log
tsc -p . --noEmit > "$log" 2>&1 &
tsc_pid=$!
mocha "$@"
specs=$?
wait "$tsc_pid"
types=$?
if [ "$types" -ne 0 ]; then
  echo "tsc -p . --noEmit failed (exit $types):"
  cat "$log"
fi
[ "$specs" -eq 0 ] && [ "$types" -eq 0 ]
