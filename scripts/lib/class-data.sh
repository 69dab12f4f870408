#!/usr/bin/env bash
# The controller's JVM options and class-data archive on this machine, as the image has them
# (Dockerfile): serial GC, C1 only, and an archive made by a training run of the jar
# (--train-class-data-sharing, ClassDataTraining). Used by scripts/run.sh and scripts/bench.sh, so
# both start the controller the same way.
#
#   source scripts/lib/class-data.sh
#   IMAGE_JVM_OPTIONS                 the image's options, less the archive and container sizing
#   class_data_archive JAR ARCHIVE    makes ARCHIVE unless it is newer than JAR; returns 1 with a
#                                     message when the training fails (start without it then)
#
# Why an archive: without one a start loads ~7 000 classes one by one, about 1 s of the start on
# 2 cores (docs/BENCHMARKS.md, P5). The archive belongs to one jar and one JVM, hence made here
# from the jar and remade whenever the jar is rebuilt.

IMAGE_JVM_OPTIONS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"

class_data_archive() { # jar archive
  local jar=$1 archive=$2
  [[ -s $archive && $archive -nt $jar ]] && return 0
  rm -f "$archive"
  echo "[class-data] making the class-data archive of $jar (once per build, a few seconds)" >&2
  # shellcheck disable=SC2086 # the options are words
  if java $IMAGE_JVM_OPTIONS -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
      -jar "$jar" --train-class-data-sharing >/dev/null 2>&1 && [[ -s $archive ]]; then
    return 0
  fi
  rm -f "$archive"
  echo "class-data sharing training of $jar failed; the controller starts without an archive" >&2
  return 1
}
