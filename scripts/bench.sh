#!/usr/bin/env bash
# Benchmarks (docs/BENCHMARKS.md): starts its own local control plane (etcd, kube-apiserver and
# kube-controller-manager, as in any cluster: Deployments get ReplicaSets, pods and status
# updates), runs P1..P5 with floors measured in the same run, prints the machine and one table.
#
#   scripts/bench.sh                full scale (about 30 minutes on 2 cores)
#   scripts/bench.sh --smoke        tiny scale, to check the benchmark still works
#   scripts/bench.sh --no-controller-manager [--smoke]
#                                   the same without kube-controller-manager (as runs before
#                                   2026-12-06: no ReplicaSets or status updates compete)
#   scripts/bench.sh --failover [N] P6 only: the controller installed as users install it
#                                   (scripts/run.sh --in-cluster) on its own full local cluster
#                                   (Linux, root), N samples (default 5) of each way of stopping
#                                   the leader, with UEs added and removed during each hand-over.
#   scripts/bench.sh --pod-ready [N] P7 only: the same installation on its own full local cluster;
#                                   N UEs (default 20) added one at a time with scripts/ue.sh, each
#                                   timed from its Ready to its UPF's pod Ready, and in turn with
#                                   them the same UPF pod started without the controller (a copy
#                                   of its Deployment made by the benchmark), the kubelet's floor.
# Env: CONTROLLER_JVM (JVM options of the controller process, default as the Dockerfile's less
#      the container sizing), CONTROLLER_CPUS (its CPU limit, a cgroup quota as the Deployment's
#      1 CPU; default 1, 0 for none), CONTROLLER_MEMORY_MIB (its memory limit, a cgroup as the
#      Deployment's 512 MiB; 0 for none), CONTROLLER_LOGS (json: INFO JSON lines as the Deployment
#      logs, the default; warn: WARN text, as runs before 2026-12-05), BENCH_OUT (file to write the table to), BENCH_ONLY (e.g. P3: only
#      those scenarios; P2 includes P4, P3 includes P5), BENCH_WORKERS (the controller's WORKER_COUNT
#      and the floors' concurrency, default 4), BENCH_SAMPLES (samples per scenario, default 5).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SCALE=full KCM=1
if [[ ${1:-} == --no-controller-manager ]]; then KCM=0; shift; fi
[[ ${1:-} == --smoke ]] && SCALE=smoke
machine() {
  echo "## Machine"
  echo "- cores: $(nproc), memory: $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "- JVM: $(java -version 2>&1 | head -1)"
}
if [[ ${1:-} == --failover || ${1:-} == --pod-ready ]]; then
  if [[ $1 == --failover ]]; then
    MODE=failover CLASS=FailoverBench SAMPLES=${2:-5}
  else
    MODE=pod-ready CLASS=PodReadyBench SAMPLES=${2:-20}
  fi
  mvn -B -q -DskipTests package test-compile >&2
  CP=$(mktemp)
  mvn -B -q dependency:build-classpath -Dmdep.outputFile="$CP" -Dmdep.includeScope=test >&2
  DIR=$(mktemp -d "/tmp/ds-$MODE-XXXX")
  trap 'scripts/local-cluster.sh stop --dir "$DIR" >/dev/null 2>&1 || true; rm -f "$CP"' EXIT
  # Its own cluster (the kubeconfig of the environment is ignored): run.sh starts it, builds and
  # imports the image and installs manifests/ with the image changed, as a user would.
  KUBECONFIG=$DIR/none DS_LOCAL_DIR=$DIR scripts/run.sh --in-cluster
  ASSETS=$(scripts/build-control-plane.sh 2>/dev/null)
  machine
  echo "- control plane: $("$ASSETS/kube-apiserver" --version 2>&1 | head -1), with kube-controller-manager and a kubelet (full local cluster)"
  echo "- controller: the image of scripts/build-image.sh, manifests/ as shipped (2 replicas, lease 15 s, renew 10 s, retry 2 s, 1 CPU limit)"
  if [[ $MODE == pod-ready ]]; then
    echo "- pods: UEs localhost/nexslice-ue-simulator:dev (scripts/ue.sh add), UPFs localhost/nexslice-upf-simulator:dev (oai profile), images local (no pulls)"
  fi
  echo
  java -cp "target/test-classes:target/classes:$(cat "$CP")" "io.nexslice.dynamicslicing.bench.$CLASS" \
    --kubeconfig "$DIR/kubeconfig" --kubectl "$ASSETS/kubectl" --local-dir "$DIR" --root "$ROOT" \
    --ue-image localhost/nexslice-ue-simulator:dev --samples "$SAMPLES" ${BENCH_OUT:+--out "$BENCH_OUT"}
  exit 0
