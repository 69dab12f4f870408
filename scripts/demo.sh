#!/usr/bin/env bash
# The five-minute demo: against the current kubeconfig, with the controller running
# (scripts/run.sh in another shell), create N UEs, watch each UPF appear, remove the UEs, watch
# each UPF go, with timings.
#
#   scripts/demo.sh [N]          N UEs (default 3) in $UE_NAMESPACE (default nexslice)
#
# When no cluster is reachable, on Linux as root, the demo brings its own: the full local cluster
# (scripts/local-cluster.sh start --full, in $DEMO_CLUSTER_DIR, default /tmp/dynamic-slicing-demo)
# and the controller (target/dynamic-slicing.jar with UPF_IMAGE=the UPF simulator), and stops
# both at the end (DEMO_KEEP_CLUSTER=1 keeps them and says how to stop them).
# On a cluster with a kubelet, UE pods go Ready through their readiness probe (registered with
# the core), open their PDU session once the controller marks them (their UPF is ready), which
# scripts/ue.sh verify then shows, and deleting one goes through Terminating. On the full local cluster the UE simulator image is
# used unless UE_IMAGE says otherwise. A cluster without a kubelet (the control plane alone)
# cannot run UE pods: the demo says so and plays the kubelet's part, marking each UE pod Ready
# through the status subresource.
# Environment: as scripts/ue.sh (KUBECTL, UE_IMAGE, UE_NAMESPACE), DEMO_TIMEOUT (seconds, 60).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-3}
NAMESPACE=${UE_NAMESPACE:-nexslice}
TIMEOUT=${DEMO_TIMEOUT:-60}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/demo.sh [N]" >&2; exit 2; }

if [[ -z ${KUBECTL:-} ]]; then
  if command -v kubectl >/dev/null; then KUBECTL=kubectl; else KUBECTL=$HOME/.cache/dynamic-slicing/k8s-1.20.2/kubectl; fi
fi
export KUBECTL
k() { "$KUBECTL" "$@"; }
now_ms() { date +%s%3N; }
say() { printf '[%6.2fs] %s\n' "$(awk "BEGIN {print ($(now_ms) - $START) / 1000}")" "$*"; }

START=$(now_ms)
CLEANUP=()
cleanup() { local c; for c in "${CLEANUP[@]}"; do eval "$c" || true; done; }
trap cleanup EXIT

# No cluster: bring the full local cluster and the controller, as a user would start them.
if ! k version --request-timeout=5s >/dev/null 2>&1; then
  if [[ $(uname -s) != Linux || $(id -u) != 0 ]]; then
    echo "demo: no cluster reachable through ${KUBECONFIG:-~/.kube/config}; start one: scripts/local-cluster.sh start (or, on Linux as root, let the demo start the full local cluster)" >&2
    exit 1
  fi
  DIR=${DEMO_CLUSTER_DIR:-/tmp/dynamic-slicing-demo}
  say "No cluster reachable through ${KUBECONFIG:-~/.kube/config}: starting the full local cluster (kubelet, containerd) in $DIR"
  export KUBECONFIG
  KUBECONFIG=$("$ROOT/scripts/local-cluster.sh" start --full --dir "$DIR")
  if [[ -z ${DEMO_KEEP_CLUSTER:-} ]]; then
    CLEANUP+=("'$ROOT/scripts/local-cluster.sh' stop --dir '$DIR' >/dev/null 2>&1; echo '[demo] stopped the local cluster in $DIR'")
  fi
  [[ -x $KUBECTL ]] || KUBECTL=$HOME/.cache/dynamic-slicing/k8s-1.20.2/kubectl
  k get namespace "$NAMESPACE" >/dev/null 2>&1 || k create namespace "$NAMESPACE" >/dev/null
  [[ -f $ROOT/target/dynamic-slicing.jar ]] || (cd "$ROOT" && mvn -B -q -DskipTests package)
  say "Starting the controller (UPF_IMAGE=localhost/nexslice-upf-simulator:dev), log in $DIR/logs/controller.log"
  WATCH_NAMESPACES=$NAMESPACE HTTP_PORT=0 UPF_IMAGE=${UPF_IMAGE:-localhost/nexslice-upf-simulator:dev} \
    setsid java ${JAVA_OPTS:-} -jar "$ROOT/target/dynamic-slicing.jar" >"$DIR/logs/controller.log" 2>&1 </dev/null &
  CONTROLLER_PID=$!
  if [[ -z ${DEMO_KEEP_CLUSTER:-} ]]; then
    CLEANUP=("kill $CONTROLLER_PID 2>/dev/null; wait $CONTROLLER_PID 2>/dev/null" "${CLEANUP[@]}")
  else
    CLEANUP+=("echo '[demo] kept: controller pid $CONTROLLER_PID; cluster in $DIR (export KUBECONFIG=$KUBECONFIG). Stop: kill $CONTROLLER_PID; scripts/local-cluster.sh stop --dir $DIR'")
  fi
  for _ in $(seq 1 300); do grep -q "Started UPF controller" "$DIR/logs/controller.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "Started UPF controller" "$DIR/logs/controller.log" ||
    { echo "demo: the controller did not start: $(tail -5 "$DIR/logs/controller.log")" >&2; exit 1; }
