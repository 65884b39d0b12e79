#!/usr/bin/env bash
# Mirroring throughput against curl, and heap use, on a loopback file (default 1024 MiB).
# Usage: imagebuilder-systemimage/bench/mirror.sh [MiB]   (needs python3 and curl)
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -B -pl imagebuilder-systemimage -am test-compile -DskipTests
mvn -q -B -pl imagebuilder-systemimage dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/imagebuilder-systemimage/target/bench.classpath" >/dev/null
CP="imagebuilder-systemimage/target/test-classes:imagebuilder-systemimage/target/classes:$(cat imagebuilder-systemimage/target/bench.classpath)"
# A small heap on purpose: a 1 GiB mirror must stream, not buffer.
exec java -Xmx256m ${BENCH_JAVA_OPTS:-} -cp "$CP" dev.imagebuilder.systemimage.bench.MirrorBenchmark "${1:-1024}"
