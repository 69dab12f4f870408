#!/usr/bin/env bash
# One-time set-up of a fresh Debian 12 machine: system packages, the cached Kubernetes binaries,
# and the controller's jar. Idempotent: a second run only checks.
# Run as root (or with sudo). Needs Debian's package mirror and Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(openjdk-17-jdk-headless maven golang-go rsync jq etcd-server dpkg-dev openssl curl
          golang-github-modern-go-reflect2-dev iproute2 procps util-linux
          # the full local cluster (scripts/local-cluster.sh start --full): node runtime, CNI, images
          containerd runc containernetworking-plugins busybox-static iptables
          # nft: to remove the host nat table the node's DNAT rule made, if there was none before
          nftables
          # promtool tests the alert rules; the Prometheus integration test runs its own prometheus
          prometheus)

SUDO=
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi

# Debian 12 images carry no deb-src entry; the control plane is built from Debian's source package.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  $SUDO tee /etc/apt/sources.list.d/dynamic-slicing-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
$SUDO apt-get update -qq
if ((${#missing[@]})); then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The etcd-server package starts a system etcd on 2379; we run our own on free ports. (A system
# containerd may keep running: the full local cluster runs its own, on a socket of its own.)
$SUDO systemctl disable --now etcd >/dev/null 2>&1 || true
# The prometheus package starts a system Prometheus on :9090 (systemd, or its init script where
# there is no systemd); the tests run their own on a free port. Stopped and disabled only when
# installed here: a Prometheus that was there before is the machine owner's.
if [[ " ${missing[*]} " == *" prometheus "* ]]; then
  $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  if [[ ! -d /run/systemd/system && -x /etc/init.d/prometheus ]]; then
    $SUDO /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    $SUDO update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
fi

scripts/build-control-plane.sh >/dev/null
mvn -B -q -DskipTests package
echo "Set-up done. Run the controller: scripts/run.sh   Run the tests: mvn -B verify"
echo "(control-plane binaries cached in $(scripts/build-control-plane.sh))"
