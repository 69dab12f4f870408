package io.nexslice.dynamicslicing.bench;

import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * Issue 17, item 5: stop the leader of the installed controller (scripts/run.sh --in-cluster on
 * the full local cluster) while UEs come and go, and measure the gap from the stop to the new
 * leader's first reconcile ("First reconcile done" in its JSON log, epoch ms; same host clock).
 * Each sample also checks that every change was served exactly once: the UE added during the
 * hand-over got one UPF and one UpfCreated, the UE removed lost its UPF with one UpfRemoved, and
 * every UE that stayed kept the same UPF (same uid) and a single UpfCreated.
 *
 * <p>Used by LocalKubeletE2EIT (one sample of each stop) and by {@code scripts/bench.sh --failover}
 * (P6: several samples, medians).
 */
public final class FailoverDrill implements AutoCloseable {
  /** How the leader is stopped. */
  public enum Stop {
    /** kubectl delete pod: SIGTERM, the controller gives the lease up. */
    CLEAN,
    /** kubectl delete pod --grace-period=0 --force: the object goes at once, the kubelet kills the container. */
    FORCE,
    /** kill -9 of the leader's JVM from the host: its container restarts in the same pod, same identity. */
    KILL
  }

  /**
   * @param gapMs stop -> first reconcile of the leader that followed
   * @param from the pod that led
   * @param to the pod that leads now (the same name after a KILL when its restarted container won)
   * @param problems exactly-once violations; empty when every change was served once
   * @param removedByGarbageCollector the removed UE's pod was gone before a leader came, so the
   *     garbage collector removed its UPF and no UpfRemoved was owed
   */
  public record Sample(Stop stop, long gapMs, String from, String to, List<String> problems, Phases phases,
      boolean removedByGarbageCollector) {}

  /**
   * Where the gap went, each in ms after the stop (-1 when not seen): the old leader told to stop
   * (its "stepping down now" line when its pod's watch saw the deletion, else "Shutting down" at
   * the kubelet's SIGTERM) and its "Stopped UPF controller" line (workers and events done), the Lease seen given up and taken (a watch of the Lease in this process), and the next
   * leader's "Became leader" line. cutAttempts: the next leader's Lease writes that outlasted the
   * elector's poll period and were retried.
   */
  public record Phases(long toldToStop, long controllerStopped, long released, long acquired, long becameLeader,
      int cutAttempts) {}

  /** A change of the Lease as this process's watch saw it. */
  private record LeaseSeen(long atMs, String holder, String acquireTime) {}

  private static final String NS = "nexslice";
  private static final String SELECTOR = "app.kubernetes.io/name=dynamic-slicing";
  private static final Pattern FIRST_RECONCILE = Pattern.compile("\"timestamp\":(\\d+).*First reconcile done");
  private static final Pattern BECAME_LEADER = Pattern.compile("\"timestamp\":(\\d+).*Became leader");
  /** The old leader told to stop: by its own pod's watch (the pod marked for deletion) or by SIGTERM, whichever first. */
  private static final Pattern TOLD_TO_STOP = Pattern.compile("\"timestamp\":(\\d+).*(stepping down now|Shutting down)");
  private static final Pattern CONTROLLER_STOPPED = Pattern.compile("\"timestamp\":(\\d+).*Stopped UPF controller");
  private static final Pattern CUT = Pattern.compile("\"timestamp\":(\\d+).*outlasted the");

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private final CoreV1Api core;
  private final AppsV1Api apps;
  private final CoordinationV1Api coordination;
  private final Path containerdSocket;
  private final UeScript ues;
  private final String ueImage;
  /** UE pod -> the uid of its UPF Deployment when it was first served. */
  private final Map<String, String> served = new LinkedHashMap<>();
  private final List<LeaseSeen> leaseChanges = new CopyOnWriteArrayList<>();
  /** UE pod name -> uid of the pod this drill made under that name. */
  private final Map<String, String> uids = new ConcurrentHashMap<>();
  private final SharedInformerFactory leaseWatch;

