#!/usr/bin/env bash
# The five-minute demo: against the current kubeconfig, with the controller running
# (scripts/run.sh in another shell), create N UEs, watch each UPF appear, remove the UEs, watch
# each UPF go, with timings.
#
#   scripts/demo.sh [N]          N UEs (default 3) in $UE_NAMESPACE (default nexslice)
#
# A cluster without a kubelet (the local control plane) cannot run UE pods: the demo says so
# and plays the kubelet's part, marking each UE pod Ready through the status subresource.
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
k version --request-timeout=5s >/dev/null 2>&1 || { echo "demo: no cluster reachable through ${KUBECONFIG:-~/.kube/config}; start one: scripts/local-cluster.sh start" >&2; exit 1; }
k get namespace "$NAMESPACE" >/dev/null 2>&1 || { echo "demo: namespace $NAMESPACE does not exist (scripts/run.sh creates it on the local control plane)" >&2; exit 1; }

PLAY_KUBELET=0
if [[ -z $(k get nodes -o name 2>/dev/null) ]]; then
  PLAY_KUBELET=1
  say "This cluster has no kubelet (no nodes): UE pods cannot run, so the demo plays the kubelet's part and marks them Ready itself."
  PROXY_LOG=$(mktemp)
  k proxy --port=0 >"$PROXY_LOG" 2>&1 &
  PROXY_PID=$!
  trap 'kill $PROXY_PID 2>/dev/null || true; rm -f "$PROXY_LOG"' EXIT
  for _ in $(seq 50); do grep -q "Starting to serve" "$PROXY_LOG" && break; sleep 0.1; done
  PROXY=$(sed -n 's/.*Starting to serve on \(.*\)/\1/p' "$PROXY_LOG")
  [[ -n $PROXY ]] || { echo "demo: kubectl proxy did not start: $(cat "$PROXY_LOG")" >&2; exit 1; }
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
declare -A READY_AT=()
for ue in "${UES[@]}"; do
  if ((PLAY_KUBELET)); then
    mark_ready "$ue"
    say "$ue marked Ready (as a kubelet would once uesimtun0 exists)"
  else
    wait_for "$ue to become Ready" bash -c "[[ \$('$KUBECTL' -n '$NAMESPACE' get pod '$ue' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}') == True ]]"
    say "$ue Ready (its readiness probe saw uesimtun0)"
  fi
  READY_AT[$ue]=$(now_ms)
done
for ue in "${UES[@]}"; do
  wait_for "the UPF of $ue" bash -c "[[ -n \$('$KUBECTL' -n '$NAMESPACE' get deployments -l app.kubernetes.io/managed-by=dynamic-slicing -o jsonpath='{range .items[?(@.metadata.ownerReferences[*].name==\"$ue\")]}{.metadata.name}{end}') ]]"
  upf=$(upf_of "$ue")
  wait_for "the Service of $upf" bash -c "'$KUBECTL' -n '$NAMESPACE' get service '$upf' -o name >/dev/null 2>&1"
  say "UPF $upf (Deployment + Service) up for $ue, $(( $(now_ms) - READY_AT[$ue] )) ms after Ready"
done
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
  if k -n "$NAMESPACE" get deployment "$upf" >/dev/null 2>&1; then
    say "$ue left shared UPF $upf ($(( $(now_ms) - t0 )) ms)"
  else
    say "UPF $upf gone, $(( $(now_ms) - t0 )) ms after $ue was removed"
  fi
done
say "Done: $N UPF(s) came and went."