fi
k get namespace "$NAMESPACE" >/dev/null 2>&1 || { echo "demo: namespace $NAMESPACE does not exist (scripts/run.sh creates it on the local control plane)" >&2; exit 1; }

PLAY_KUBELET=0
if [[ -z $(k get nodes -o name 2>/dev/null) ]]; then
  PLAY_KUBELET=1
  say "This cluster has no kubelet (no nodes): UE pods cannot run, so the demo plays the kubelet's part and marks them Ready itself."
  PROXY_LOG=$(mktemp)
  # kubectl itself in the background, not the k function: $! must be kubectl's pid, or the
  # cleanup kills a subshell and the proxy outlives the demo.
  "$KUBECTL" proxy --port=0 >"$PROXY_LOG" 2>&1 &
  PROXY_PID=$!
  CLEANUP+=("kill $PROXY_PID 2>/dev/null; rm -f '$PROXY_LOG'")
  for _ in $(seq 50); do grep -q "Starting to serve" "$PROXY_LOG" && break; sleep 0.1; done
  PROXY=$(sed -n 's/.*Starting to serve on \(.*\)/\1/p' "$PROXY_LOG")
  [[ -n $PROXY ]] || { echo "demo: kubectl proxy did not start: $(cat "$PROXY_LOG")" >&2; exit 1; }
elif [[ -z ${UE_IMAGE:-} ]] && k get nodes -o jsonpath='{.items[*].status.images[*].names[*]}' 2>/dev/null |
    tr ' ' '\n' | grep -q '^localhost/nexslice-ue-simulator:dev$'; then
  # The full local cluster: its node holds the UE simulator (no registry, no UERANSIM image here).
  export UE_IMAGE=localhost/nexslice-ue-simulator:dev
  export UE_SIM_DETACH_DELAY_SECONDS=${UE_SIM_DETACH_DELAY_SECONDS:-2}
  say "The full local cluster: UEs run the UE simulator ($UE_IMAGE), which registers and opens sessions like UERANSIM's nr-ue/nr-cli; Ready means registered."
fi

