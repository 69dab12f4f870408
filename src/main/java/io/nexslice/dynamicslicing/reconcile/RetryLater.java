package io.nexslice.dynamicslicing.reconcile;

/**
 * A reconcile that did its Kubernetes work but must run again, with backoff, for something
 * outside the cluster (an SMF that refused or did not answer). Expected, so logged without a stack.
 */
final class RetryLater extends RuntimeException {
  RetryLater(String message) {
    super(message, null, false, false);
  }
}
