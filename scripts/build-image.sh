#!/usr/bin/env bash
# Builds the controller's image without Docker or a registry:
#   1. the shaded jar (mvn package, tests skipped: CI runs them);
#   2. a base image: a Java 17 runtime jlink'd from Debian's JDK with the modules the jar uses
#      (jdeps), the libraries it links (ldd), a nonroot user 65532 and /tmp; no shell;
#   3. the class-data archive the Dockerfile makes, trained by that runtime on that jar, in a
#      chroot of the image (so paths and the JVM are the image's own);
#   4. jib:buildTar (scripts/image/pom.xml) puts jar and archive on the base.
# Output: target/dynamic-slicing-image.tar, a docker-archive that `ctr -n k8s.io images import`
# and `k3s ctr images import` load as docker.io/library/dynamic-slicing:0.1.0.
#
#   scripts/build-image.sh [--name NAME:TAG] [--skip-package]
# Needs: openjdk-17-jdk-headless (jlink, jdeps, jmods), Maven; root for step 3 (else the image has
# no class-data archive and the JVM says so once at start).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/images.sh
source "$ROOT/scripts/lib/images.sh"
NAME=dynamic-slicing:0.1.0 PACKAGE=1
while (($#)); do
  case $1 in
    --name) NAME=$2; shift 2 ;;
    --skip-package) PACKAGE=0; shift ;;
    *) echo "usage: scripts/build-image.sh [--name NAME:TAG] [--skip-package]" >&2; exit 2 ;;
  esac
done
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
[[ -d $JAVA_HOME/jmods ]] || { echo "no $JAVA_HOME/jmods: apt-get install openjdk-17-jdk-headless" >&2; exit 1; }
JAR=$ROOT/target/dynamic-slicing.jar
if ((PACKAGE)); then
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi
[[ -f $JAR ]] || { echo "no $JAR: run without --skip-package" >&2; exit 1; }

OUT=$ROOT/target/image
rm -rf "$OUT"; mkdir -p "$OUT/app"
ROOTFS=$OUT/rootfs
# jdeps finds what the code names; TLS to an API server with EC certificates (k3s) needs
# jdk.crypto.ec, and DNS through JNDI none: added by hand, measured by the in-cluster test.
modules=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$JAR"),jdk.crypto.ec
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --generate-cds-archive --output "$ROOTFS/opt/java"
# The shared libraries the runtime links, with the dynamic loader, from this machine (Debian 12).
for lib in $(find "$ROOTFS/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done
mkdir -p "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/usr/bin" "$ROOTFS/app"
chmod 1777 "$ROOTFS/tmp"
ln -s /opt/java/bin/java "$ROOTFS/usr/bin/java"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$ROOTFS/etc/group"
printf 'hosts: files dns\n' >"$ROOTFS/etc/nsswitch.conf"
archive_rootfs "$ROOTFS" localhost/dynamic-slicing-java-base:17 "$OUT/java-base.tar" \
  '{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],"WorkingDir":"/","Labels":{"org.opencontainers.image.description":"jlink Java 17 runtime from Debian openjdk-17, for dynamic-slicing"}}' \
  "scripts/build-image.sh: jlink --add-modules $modules"

# The jar as the image will hold it: class-data sharing checks the jar's path, size and mtime,
# and jib writes files with mtime 1970-01-01T00:00:01Z (scripts/image/pom.xml).
cp "$JAR" "$OUT/app/dynamic-slicing.jar"
touch -d @1 "$OUT/app/dynamic-slicing.jar"
if [[ $(id -u) == 0 ]]; then
  cp "$OUT/app/dynamic-slicing.jar" "$ROOTFS/app/" && touch -d @1 "$ROOTFS/app/dynamic-slicing.jar"
  mkdir -p "$ROOTFS/dev" "$ROOTFS/proc"
  touch "$ROOTFS/dev/null" "$ROOTFS/dev/urandom" "$ROOTFS/dev/random"
  for d in null urandom random; do mount --bind "/dev/$d" "$ROOTFS/dev/$d"; done
  mount -t proc proc "$ROOTFS/proc"
  trap 'umount "$ROOTFS/proc" "$ROOTFS/dev/null" "$ROOTFS/dev/urandom" "$ROOTFS/dev/random" 2>/dev/null || true' EXIT
  if chroot --userspec=65532:65532 "$ROOTFS" /opt/java/bin/java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -XX:ArchiveClassesAtExit=/tmp/dynamic-slicing.jsa -Djava.io.tmpdir=/tmp \
      -jar /app/dynamic-slicing.jar --train-class-data-sharing >"$OUT/cds-training.log" 2>&1 &&
      [[ -s $ROOTFS/tmp/dynamic-slicing.jsa ]]; then
    cp "$ROOTFS/tmp/dynamic-slicing.jsa" "$OUT/app/dynamic-slicing.jsa"
  else
    echo "warning: class-data training failed (see $OUT/cds-training.log): the image has no archive" >&2
  fi
  umount "$ROOTFS/proc" "$ROOTFS/dev/null" "$ROOTFS/dev/urandom" "$ROOTFS/dev/random"
  trap - EXIT
else
  echo "warning: not root, no chroot: the image has no class-data archive (start-up about 1 s slower)" >&2
fi

mkdir -p "$ROOT/target/image-build/classes"
(cd "$ROOT/scripts/image" && mvn -B -q jib:buildTar -Djib.disableUpdateChecks=true \
  -Dimage.base="tar://$OUT/java-base.tar" -Dimage.name="$NAME" -Dimage.app="$OUT/app" \
  -Dimage.tar="$ROOT/target/dynamic-slicing-image.tar")
echo "built $ROOT/target/dynamic-slicing-image.tar ($NAME): ctr -n k8s.io images import, or k3s ctr images import"