mark_ready() {
  local now; now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  curl -sf -X PATCH -H 'Content-Type: application/merge-patch+json' \
    "http://$PROXY/api/v1/namespaces/$NAMESPACE/pods/$1/status" \
    -d "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}

upf_of() { # pod -> UPF Deployment listing it as owner (either mode), or nothing
  k -n "$NAMESPACE" get deployments -l app.kubernetes.io/managed-by=dynamic-slicing -o \
    jsonpath="{range .items[?(@.metadata.ownerReferences[*].name==\"$1\")]}{.metadata.name}{end}" 2>/dev/null
}

wait_for() { # description, command...
  local what=$1; shift
  local deadline=$(($(date +%s) + TIMEOUT))
  until "$@"; do
    if (($(date +%s) > deadline)); then
      echo "demo: timed out after ${TIMEOUT}s waiting for $what. Is the controller running (scripts/run.sh), watching $NAMESPACE?" >&2
      exit 1
    fi
    sleep 0.2
  done
}

say "Creating $N UE(s) in $NAMESPACE with scripts/ue.sh add --count $N"
mapfile -t UES < <(UE_NAMESPACE=$NAMESPACE "$ROOT/scripts/ue.sh" add --count "$N" --namespace "$NAMESPACE" | sed -n 's#^created [^/]*/\([^ ]*\).*#\1#p')
((${#UES[@]} == N)) || { echo "demo: expected $N UEs, made ${#UES[@]}" >&2; exit 1; }
# One UE at a time: Ready (by its probe, or marked), then its UPF, so each latency is its own.
for ue in "${UES[@]}"; do
  if ((PLAY_KUBELET)); then
    mark_ready "$ue"
    say "$ue marked Ready (as a kubelet would once uesimtun0 exists)"
  else
    wait_for "$ue to become Ready" bash -c "[[ \$('$KUBECTL' -n '$NAMESPACE' get pod '$ue' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == True ]]"
    say "$ue Ready (registered: its readiness probe saw RM-REGISTERED)"
  fi
  ready_at=$(now_ms)
  wait_for "the UPF of $ue" bash -c "[[ -n \$('$KUBECTL' -n '$NAMESPACE' get deployments -l app.kubernetes.io/managed-by=dynamic-slicing -o jsonpath='{range .items[?(@.metadata.ownerReferences[*].name==\"$ue\")]}{.metadata.name}{end}') ]]"
  upf=$(upf_of "$ue")
  wait_for "the Service of $upf" bash -c "'$KUBECTL' -n '$NAMESPACE' get service '$upf' -o name >/dev/null 2>&1"
  say "UPF $upf (Deployment + Service) up for $ue, $(( $(now_ms) - ready_at )) ms after Ready"
done
if ((!PLAY_KUBELET)); then
  for ue in "${UES[@]}"; do
    upf=$(upf_of "$ue")
    want=$(k -n "$NAMESPACE" get deployment "$upf" -o jsonpath='{.spec.replicas}')
    ((want > 0)) || continue
    wait_for "the UPF pods of $upf to be Ready" bash -c "[[ \$('$KUBECTL' -n '$NAMESPACE' get deployment '$upf' -o jsonpath='{.status.readyReplicas}') == '$want' ]]"
    say "UPF $upf: $want UPF pod(s) Running and Ready ($(k -n "$NAMESPACE" get deployment "$upf" -o jsonpath='{.spec.template.spec.containers[0].image}'))"
    wait_for "the controller's mark on $ue" bash -c "[[ \$('$KUBECTL' -n '$NAMESPACE' get pod '$ue' -o jsonpath='{.metadata.annotations.nexslice\\.io/upf-ready}') == true ]]"
    say "$ue marked: nexslice.io/upf=$upf, nexslice.io/upf-ready=true; the UE opens its PDU session now"
  done
  # The proof: each UE's session, its UPF, and that the session came after the UPF was ready.
  # Waiting is one nr-cli ps-list per try; verify, with its several kubectl calls, runs once.
  for ue in "${UES[@]}"; do
    wait_for "the PDU session of $ue" bash -c "'$KUBECTL' -n '$NAMESPACE' exec '$ue' -- sh -c 'nr-cli \$(nr-cli --dump | head -1) -e ps-list' 2>/dev/null | grep -q '^PDU Session'"
  done
  echo
  UE_NAMESPACE=$NAMESPACE "$ROOT/scripts/ue.sh" verify "${UES[@]}" --namespace "$NAMESPACE"
fi
echo
UE_NAMESPACE=$NAMESPACE "$ROOT/scripts/ue.sh" list --namespace "$NAMESPACE"
echo

for ue in "${UES[@]}"; do
  upf=$(upf_of "$ue")
  t0=$(now_ms)
  UE_NAMESPACE=$NAMESPACE "$ROOT/scripts/ue.sh" remove "$ue" --namespace "$NAMESPACE" >/dev/null
  say "Removed $ue"
  # A shared (per-slice) UPF stays while another UE uses it: wait only until this UE is off it.
  wait_for "$ue to leave UPF $upf" bash -c "! '$KUBECTL' -n '$NAMESPACE' get deployment '$upf' -o jsonpath='{.metadata.ownerReferences[*].name}' 2>/dev/null | tr ' ' '\n' | grep -qx '$ue'"
  gone_ms=$(( $(now_ms) - t0 ))
  still=""
  if ((!PLAY_KUBELET)) && [[ -n $(k -n "$NAMESPACE" get pod "$ue" -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null) ]]; then
    still=", while it was still Terminating"
  fi
  if k -n "$NAMESPACE" get deployment "$upf" >/dev/null 2>&1; then
    say "$ue left shared UPF $upf (${gone_ms} ms$still)"
  else
    say "UPF $upf gone, ${gone_ms} ms after $ue was removed$still"
  fi
  if ((!PLAY_KUBELET)); then
    wait_for "$ue to finish Terminating" bash -c "! '$KUBECTL' -n '$NAMESPACE' get pod '$ue' >/dev/null 2>&1"
    say "$ue gone: Terminating took $(( $(now_ms) - t0 )) ms"
  fi
done
say "Done: $N UPF(s) came and went."
