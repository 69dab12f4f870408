#!/usr/bin/env bash
# UERANSIM UEs for a NexSlice testbed, with kubectl only. The controller does the rest: a UE pod
# that becomes Ready (its PDU session interface uesimtun0 exists) gets its UPF.
#
#   scripts/ue.sh add [--count N] [--slice 1|2|3] [--namespace NS] [--image IMAGE]
#   scripts/ue.sh remove <pod>... | --all [--namespace NS]
#   scripts/ue.sh list [--namespace NS]
#   scripts/ue.sh optin <pod> [--namespace NS]     label an existing UERANSIM pod for a UPF
#   scripts/ue.sh optout <pod> [--namespace NS]    remove that label: its UPF goes
#
# add creates, per UE, a ConfigMap holding a UERANSIM ue.yaml and a Pod that mounts it, with
# credentials the NexSlice core has provisioned: PLMN 208/95, the next IMSI of 208950000000031..
# 208950000000131 that no live UE holds, key 0C0A3460... and OPc 63bfa50e..., slice sst 1|2|3
# with DNN oai|oai2|oai3, gNB ueransim-gnb.
#
# Environment: KUBECTL (default: kubectl on PATH, else the one scripts/setup.sh built),
# UE_IMAGE (default gradiant/ueransim:3.2.6), UE_GNB (default ueransim-gnb),
# UE_IMSI_FIRST / UE_IMSI_LAST (the provisioned range), UE_SELECTOR_LABEL (default
# nexslice.io/dynamic-upf), UE_IMAGE_PULL_POLICY (default IfNotPresent; Never for the local
# cluster's localhost/nexslice-* images, which no registry has).
# On the full local cluster (scripts/local-cluster.sh start --full) use the UE simulator:
#   UE_IMAGE=localhost/nexslice-ue-simulator:dev scripts/ue.sh add   (or --image ...)
# and, for it only, UE_SIM_ATTACH_DELAY_SECONDS / UE_SIM_DETACH_DELAY_SECONDS are passed to the
# pod when set (docs/LOCAL-CLUSTER.md).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAMESPACE=${UE_NAMESPACE:-nexslice}
IMAGE=${UE_IMAGE:-gradiant/ueransim:3.2.6}
PULL_POLICY=${UE_IMAGE_PULL_POLICY:-}
GNB=${UE_GNB:-ueransim-gnb}
IMSI_FIRST=${UE_IMSI_FIRST:-208950000000031}
IMSI_LAST=${UE_IMSI_LAST:-208950000000131}
OPT_IN_LABEL=${UE_SELECTOR_LABEL:-nexslice.io/dynamic-upf}
KEY=0C0A34601D4F07677303652C0462535B
OPC=63bfa50ee6523365ff14c1f45f88737d
TOOL_LABEL=app.kubernetes.io/managed-by=ue.sh

die() { echo "ue.sh: $*" >&2; exit 1; }

if [[ -n ${KUBECTL:-} ]]; then :
elif command -v kubectl >/dev/null; then KUBECTL=kubectl
elif [[ -x $HOME/.cache/dynamic-slicing/k8s-1.20.2/kubectl ]]; then KUBECTL=$HOME/.cache/dynamic-slicing/k8s-1.20.2/kubectl
else die "kubectl not found: install it, or run scripts/setup.sh (builds one), or set KUBECTL"; fi
k() { "$KUBECTL" "$@"; }

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

require_namespace() {
  k get namespace "$NAMESPACE" >/dev/null 2>&1 ||
    die "namespace '$NAMESPACE' does not exist (or the cluster is unreachable): create it with 'kubectl create namespace $NAMESPACE', or pass --namespace"
}

require_pod() {
  k -n "$NAMESPACE" get pod "$1" >/dev/null 2>&1 || die "pod '$1' not found in namespace '$NAMESPACE'"
}

slice_dnn() {
  case $1 in 1) echo oai ;; 2) echo oai2 ;; 3) echo oai3 ;; *) die "--slice must be 1, 2 or 3 (NexSlice's slices), not '$1'" ;; esac
}

# IMSIs held by live UEs: ours carry the nexslice.io/imsi label. Cluster-wide when allowed,
# since the core's subscriber database is shared by every namespace.
held_imsis() {
  k get pods --all-namespaces -l nexslice.io/imsi -o jsonpath='{range .items[*]}{.metadata.labels.nexslice\.io/imsi}{"\n"}{end}' 2>/dev/null ||
    k -n "$NAMESPACE" get pods -l nexslice.io/imsi -o jsonpath='{range .items[*]}{.metadata.labels.nexslice\.io/imsi}{"\n"}{end}'
}

