#!/usr/bin/env bash
# Runs the controller against the current kubeconfig; when no cluster answers there, starts the
# local cluster (scripts/local-cluster.sh) and runs against that: on Linux as root the full one
# (kubelet, containerd; UPFs run the UPF simulator unless UPF_IMAGE says otherwise), elsewhere
# the control plane alone (DS_LOCAL_FULL=0 forces that).
# Configuration: the environment variables listed in README.md (WATCH_NAMESPACES, UE_SELECTOR, ...).
#
#   scripts/run.sh                 the controller as a process on this machine
#   scripts/run.sh --in-cluster    the controller as users install it: builds the image
#                                  (scripts/build-image.sh), loads it into the cluster's containerd
#                                  (the full local cluster's, or k3s's), applies manifests/ with only
#                                  the image changed (a kustomize overlay in target/in-cluster), and
#                                  waits for the rollout. With no cluster reachable it starts the
#                                  full local cluster first (Linux, root).
#   scripts/run.sh --in-cluster --all-namespaces
#                                  the same from manifests/overlays/all-namespaces (a ClusterRole);
#                                  WATCH_NAMESPACES=a,b narrows it to those namespaces.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/target/dynamic-slicing.jar
LOCAL_DIR=${DS_LOCAL_DIR:-/tmp/dynamic-slicing-cluster}

IN_CLUSTER=0 BASE=manifests
case "${1:-} ${2:-}" in
  "--in-cluster ") IN_CLUSTER=1 ;;
  "--in-cluster --all-namespaces") IN_CLUSTER=1 BASE=manifests/overlays/all-namespaces ;;
  " ") ;;
  *) echo "usage: scripts/run.sh [--in-cluster [--all-namespaces]]" >&2; exit 2 ;;
esac
((IN_CLUSTER)) || [[ -f $JAR ]] || (cd "$ROOT" && mvn -B -q -DskipTests package)
ASSETS=$("$ROOT/scripts/build-control-plane.sh" 2>/dev/null || true)
KUBECTL=$(command -v kubectl || echo "$ASSETS/kubectl")

reachable() { [[ -x $KUBECTL ]] && "$KUBECTL" version --request-timeout=3s >/dev/null 2>&1; }

if ! reachable; then
  full=()
  if ((IN_CLUSTER)) && [[ $(uname -s) != Linux || $(id -u) != 0 ]]; then
    echo "[run] --in-cluster needs a cluster that runs pods: none is reachable, and the full local cluster needs Linux and root" >&2
    exit 1
  fi
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
((IN_CLUSTER)) && NAMESPACES+=(nexslice)   # where the manifests install the controller
for ns in "${NAMESPACES[@]}"; do
  ns=${ns// /}
  [[ $ns == "*" || -z $ns ]] && continue
  if ! "$KUBECTL" get namespace "$ns" >/dev/null 2>&1; then
    if [[ ${KUBECONFIG:-} == "$LOCAL_DIR/kubeconfig" ]]; then "$KUBECTL" create namespace "$ns" >&2
    else echo "[run] warning: namespace $ns does not exist yet; UEs there are served once it does" >&2; fi
  fi
done
if ((IN_CLUSTER)); then
  local_cluster=0
  [[ ${KUBECONFIG:-} == "$LOCAL_DIR/kubeconfig" && -S $LOCAL_DIR/node/containerd.sock ]] && local_cluster=1
  # A tag of its own per build, so that applying it rolls the Deployment out.
  TAG=dev-$(date +%s)
  "$ROOT/scripts/build-image.sh" --name "dynamic-slicing:$TAG" >&2
  IMAGE_TAR=$ROOT/target/dynamic-slicing-image.tar
  if ((local_cluster)); then
    ctr --address "$LOCAL_DIR/node/containerd.sock" -n k8s.io images import "$IMAGE_TAR" >&2
  elif command -v k3s >/dev/null; then
    k3s ctr images import "$IMAGE_TAR" >&2
  elif [[ ${DS_IMAGE_LOADED:-0} != 1 ]]; then
    echo "[run] this cluster is neither the local one nor k3s on this machine: load $IMAGE_TAR into its nodes" >&2
    echo "[run] (or push it to a registry they pull from), then run again with DS_IMAGE_LOADED=1" >&2
    exit 1
  fi
  OVERLAY=$ROOT/target/in-cluster
  mkdir -p "$OVERLAY"
  {
    echo "# Made by scripts/run.sh --in-cluster: manifests/ as shipped, with the image just built."
    echo "apiVersion: kustomize.config.k8s.io/v1beta1"
    echo "kind: Kustomization"
    echo "bases:"
    echo "  - ../../$BASE"
    echo "images:"
    echo "  - name: dynamic-slicing"
    echo "    newTag: $TAG"
    env_patch=()
    # No registry reaches the local node: its UPFs run the UPF simulator, as with run.sh on the host.
    ((local_cluster)) && env_patch+=("UPF_IMAGE=localhost/nexslice-upf-simulator:dev")
    # The all-namespaces overlay watches "*" unless told which namespaces.
    [[ $BASE == */all-namespaces && -n ${WATCH_NAMESPACES:-} && $WATCH_NAMESPACES != "*" ]] &&
      env_patch+=("WATCH_NAMESPACES=$WATCH_NAMESPACES")
    if ((${#env_patch[@]})); then
      echo "patchesStrategicMerge:"
      echo "  - env.yaml"
      {
        printf '%s\n' "apiVersion: apps/v1" "kind: Deployment" "metadata: {name: dynamic-slicing}" "spec:" \
          "  template:" "    spec:" "      containers:" "        - name: controller" "          env:"
        for kv in "${env_patch[@]}"; do
          printf '            - {name: %s, value: "%s", valueFrom: null}\n' "${kv%%=*}" "${kv#*=}"
        done
      } >"$OVERLAY/env.yaml"
    fi
  } >"$OVERLAY/kustomization.yaml"
  "$KUBECTL" apply -k "$OVERLAY" >&2
  "$KUBECTL" -n nexslice rollout status deployment/dynamic-slicing --timeout=180s >&2
  stop="$KUBECTL delete -k $OVERLAY"
  ((local_cluster)) && stop+="; scripts/local-cluster.sh stop --dir $LOCAL_DIR"
  cat >&2 <<EOF
[run] dynamic-slicing:$TAG runs in namespace nexslice (2 replicas, one leader).
[run] watch: $KUBECTL -n nexslice logs -f -l app.kubernetes.io/name=dynamic-slicing --prefix
[run]        $KUBECTL -n nexslice get lease dynamic-slicing -o jsonpath='{.spec.holderIdentity}'
[run]        $KUBECTL -n nexslice port-forward svc/dynamic-slicing-metrics 8080 & curl -s localhost:8080/api/ue-count
[run] stop:  $stop
EOF
  exit 0
fi
# The image's JVM options and class-data archive (Dockerfile: serial GC, C1 only, the archive of
# a training run, made once per build of the jar); JAVA_OPTS replaces them all.
if [[ -z ${JAVA_OPTS:-} ]]; then
  source "$ROOT/scripts/lib/class-data.sh"
  JAVA_OPTS=$IMAGE_JVM_OPTIONS
  class_data_archive "$JAR" "$ROOT/target/dynamic-slicing.jsa" && JAVA_OPTS+=" -XX:SharedArchiveFile=$ROOT/target/dynamic-slicing.jsa"
fi
# shellcheck disable=SC2086 # the options are words
exec java $JAVA_OPTS -jar "$JAR"
