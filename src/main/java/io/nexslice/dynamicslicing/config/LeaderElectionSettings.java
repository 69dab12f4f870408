package io.nexslice.dynamicslicing.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Leader election with a coordination.k8s.io Lease: only the holder reconciles; a standby takes
 * over once the lease expires, or at once when the holder gives it up.
 *
 * @param enabled LEADER_ELECTION (default false; the shipped Deployment turns it on)
 * @param leaseName LEASE_NAME (default dynamic-slicing)
 * @param leaseNamespace LEASE_NAMESPACE, else POD_NAMESPACE, else the first watched namespace
 * @param identity POD_NAME (unique per replica), else host name plus a random suffix
 * @param leaseDuration LEASE_DURATION_SECONDS (15): how long a standby waits after the holder's last renewal
 * @param renewDeadline RENEW_DEADLINE_SECONDS (10): how long the holder keeps leading while its renewals fail
 * @param retryPeriod RETRY_PERIOD_SECONDS (2): how often the holder writes its renewal, and a failed write is retried
 * @param ownPod POD_NAMESPACE and POD_NAME when both are set (the Deployment's downward API): the
 *     replica's own pod, watched so that it steps down as soon as the pod is being deleted
 */
public record LeaderElectionSettings(boolean enabled, String leaseName, String leaseNamespace, String identity,
    Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Optional<PodName> ownPod) {

  /** A pod's namespace and name. */
  public record PodName(String namespace, String name) {}

  static LeaderElectionSettings fromEnvironment(Map<String, String> env, String fallbackNamespace) {
    EnvReader r = new EnvReader(env);
    Duration lease = Duration.ofSeconds(r.integer("LEASE_DURATION_SECONDS", 15, 2, 600));
    Duration renew = Duration.ofSeconds(r.integer("RENEW_DEADLINE_SECONDS", 10, 1, 599));
    Duration retry = Duration.ofSeconds(r.integer("RETRY_PERIOD_SECONDS", 2, 1, 300));
    if (renew.compareTo(lease) >= 0) {
      throw new ConfigException("RENEW_DEADLINE_SECONDS: must be less than LEASE_DURATION_SECONDS (" + lease.toSeconds() + ")");
    }
    if (retry.compareTo(renew) >= 0) {
      throw new ConfigException("RETRY_PERIOD_SECONDS: must be less than RENEW_DEADLINE_SECONDS (" + renew.toSeconds() + ")");
    }
    // The leader writes its renewal every retry period and believes in its lease until a renewal
    // has failed for the renew deadline, so it may act up to retry + renew after its last write: that
    // must end before a standby may take the lease (WatchedLeaseLock).
    if (retry.plus(renew).compareTo(lease) >= 0) {
      throw new ConfigException("RETRY_PERIOD_SECONDS + RENEW_DEADLINE_SECONDS: their sum (" + retry.plus(renew).toSeconds()
          + ") must be less than LEASE_DURATION_SECONDS (" + lease.toSeconds() + "), or a stalled leader could act after a standby took over");
    }
    // The downward API's pod namespace and name, each read once: they name the lease's default
    // namespace, this replica's identity and the pod it watches.
    String podNamespace = r.optional("POD_NAMESPACE");
    String podName = r.optional("POD_NAME");
    if (podName != null && !podName.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
      throw new ConfigException("POD_NAME: '" + podName + "' is not a pod name");
    }
    if (podNamespace != null && !podNamespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw new ConfigException("POD_NAMESPACE: '" + podNamespace + "' is not a namespace name");
    }
    String ns = r.string("LEASE_NAMESPACE", podNamespace != null ? podNamespace : fallbackNamespace);
    String name = r.string("LEASE_NAME", "dynamic-slicing");
    if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.length() > 253) {
      throw new ConfigException("LEASE_NAME: '" + name + "' is not an object name");
    }
    if (!ns.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || ns.length() > 63) {
      throw new ConfigException("LEASE_NAMESPACE: '" + ns + "' is not a namespace name");
    }
    String identity = podName != null ? podName : hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Optional<PodName> ownPod = podName != null && podNamespace != null
        ? Optional.of(new PodName(podNamespace, podName)) : Optional.empty();
    return new LeaderElectionSettings(r.bool("LEADER_ELECTION", false), name, ns, identity, lease, renew, retry, ownPod);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "dynamic-slicing";
    }
  }
}