ue_yaml() { # imsi sst dnn
  cat <<YAML
# UERANSIM UE made by dynamic-slicing's scripts/ue.sh: credentials provisioned in NexSlice's core.
supi: 'imsi-$1'
mcc: '208'
mnc: '95'
key: '$KEY'
op: '$OPC'
opType: 'OPC'
amf: '8000'
imei: '3569380356${1: -5}'
imeiSv: '43708161258${1: -5}'
gnbSearchList:
  - $GNB
uacAic: {mps: false, mcs: false}
uacAcc: {normalClass: 0, class11: false, class12: false, class13: false, class14: false, class15: false}
sessions:
  - type: 'IPv4'
    apn: '$3'
    slice: {sst: $2, sd: 0xffffff}
configured-nssai:
  - {sst: $2, sd: 0xffffff}
default-nssai:
  - {sst: $2, sd: 0xffffff}
integrity: {IA1: true, IA2: true, IA3: true}
ciphering: {EA1: true, EA2: true, EA3: true}
integrityMaxRate: {uplink: 'full', downlink: 'full'}
YAML
}

manifest() { # name imsi sst dnn
  local name=$1 imsi=$2 sst=$3 dnn=$4
  cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $name-config
  namespace: $NAMESPACE
  labels: {$TOOL_LABEL_YAML, nexslice.io/imsi: "$imsi", nexslice.io/slice: "$sst"}
data:
  ue.yaml: |
$(ue_yaml "$imsi" "$sst" "$dnn" | sed 's/^/    /')
---
apiVersion: v1
kind: Pod
metadata:
  name: $name
  namespace: $NAMESPACE
  labels:
    app.kubernetes.io/name: ueransim-ue
    app.kubernetes.io/component: ues
    ${TOOL_LABEL/=/: }
    nexslice.io/imsi: "$imsi"
    nexslice.io/slice: "$sst"
    $OPT_IN_LABEL: "true"
spec:
  terminationGracePeriodSeconds: 5
  containers:
    - name: ue
      image: $IMAGE
      imagePullPolicy: $PULL_POLICY
      command: ["nr-ue", "-c", "/etc/ueransim/ue.yaml"]
$(sim_env)
      securityContext:
        privileged: true          # UERANSIM creates the uesimtun0 TUN device
        capabilities: {add: ["NET_ADMIN"]}
      volumeMounts:
        - {name: config, mountPath: /etc/ueransim}
      # Ready means attached: the PDU session interface exists.
      readinessProbe:
        exec: {command: ["/bin/sh", "-c", "test -e /sys/class/net/uesimtun0"]}
        periodSeconds: 2
  volumes:
    - name: config
      configMap: {name: $name-config}
YAML
}
TOOL_LABEL_YAML=${TOOL_LABEL/=/: }

sim_env() { # the UE simulator's knobs, only when the caller set them
  local v out=""
  for v in UE_SIM_ATTACH_DELAY_SECONDS UE_SIM_DETACH_DELAY_SECONDS; do
    [[ -n ${!v:-} ]] || continue
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number of seconds, not '${!v}'"
    out+="        - {name: $v, value: \"${!v}\"}"$'\n'
  done
  [[ -n $out ]] && printf '      env:\n%s' "$out"
  return 0
}

