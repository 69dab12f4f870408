#!/usr/bin/env bash
# Runs the controller against the current kubeconfig; when no cluster answers there, starts the
# local cluster (scripts/local-cluster.sh) and runs against that: on Linux as root the full one
# (kubelet, containerd; UPFs run the UPF simulator unless UPF_IMAGE says otherwise), elsewhere
# the control plane alone (DS_LOCAL_FULL=0 forces that).
# Configuration: the environment variables listed in README.md (WATCH_NAMESPACES, UE_SELECTOR, ...).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/target/dynamic-slicing.jar
LOCAL_DIR=${DS_LOCAL_DIR:-/tmp/dynamic-slicing-cluster}

[[ -f $JAR ]] || (cd "$ROOT" && mvn -B -q -DskipTests package)
ASSETS=$("$ROOT/scripts/build-control-plane.sh" 2>/dev/null || true)
KUBECTL=$(command -v kubectl || echo "$ASSETS/kubectl")

reachable() { [[ -x $KUBECTL ]] && "$KUBECTL" version --request-timeout=3s >/dev/null 2>&1; }

if ! reachable; then
  full=()
  if [[ ${DS_LOCAL_FULL:-1} == 1 && $(uname -s) == Linux && $(id -u) == 0 ]]; then
    full=(--full)
    echo "[run] no cluster reachable through ${KUBECONFIG:-~/.kube/config}; starting the full local cluster (kubelet, containerd) in $LOCAL_DIR" >&2
    # The node has no registry: UPFs run the UPF simulator image built at start (docs/LOCAL-CLUSTER.md).
    export UPF_IMAGE=${UPF_IMAGE:-localhost/nexslice-upf-simulator:dev}
  else
    echo "[run] no cluster reachable through ${KUBECONFIG:-~/.kube/config}; starting the local control plane in $LOCAL_DIR" >&2
  fi
  export KUBECONFIG=$("$ROOT/scripts/local-cluster.sh" start --dir "$LOCAL_DIR" "${full[@]}")
  KUBECTL=$ASSETS/kubectl
  echo "[run] stop it later with: scripts/local-cluster.sh stop --dir $LOCAL_DIR" >&2
  echo "[run] use it from another shell with: export KUBECONFIG=$KUBECONFIG" >&2
fi
# The controller never creates the testbed namespace; on the local control plane we do it for you.
IFS=',' read -ra NAMESPACES <<<"${WATCH_NAMESPACES:-nexslice}"
for ns in "${NAMESPACES[@]}"; do
  ns=${ns// /}
  [[ $ns == "*" || -z $ns ]] && continue
  if ! "$KUBECTL" get namespace "$ns" >/dev/null 2>&1; then
    if [[ ${KUBECONFIG:-} == "$LOCAL_DIR/kubeconfig" ]]; then "$KUBECTL" create namespace "$ns" >&2
    else echo "[run] warning: namespace $ns does not exist yet; UEs there are served once it does" >&2; fi
  fi
done
# The image's JVM options (Dockerfile: serial GC, C1 only); JAVA_OPTS replaces them.
exec java ${JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1} -jar "$JAR"