  /**
   * @param localDir the full local cluster's directory (its containerd socket, for KILL)
   * @param ueShEnv environment for scripts/ue.sh (KUBECONFIG, KUBECTL)
   */
  public FailoverDrill(Path kubeconfig, Path localDir, Path projectRoot, Map<String, String> ueShEnv, String ueImage)
      throws Exception {
    ApiClient client = BenchMain.client(kubeconfig, 60);
    this.core = new CoreV1Api(client);
    this.apps = new AppsV1Api(client);
    this.coordination = new CoordinationV1Api(client);
    this.containerdSocket = localDir.resolve("node/containerd.sock");
    this.ues = new UeScript(projectRoot, ueShEnv, NS);
    this.ueImage = ueImage;
    this.leaseWatch = new SharedInformerFactory(BenchMain.client(kubeconfig, 0)); // informers need no read timeout
    SharedIndexInformer<V1Lease> leases = leaseWatch.sharedIndexInformerFor(params -> coordination.listNamespacedLease(NS)
            .fieldSelector("metadata.name=dynamic-slicing").resourceVersion(params.resourceVersion).watch(params.watch)
            .timeoutSeconds(params.timeoutSeconds).buildCall(null), V1Lease.class, V1LeaseList.class, 0);
    leases.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(V1Lease lease) {
        seen(lease);
      }

      @Override
      public void onUpdate(V1Lease old, V1Lease lease) {
        seen(lease);
      }

      @Override
      public void onDelete(V1Lease lease, boolean unknown) {
      }
    });
    leaseWatch.startAllRegisteredInformers();
  }

  private void seen(V1Lease lease) {
    leaseChanges.add(new LeaseSeen(System.currentTimeMillis(), lease.getSpec().getHolderIdentity(),
        String.valueOf(lease.getSpec().getAcquireTime())));
  }

  /** Stops the drill's Lease watch. */
  @Override
  public void close() {
    leaseWatch.stopAllRegisteredInformers();
  }

  /** Adds UEs until {@code count} are served, so that a sample has one to remove and some that stay. */
  public void serveUes(int count) throws Exception {
    while (served.size() < count) {
      String ue = addUe();
      served.put(ue, awaitUpfUid(ue));
    }
  }

  /** One failover: stop the leader, add one UE and remove another meanwhile, wait, check. */
  public Sample run(Stop stop) throws Exception {
    String leader = awaitOneLeaderAndAReadyStandby();
    String gone = served.keySet().iterator().next();
    String acquiredBefore = leaseChanges.isEmpty() ? null : leaseChanges.get(leaseChanges.size() - 1).acquireTime();
    // The old leader's log to its end: its container's last lines are gone with a deleted pod.
    CompletableFuture<String> oldLog = CompletableFuture.supplyAsync(() -> {
      try {
        return core.readNamespacedPodLog(leader, NS).container("controller").follow(true).execute();
      } catch (ApiException e) {
        return "";
      }
    });
    Thread.sleep(500); // let the follow request reach the kubelet before the stop: not a wait for a condition
    long stoppedAt = System.currentTimeMillis();
    switch (stop) {
      case CLEAN -> sh(List.of("kubectl", "delete", "pod", "-n", NS, leader, "--wait=false"));
      case FORCE -> sh(List.of("kubectl", "delete", "pod", "-n", NS, leader, "--grace-period=0", "--force", "--wait=false"));
      case KILL -> sh(List.of("kill", "-9", Long.toString(jvmPid(leader))));
    }
    // Changes while nobody leads: one UE arrives, one leaves.
    String added = addUe();
    ues.remove(gone);

    String[] newLeader = new String[1];
    long firstReconcile = await("a new leader's first reconcile", () -> {
      String holder = holder();
      if (holder == null) {
        return null;
      }
      OptionalLong at = firstReconcileAfter(holder, stoppedAt);
      newLeader[0] = holder;
      return at.isPresent() ? at.getAsLong() : null;
    });
    List<String> problems = new ArrayList<>();
    String addedUid = awaitUpfUid(added);
    await("the removed UE's UPF to go", () -> deployment("upf-" + gone) == null ? true : null);
    // The controller removes it (UpfRemoved), unless the UE pod was gone before any leader came:
    // then the garbage collector removed it, as owner references say, and nothing is owed.
    await("UpfRemoved for " + gone + ", or its pod gone", () -> reasonCount(gone, "UpfRemoved") > 0 || podGone(gone) ? true : null);
    int removedEvents = reasonCount(gone, "UpfRemoved");
    if (removedEvents > 1) {
      problems.add(gone + ": " + removedEvents + " x UpfRemoved");
    }
    boolean byGc = removedEvents == 0;
    served.remove(gone);
    for (Map.Entry<String, String> e : served.entrySet()) {
      V1Deployment d = deployment("upf-" + e.getKey());
      if (d == null || !e.getValue().equals(d.getMetadata().getUid())) {
        problems.add(e.getKey() + ": its UPF was " + (d == null ? "removed" : "recreated"));
      }
      check(problems, e.getKey(), "UpfCreated");
    }
    await("UpfCreated for " + added, () -> reasonCount(added, "UpfCreated") > 0 ? true : null);
    check(problems, added, "UpfCreated");
    served.put(added, addedUid);
    long released = leaseChanges.stream().filter(c -> c.atMs() >= stoppedAt && c.holder() == null)
        .mapToLong(c -> c.atMs() - stoppedAt).findFirst().orElse(-1);
    long acquired = leaseChanges.stream().filter(c -> c.atMs() >= stoppedAt && c.holder() != null
        && !c.acquireTime().equals(acquiredBefore)).mapToLong(c -> c.atMs() - stoppedAt).findFirst().orElse(-1);
    long became = logged(newLeader[0], BECAME_LEADER, stoppedAt).orElse(stoppedAt - 1) - stoppedAt;
    String before = oldLog.get(2, TimeUnit.MINUTES);
    String after = log(newLeader[0]);
    if (!problems.isEmpty()) {
      Path saved = Files.createTempFile("failover-" + stop.name().toLowerCase(Locale.ROOT) + "-", ".log");
      Files.writeString(saved, "=== old leader " + leader + "\n" + before + "\n=== next leader " + newLeader[0] + "\n" + after);
      problems.add("logs in " + saved);
    }
    Phases phases = new Phases(at(before, TOLD_TO_STOP, stoppedAt), at(before, CONTROLLER_STOPPED, stoppedAt), released,
        acquired, became, (int) after.lines().filter(l -> CUT.matcher(l).find()).count());
    return new Sample(stop, firstReconcile - stoppedAt, leader, newLeader[0], problems, phases, byGc);
  }

  /** Exactly one event of that reason for the UE, counted once. */
  private void check(List<String> problems, String ue, String reason) throws ApiException {
    int n = reasonCount(ue, reason);
    if (n != 1) {
      problems.add(ue + ": " + n + " x " + reason);
    }
  }

  /** Events of this reason on the UE pod as it is now: ue.sh reuses the IMSIs, so names, of removed UEs. */
  private int reasonCount(String ue, String reason) throws ApiException {
    int n = 0;
    String uid = uids.get(ue);
    for (CoreV1Event e : core.listNamespacedEvent(NS).fieldSelector("involvedObject.name=" + ue + ",involvedObject.uid=" + uid)
        .execute().getItems()) {
      if (reason.equals(e.getReason())) {
        n += e.getCount() == null ? 1 : e.getCount();
      }
    }
    return n;
  }

  /** True once the pod this drill made under that name no longer exists. */
  private boolean podGone(String ue) throws ApiException {
    try {
      return !uids.get(ue).equals(core.readNamespacedPod(ue, NS).execute().getMetadata().getUid());
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return true;
      }
      throw e;
    }
  }

  private String awaitOneLeaderAndAReadyStandby() throws Exception {
    return await("two Ready controller pods, one of them holding the Lease", () -> {
      List<V1Pod> pods = core.listNamespacedPod(NS).labelSelector(SELECTOR).execute().getItems().stream()
          .filter(p -> p.getMetadata().getDeletionTimestamp() == null && ready(p)).toList();
      String holder = holder();
      return pods.size() == 2 && pods.stream().anyMatch(p -> p.getMetadata().getName().equals(holder)) ? holder : null;
    });
  }

  private String holder() throws ApiException {
    return coordination.readNamespacedLease("dynamic-slicing", NS).execute().getSpec().getHolderIdentity();
  }

  /** The epoch ms of the pod's "First reconcile done" line, if its current container logged one after {@code after}. */
  private OptionalLong firstReconcileAfter(String pod, long after) {
    return logged(pod, FIRST_RECONCILE, after);
  }

  /** The pod's current container's log; empty while it starts or once it is gone. */
  private String log(String pod) {
    try {
      String log = core.readNamespacedPodLog(pod, NS).container("controller").execute();
      return log == null ? "" : log;
    } catch (ApiException e) {
      return "";
    }
  }

  /** ms after {@code stoppedAt} of the first line matching, at or after it; -1 if none. */
  private static long at(String log, Pattern line, long stoppedAt) {
    return first(log, line, stoppedAt).orElse(stoppedAt - 1) - stoppedAt;
  }

  /** The epoch ms of the first line of the pod's current container matching {@code line}, at or after {@code after}. */
  private OptionalLong logged(String pod, Pattern line, long after) {
    return first(log(pod), line, after);
  }

  private static OptionalLong first(String log, Pattern line, long after) {
    return log.lines().map(line::matcher).filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1)))
        .filter(t -> t >= after).findFirst();
  }

  /** The host pid of the pod's controller process: containerd's task of its container. */
  private long jvmPid(String pod) throws Exception {
    V1Pod p = core.readNamespacedPod(pod, NS).execute();
    String id = p.getStatus().getContainerStatuses().get(0).getContainerID().replaceFirst("^containerd://", "");
    String tasks = sh(List.of("ctr", "--address", containerdSocket.toString(), "-n", "k8s.io", "task", "ls"));
    return tasks.lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length >= 2 && f[0].equals(id))
        .mapToLong(f -> Long.parseLong(f[1])).findFirst()
        .orElseThrow(() -> new IllegalStateException("no containerd task for " + pod + " (" + id + "):\n" + tasks));
  }

  private String addUe() throws Exception {
    String ue = ues.add(ueImage);
    uids.put(ue, core.readNamespacedPod(ue, NS).execute().getMetadata().getUid());
    return ue;
  }

  private String awaitUpfUid(String ue) throws Exception {
    return await("the UPF of " + ue, () -> {
      V1Deployment d = deployment("upf-" + ue);
      return d == null ? null : d.getMetadata().getUid();
    });
  }

  private V1Deployment deployment(String name) throws ApiException {
    try {
      return apps.readNamespacedDeployment(name, NS).execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  private static boolean ready(V1Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch((V1PodCondition c) -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private String sh(List<String> cmd) throws IOException, InterruptedException {
    return ues.sh(cmd);
  }

  /** Polls every 50 ms (the gap itself is read from the log, not from this loop) until non-null. */
  private static <T> T await(String what, Callable<T> probe) {
    return Awaitility.await(what).atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
        .ignoreExceptionsInstanceOf(ApiException.class).until(probe, Objects::nonNull);
  }
}
