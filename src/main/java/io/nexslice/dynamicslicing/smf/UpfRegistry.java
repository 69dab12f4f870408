package io.nexslice.dynamicslicing.smf;

/**
 * Where UPFs are announced to the core, if anywhere. OAI UPFs register in the NRF themselves, and
 * a free5GC SMF without FREE5GC_SMF_URL is configured by hand: for those, {@link #NONE}.
 */
public interface UpfRegistry {
  /** What the core answered. */
  sealed interface Outcome permits Done, Refused {}

  /** Registered (or removed), or nothing to do. */
  record Done() implements Outcome {}

  /** The core is unreachable or refused; {@code answer} says what it said, for events and logs. */
  record Refused(String answer) implements Outcome {}

  Outcome DONE = new Done();

  /** Makes the core hold {@code node} as given; idempotent. */
  Outcome register(SmfNode node);

  /** Makes the core forget the UPF {@code upfName} of {@code namespace} if it holds it; idempotent. */
  Outcome deregister(String namespace, String upfName);

  /** UPFs this process knows the core holds. */
  int registeredCount();

  /** False when the controller announces nothing (the core finds UPFs itself, or is configured by hand). */
  boolean enabled();

  /** The core's address, for messages. */
  String target();

  /** No registry: every UPF counts as announced the moment it runs. */
  UpfRegistry NONE = new UpfRegistry() {
    @Override
    public Outcome register(SmfNode node) {
      return DONE;
    }

    @Override
    public Outcome deregister(String namespace, String upfName) {
      return DONE;
    }

    @Override
    public int registeredCount() {
      return 0;
    }

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public String target() {
      return "none";
    }
  };
}
