#!/usr/bin/env bash
# Fails when a library module of the root pom is missing from imagebuilder-bom: users who import
# the BOM must get every module. The CLI and the benchmarks are not libraries.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=0
for module in $(sed -n 's|^ *<module>\(.*\)</module> *$|\1|p' pom.xml); do
  case "$module" in
    imagebuilder-bom|imagebuilder-cli|imagebuilder-benchmarks) continue ;;
  esac
  if ! grep -q "<artifactId>$module</artifactId>" imagebuilder-bom/pom.xml; then
    echo "imagebuilder-bom/pom.xml does not list the library module $module" >&2
    missing=1
  fi
done
exit "$missing"
