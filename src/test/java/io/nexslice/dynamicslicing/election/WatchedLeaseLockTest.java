package io.nexslice.dynamicslicing.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.extended.leaderelection.LeaderElectionRecord;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

/** The lock's decisions, without an API server: when a renewal may skip its write, and the mapping. */
class WatchedLeaseLockTest {
  private static final long SECOND = 1_000_000_000L;
  private static final OffsetDateTime ACQUIRED = OffsetDateTime.of(2026, 12, 2, 10, 0, 0, 123_456_000, ZoneOffset.UTC);

  private static V1LeaseSpec heldBy(String holder) {
    return new V1LeaseSpec().holderIdentity(holder).acquireTime(ACQUIRED).renewTime(ACQUIRED).leaseDurationSeconds(15)
        .leaseTransitions(3);
  }

  private static LeaderElectionRecord renewal(String holder, Date acquired) {
    return new LeaderElectionRecord(holder, 15, acquired, new Date(), 3, null);
  }

  @Test
  void aRenewalOfOurLeaseWithinTheRenewIntervalIsNotWritten() {
    Date acquired = WatchedLeaseLock.toRecord(heldBy("a")).getAcquireTime();
    assertTrue(WatchedLeaseLock.isRenewalNotYetDue("a", heldBy("a"), renewal("a", acquired), 10 * SECOND, 11 * SECOND, 2 * SECOND));
  }

  @Test
  void aRenewalIsWrittenOnceTheIntervalHasPassed() {
    Date acquired = WatchedLeaseLock.toRecord(heldBy("a")).getAcquireTime();
    assertFalse(WatchedLeaseLock.isRenewalNotYetDue("a", heldBy("a"), renewal("a", acquired), 10 * SECOND, 12 * SECOND, 2 * SECOND));
  }

  @Test
  void aProcessThatHasNotWrittenTheLeaseYetWritesEvenIfItBearsTheHoldersName() {
    // A restarted container of the same pod: same identity, but its renewal must reach the server.
    Date acquired = WatchedLeaseLock.toRecord(heldBy("a")).getAcquireTime();
    assertFalse(WatchedLeaseLock.isRenewalNotYetDue("a", heldBy("a"), renewal("a", acquired), -1, 11 * SECOND, 2 * SECOND));
  }

  @Test
  void takingALeaseHeldBySomeoneElseOrGivenUpIsAlwaysWritten() {
    Date acquired = WatchedLeaseLock.toRecord(heldBy("a")).getAcquireTime();
    assertFalse(WatchedLeaseLock.isRenewalNotYetDue("a", heldBy("b"), renewal("a", acquired), 10 * SECOND, 11 * SECOND, 2 * SECOND));
    assertFalse(WatchedLeaseLock.isRenewalNotYetDue("a", new V1LeaseSpec().leaseDurationSeconds(1), renewal("a", acquired),
        10 * SECOND, 11 * SECOND, 2 * SECOND));
    assertFalse(WatchedLeaseLock.isRenewalNotYetDue("a", heldBy("a"), renewal("b", acquired), 10 * SECOND, 11 * SECOND, 2 * SECOND));
  }

  @Test
  void aNewAcquisitionBySameIdentityIsWritten() {
    assertFalse(WatchedLeaseLock.isRenewalNotYetDue("a", heldBy("a"), renewal("a", new Date()), 10 * SECOND, 11 * SECOND, 2 * SECOND));
  }

  @Test
  void recordAndSpecMapBothWaysLikeLeaseLock() {
    LeaderElectionRecord record = WatchedLeaseLock.toRecord(heldBy("a"));
    assertEquals("a", record.getHolderIdentity());
    assertEquals(ACQUIRED.toInstant().toEpochMilli(), record.getAcquireTime().getTime());
    assertEquals(15, record.getLeaseDurationSeconds());
    assertEquals(3, record.getLeaderTransitions());
    V1LeaseSpec back = WatchedLeaseLock.toSpec(record);
    assertEquals("a", back.getHolderIdentity());
    assertEquals(ACQUIRED.toInstant().toEpochMilli(), back.getAcquireTime().toInstant().toEpochMilli());
    // The same Lease read twice gives equal records: LeaderElector counts expiry from a change.
    assertEquals(record, WatchedLeaseLock.toRecord(heldBy("a")));
    LeaderElectionRecord released = WatchedLeaseLock.toRecord(new V1LeaseSpec().leaseDurationSeconds(1).leaseTransitions(3));
    assertEquals(null, released.getHolderIdentity());
    assertEquals(null, released.getAcquireTime());
  }
}
