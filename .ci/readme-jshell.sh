#!/usr/bin/env bash
# Runs the README's JShell session as written and checks that jshell printed what the README
# shows for each result line ("$N ==> value"). Needs the shaded jar (mvn package).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=imagebuilder-cli/target/image-builder.jar
[ -f "$jar" ] || { echo "readme-jshell: $jar is missing (run mvn -B package first)" >&2; exit 2; }

block=$(awk '/^```jshell$/{on=1; next} /^```$/{on=0} on' README.md)
input=$(printf '%s\n' "$block" | sed -n -e 's/^jshell> //p' -e 's/^   \.\.\.> //p')
expected=$(printf '%s\n' "$block" | grep -E '^\$[0-9]+ ==> ' || true)
[ -n "$input" ] && [ -n "$expected" ] || { echo "readme-jshell: no session found in README.md" >&2; exit 1; }

# Not fatal at once: a jshell that fails or times out (status 124) must still show its output.
status=0
output=$(printf '%s\n/exit\n' "$input" | timeout 300 jshell --feedback normal --class-path "$jar" 2>&1) \
  || { status=$?; echo "readme-jshell: jshell exited with status $status" >&2; }
while IFS= read -r line; do
  if grep -qF -- "$line" <<<"$output"; then
    echo "readme-jshell: ok: $line"
  else
    echo "readme-jshell: MISSING: $line" >&2
    status=1
  fi
done <<<"$expected"
if [ "$status" != 0 ]; then
  printf '%s\n' "$output" | tail -40 >&2
fi
exit "$status"
