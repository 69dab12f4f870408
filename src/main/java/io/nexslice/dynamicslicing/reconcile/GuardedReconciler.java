package io.nexslice.dynamicslicing.reconcile;

import io.kubernetes.client.extended.controller.reconciler.Reconciler;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.openapi.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The error rules every reconcile follows, as sample-controller has them: success forgets the
 * key; a transient API error requeues with rate-limited backoff; an object the API server
 * rejects (422) is logged and dropped, since requeueing cannot fix it; anything unexpected is
 * logged with its stack and retried. The key is in the log context (MDC "ue") throughout.
 */
public abstract class GuardedReconciler implements Reconciler {
  private static final Logger log = LoggerFactory.getLogger(GuardedReconciler.class);
  private final ReconcileListener listener;
  private InFlight inFlight = new InFlight();

  GuardedReconciler(ReconcileListener listener) {
    this.listener = listener;
  }

  /** Shares the stop's view of reconciles under way (one per controller process). */
  public void countIn(InFlight counter) {
    this.inFlight = counter;
  }

  /** Compares the cluster with what it should be for {@code request} and converges the two. */
  abstract Result sync(Request request) throws ApiException;

  @Override
  public final Result reconcile(Request request) {
    String key = request.getNamespace() + "/" + request.getName();
    MDC.put("ue", key);
    inFlight.enter();
    try {
      Result result = sync(request);
      listener.reconciled(request, "ok");
      return result;
    } catch (ApiException e) {
      listener.reconciled(request, "api_error_" + e.getCode());
      if (e.getCode() == 422) {
        log.error("API server rejected the UPF for ue={}: {}", key, ApiErrors.message(e));
        return new Result(false);
      }
      log.warn("Failed to reconcile ue={}, will retry: HTTP {} {}", key, e.getCode(), ApiErrors.message(e));
      return new Result(true);
    } catch (RetryLater e) {
      listener.reconciled(request, "smf_refused");
      log.warn("Reconciled ue={} but will retry: {}", key, e.getMessage());
      return new Result(true);
    } catch (RuntimeException e) {
      listener.reconciled(request, "exception");
      log.error("Failed to reconcile ue={}, will retry", key, e);
      return new Result(true);
    } finally {
      inFlight.exit();
      MDC.remove("ue");
    }
  }
}