fi
# As the Deployment runs it: the Dockerfile's options in a 512 MiB container (MaxRAM), with the
# class-data archive made as the image makes it (scripts/lib/class-data.sh; scripts/run.sh uses
# the same one).
source scripts/lib/class-data.sh
CDS_ARCHIVE=target/dynamic-slicing.jsa
CONTROLLER_JVM=${CONTROLLER_JVM:-"$IMAGE_JVM_OPTIONS -XX:SharedArchiveFile=$CDS_ARCHIVE -XX:MaxRAM=512m -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"}

mvn -B -q -DskipTests package test-compile >&2
class_data_archive target/dynamic-slicing.jar "$CDS_ARCHIVE" || true
CP=$(mktemp); trap 'rm -f "$CP"' EXIT
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$CP" -Dmdep.includeScope=test >&2
# P5's floor gets a class-data archive of its own, as the controller has; the JVM archives
# classes from jars only.
jar cf target/bench-floor.jar -C target/test-classes io/nexslice/dynamicslicing/bench
FLOOR_CP="target/bench-floor.jar:$(ls target/dynamic-slicing-*-SNAPSHOT.jar 2>/dev/null | grep -v original | head -1):$(cat "$CP")"
DIR=$(mktemp -d /tmp/ds-bench-XXXX)
cleanup() { scripts/local-cluster.sh stop --dir "$DIR" >/dev/null 2>&1 || true; rm -f "$CP"; }
trap cleanup EXIT
if ((KCM)); then
  KUBECONFIG_FILE=$(scripts/local-cluster.sh start --dir "$DIR")
  kcm="kube-controller-manager (deployment, replicaset, garbage collector, namespace, service account controllers; --kube-api-qps 200), no scheduler or kubelet: UPF pods stay Pending"
else
  KUBECONFIG_FILE=$(scripts/local-cluster.sh start --dir "$DIR" --no-controller-manager)
  kcm="no kube-controller-manager"
fi
ASSETS=$(cat "$DIR/assets")

machine
echo "- control plane: $("$ASSETS/kube-apiserver" --version 2>&1 | head -1), etcd $(etcd --version 2>&1 | awk '/etcd Version/ {print $3}'), $kcm"
CONTROLLER_CPUS=${CONTROLLER_CPUS:-1}
CONTROLLER_MEMORY_MIB=${CONTROLLER_MEMORY_MIB:-512}
CONTROLLER_LOGS=${CONTROLLER_LOGS:-json}
echo "- controller JVM options: ${CONTROLLER_JVM}; scale: $SCALE"
echo "- controller limits: ${CONTROLLER_CPUS} CPU, ${CONTROLLER_MEMORY_MIB} MiB (cgroups; 0: none); logs: ${CONTROLLER_LOGS}"
echo
java -cp "target/test-classes:target/classes:$(cat "$CP")" io.nexslice.dynamicslicing.bench.BenchMain \
  --kubeconfig "$KUBECONFIG_FILE" --jar target/dynamic-slicing.jar --scale "$SCALE" --controller-manager "$( ((KCM)) && echo true || echo false)" \
  --controller-jvm "$CONTROLLER_JVM" --controller-cpus "$CONTROLLER_CPUS" --controller-memory-mib "$CONTROLLER_MEMORY_MIB" \
  --controller-logs "$CONTROLLER_LOGS" \
  --floor-classpath "$FLOOR_CP" ${BENCH_OUT:+--out "$BENCH_OUT"} ${BENCH_ONLY:+--only "$BENCH_ONLY"} \
  ${BENCH_WORKERS:+--workers "$BENCH_WORKERS"} ${BENCH_SAMPLES:+--samples "$BENCH_SAMPLES"}
