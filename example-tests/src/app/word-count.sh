#!/bin/sh
# The consumer project's own program: counts the words of each file named, or of stdin.
# Its tests run it inside a container, the way it will run in production: on its own, as a user.
set -eu
if [ $# -eq 0 ]; then
  wc -w | tr -d ' '
  exit
fi
for f in "$@"; do
  printf '%s %s\n' "$(wc -w < "$f" | tr -d ' ')" "$f"
done
