#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kubectl 1.20.2
# from Debian's `kubernetes` source package, once, and caches them outside the clone.
#
# Why from source: Debian 12 ships etcd but no Kubernetes server binaries, and the machines we
# test on reach no registry but Debian's and Maven Central. See docs/TESTING.md for the traps
# (reflect2 crash with Go >= 1.18, empty files after a failed build).
#
# Usage: scripts/build-control-plane.sh        prints the assets directory on stdout
# Env:   KUBEBUILDER_ASSETS  if set and complete, used as is (nothing is built)
#        DS_CACHE_DIR        cache root (default ~/.cache/dynamic-slicing)
set -euo pipefail

K8S_VERSION=1.20.2
CACHE_ROOT=${DS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dynamic-slicing}
ASSETS=$CACHE_ROOT/k8s-$K8S_VERSION
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

log() { echo "[build-control-plane] $*" >&2; }
die() { echo "[build-control-plane] ERROR: $*" >&2; exit 1; }

complete_in() {
  local dir=$1 b
  for b in kube-apiserver kube-controller-manager; do [[ -s $dir/$b && -x $dir/$b ]] || return 1; done
  [[ -x $dir/etcd || -x /usr/bin/etcd ]]
}

if [[ -n ${KUBEBUILDER_ASSETS:-} ]]; then
  complete_in "$KUBEBUILDER_ASSETS" || die "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks etcd, kube-apiserver or kube-controller-manager"
  echo "$KUBEBUILDER_ASSETS"; exit 0
fi

all_built() { local b; for b in "${BINARIES[@]}"; do [[ -s $ASSETS/$b ]] || return 1; done; }
if all_built; then echo "$ASSETS"; exit 0; fi

for tool in go apt-get dpkg-source rsync; do
  command -v "$tool" >/dev/null || die "'$tool' is missing: run 'sudo scripts/setup.sh' first (installs golang-go, dpkg-dev, rsync, etcd-server)"
done
[[ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ]] ||
  die "Debian's reflect2 1.0.2 is missing: apt-get install golang-github-modern-go-reflect2-dev"

# One build at a time per cache: two test runs starting together must not both build.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
if all_built; then echo "$ASSETS"; exit 0; fi

WORK=$CACHE_ROOT/src-$K8S_VERSION
mkdir -p "$WORK"
if [[ ! -f $WORK/Makefile ]]; then
  log "fetching Debian's kubernetes source package (needs a deb-src entry for bookworm)"
  dl=$(mktemp -d)
  if ! (cd "$dl" && apt-get source --download-only kubernetes >&2); then
    die "apt-get source failed: run 'sudo scripts/setup.sh' (it adds the deb-src entry and runs apt-get update)"
  fi
  tarball=$(ls "$dl"/kubernetes_*.orig.tar.gz | head -1)
  [[ -n $tarball ]] || die "no kubernetes orig tarball downloaded"
  tar -xzf "$tarball" -C "$WORK" --strip-components=1
  rm -rf "$dl"
  # reflect2 1.0.1 segfaults in map iteration with Go >= 1.18; Debian's 1.0.2 is the fix.
  r2=$WORK/vendor/github.com/modern-go/reflect2
  rm -f "$r2"/*.go "$r2"/*.s
  cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$r2"/
  cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$r2"/ 2>/dev/null || true
fi

log "building ${BINARIES[*]} (about 6-8 minutes cold on 2 cores)"
rm -rf "$WORK/_output"   # a failed attempt leaves empty files behind
mkdir -p "$WORK/.go/src/k8s.io" "$WORK/.home"
ln -sfn "$WORK" "$WORK/.go/src/k8s.io/kubernetes"
(
  cd "$WORK/.go/src/k8s.io/kubernetes"
  export GOPATH=$WORK/.go CGO_ENABLED=0 HOME=$WORK/.home GO111MODULE=off GOFLAGS=
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubelet cmd/kubectl" >&2
)
mkdir -p "$ASSETS.tmp"
for b in "${BINARIES[@]}"; do
  src=$WORK/_output/local/bin/linux/amd64/$b
  [[ -s $src ]] || die "build produced no $b"
  cp "$src" "$ASSETS.tmp/$b"
done
[[ -x /usr/bin/etcd ]] && ln -sf /usr/bin/etcd "$ASSETS.tmp/etcd"
rm -rf "$ASSETS"; mv "$ASSETS.tmp" "$ASSETS"
rm -rf "$WORK/_output" "$WORK/.go/pkg"
log "cached in $ASSETS"
echo "$ASSETS"