cmd_add() {
  local count=1 slice=1
  while (($#)); do
    case $1 in
      --count) count=$2; shift 2 ;;
      --slice) slice=$2; shift 2 ;;
      --namespace) NAMESPACE=$2; shift 2 ;;
      --image) IMAGE=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ $count =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number, not '$count'"
  sim_env >/dev/null   # validates the simulator's knobs here, where die stops the script
  if [[ -z $PULL_POLICY ]]; then
    if [[ $IMAGE == localhost/nexslice-* ]]; then PULL_POLICY=Never; else PULL_POLICY=IfNotPresent; fi
  fi
  local dnn; dnn=$(slice_dnn "$slice")
  require_namespace
  local held; held=$(held_imsis | sort -u)
  local imsi=$IMSI_FIRST made=0
  while ((made < count)); do
    if ((imsi > IMSI_LAST)); then
      die "IMSI range $IMSI_FIRST..$IMSI_LAST used up: $made of $count UEs made; remove UEs first (scripts/ue.sh remove)"
    fi
    if grep -qx "$imsi" <<<"$held"; then imsi=$((imsi + 1)); continue; fi
    local name="ue-$imsi"
    # 'create', not 'apply': a UE made meanwhile by someone else fails here instead of being overwritten.
    if out=$(manifest "$name" "$imsi" "$slice" "$dnn" | k create -f - 2>&1); then
      echo "created $NAMESPACE/$name (imsi $imsi, slice $slice, dnn $dnn)"
      made=$((made + 1))
    elif grep -q AlreadyExists <<<"$out"; then
      : # taken meanwhile: next IMSI
    else
      echo "$out" >&2; die "could not create $name"
    fi
    imsi=$((imsi + 1))
  done
}

cmd_remove() {
  local names=() all=0
  while (($#)); do
    case $1 in
      --all) all=1; shift ;;
      --namespace) NAMESPACE=$2; shift 2 ;;
      -*) usage ;;
      *) names+=("$1"); shift ;;
    esac
  done
  require_namespace
  if ((all)); then
    k -n "$NAMESPACE" delete pods,configmaps -l "$TOOL_LABEL" --wait=false
    return
  fi
  ((${#names[@]})) || usage
  for n in "${names[@]}"; do
    require_pod "$n"
    k -n "$NAMESPACE" delete pod "$n" --wait=false
    k -n "$NAMESPACE" delete configmap "$n-config" --ignore-not-found --wait=false
  done
}

cmd_list() {
  while (($#)); do
    case $1 in --namespace) NAMESPACE=$2; shift 2 ;; *) usage ;; esac
  done
  require_namespace
  # UPF Deployments of the controller, by the UE pods they list as owners (both modes).
  declare -A upf_of=() state_of=()
  while read -r upf ready want owners; do
    [[ -n ${upf:-} ]] || continue
    for o in ${owners//,/ }; do upf_of[$o]=$upf; state_of[$o]="${ready:-0}/${want}"; done
  done < <(k -n "$NAMESPACE" get deployments -l app.kubernetes.io/managed-by=dynamic-slicing -o \
    jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.readyReplicas}{" "}{.spec.replicas}{" "}{range .metadata.ownerReferences[*]}{.name}{","}{end}{"\n"}{end}' |
    awk '{ if (NF == 3) { print $1, 0, $2, $3 } else { print } }')
  declare -A has_svc=()
  while read -r s; do [[ -n $s ]] && has_svc[$s]=1; done < <(k -n "$NAMESPACE" get services \
    -l app.kubernetes.io/managed-by=dynamic-slicing -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
  printf '%-28s %-6s %-16s %-6s %-28s %-8s %s\n' UE SLICE IMSI READY UPF UPF-PODS SERVICE
  k -n "$NAMESPACE" get pods -l "$OPT_IN_LABEL" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.labels.nexslice\.io/slice}{" "}{.metadata.labels.nexslice\.io/imsi}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
  while read -r pod slice imsi ready; do
    local upf=${upf_of[$pod]:-} 
    printf '%-28s %-6s %-16s %-6s %-28s %-8s %s\n' "$pod" "${slice:--}" "${imsi:--}" "${ready:-False}" \
      "${upf:-none}" "${state_of[$pod]:--}" "$([[ -n $upf && -n ${has_svc[$upf]:-} ]] && echo "$upf" || echo -)"
  done
}

cmd_label() { # optin|optout pod
  local mode=$1; shift
  local pod=""
  while (($#)); do
    case $1 in --namespace) NAMESPACE=$2; shift 2 ;; -*) usage ;; *) pod=$1; shift ;; esac
  done
  [[ -n $pod ]] || usage
  require_namespace
  require_pod "$pod"
  if [[ $mode == optin ]]; then
    k -n "$NAMESPACE" label pod "$pod" "$OPT_IN_LABEL=true" --overwrite
  else
    k -n "$NAMESPACE" label pod "$pod" "$OPT_IN_LABEL-"
  fi
}

sub=${1:-}; shift || true
case $sub in
  add) cmd_add "$@" ;;
  remove) cmd_remove "$@" ;;
  list) cmd_list "$@" ;;
  optin|optout) cmd_label "$sub" "$@" ;;
  *) usage ;;
esac
