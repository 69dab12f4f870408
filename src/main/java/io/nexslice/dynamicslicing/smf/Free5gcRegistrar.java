package io.nexslice.dynamicslicing.smf;

import io.nexslice.dynamicslicing.smf.Free5gcTopology.ListedNode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers UPFs with a free5GC SMF at run time (FREE5GC_SMF_URL), through its topology API, so
 * that nobody edits smfcfg.yaml and restarts the SMF for each UPF.
 *
 * <p>The SMF is the truth: {@link #sweep} reads its topology at start (and after a leader change,
 * which starts a new controller), removes the nodes that bear our names but whose UPF is gone, and
 * remembers the rest. Calls are serialised: the SMF exits when two UPFs' pools overlap, so the
 * check before a POST must not race another POST.
 */
public final class Free5gcRegistrar implements UpfRegistry {
  private static final Logger log = LoggerFactory.getLogger(Free5gcRegistrar.class);
  /** Our node names: "upf-<...>.<namespace>" (SmfNode.nodeName). */
  private static final Pattern OUR_NODE = Pattern.compile("(upf-[a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)");

  private final Free5gcSmfClient smf;
  private final String anName;
  /** node name -> fingerprint of what the SMF holds, for the nodes we know it holds. */
  private final Map<String, String> registered = new ConcurrentHashMap<>();

  public Free5gcRegistrar(Free5gcSmfClient smf, String anName) {
    this.smf = smf;
    this.anName = anName;
  }

  @Override
  public synchronized Outcome register(SmfNode node) {
    if (node.fingerprint().equals(registered.get(node.name()))) {
      return DONE;
    }
    try {
      Free5gcSmfClient.Answer list = smf.list();
      if (!list.ok()) {
        return new Refused("listing its topology: " + list.text());
      }
      Map<String, ListedNode> listed = Free5gcTopology.parse(list.body());
      ListedNode there = listed.get(node.name());
      if (there != null && there.fingerprint().equals(node.fingerprint())) {
        registered.put(node.name(), node.fingerprint());
        return DONE;
      }
      if (there != null) {
        // A POST of a name the SMF has is skipped: the old node goes first.
        Free5gcSmfClient.Answer removed = smf.delete(node.name());
        if (!removed.ok() && removed.status() != 404) {
          return new Refused("replacing node " + node.name() + " (" + there.fingerprint() + "): " + removed.text());
        }
        registered.remove(node.name());
      }
      Optional<String> overlap = Free5gcTopology.overlap(node, listed);
      if (overlap.isPresent()) {
        return new Refused(overlap.get() + "; not sent, as free5GC's SMF exits on overlapping pools");
      }
      Free5gcSmfClient.Answer added = smf.add(Free5gcTopology.postBody(node, anName));
      if (!added.ok()) {
        return new Refused(added.text());
      }
      registered.put(node.name(), node.fingerprint());
      log.info("Registered UPF {} with the SMF at {}: {}", node.name(), smf.base(), node.fingerprint());
      return DONE;
    } catch (IOException e) {
      return new Refused("unreachable: " + e);
    } catch (IllegalArgumentException e) {
      return new Refused("listing its topology: " + e.getMessage());
    }
  }

  @Override
  public synchronized Outcome deregister(String namespace, String upfName) {
    String name = SmfNode.nodeName(namespace, upfName);
    if (!registered.containsKey(name)) {
      return DONE; // never registered by us, or already removed; a leftover is the sweep's
    }
    try {
      Free5gcSmfClient.Answer removed = smf.delete(name);
      if (!removed.ok() && removed.status() != 404) {
        return new Refused("removing node " + name + ": " + removed.text());
      }
      registered.remove(name);
      log.info("Removed UPF {} from the SMF at {}", name, smf.base());
      return DONE;
    } catch (IOException e) {
      return new Refused("unreachable: " + e);
    }
  }

  /**
   * Reads the SMF's topology: our nodes whose UPF still exists are remembered, the others removed.
   *
   * @param watched whether a namespace is one this controller serves (others' nodes are left alone)
   * @param exists whether our UPF (namespace, name) is in the cache
   * @return empty on success, else what went wrong (the caller retries)
   */
  public synchronized Optional<String> sweep(Predicate<String> watched, BiPredicate<String, String> exists) {
    try {
      Free5gcSmfClient.Answer list = smf.list();
      if (!list.ok()) {
        return Optional.of("listing its topology: " + list.text());
      }
      for (ListedNode node : Free5gcTopology.parse(list.body()).values()) {
        Matcher m = OUR_NODE.matcher(node.name());
        if (!"UPF".equals(node.type()) || !m.matches() || !watched.test(m.group(3))) {
          continue;
        }
        if (exists.test(m.group(3), m.group(1))) {
          registered.put(node.name(), node.fingerprint());
          continue;
        }
        Free5gcSmfClient.Answer removed = smf.delete(node.name());
        if (!removed.ok() && removed.status() != 404) {
          return Optional.of("removing stale node " + node.name() + ": " + removed.text());
        }
        registered.remove(node.name());
        log.info("Removed stale UPF {} from the SMF at {}: its UPF is gone", node.name(), smf.base());
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("unreachable: " + e);
    } catch (IllegalArgumentException e) {
      return Optional.of("listing its topology: " + e.getMessage());
    }
  }

  @Override
  public int registeredCount() {
    return registered.size();
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public String target() {
    return smf.base().toString();
  }
}
