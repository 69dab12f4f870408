package io.nexslice.dynamicslicing.controller;

import io.kubernetes.client.extended.controller.Controller;
import io.kubernetes.client.informer.SharedInformerFactory;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the informers, waits until their caches are synced, then runs the DefaultController.
 *
 * <p>Why not ControllerManager: DefaultController checks its ready function once, then once a
 * second, and gives up for good after 30 s ("failed pre-run check, exiting"): workers would
 * start up to a second late, and never at all if the API server is slow or down at start,
 * while the process looks healthy. Here the wait is as long as it takes, checked every 10 ms.
 */
final class SyncedController implements Controller {
  private static final Logger log = LoggerFactory.getLogger(SyncedController.class);
  private final SharedInformerFactory factory;
  private final BooleanSupplier synced;
  private final Controller controller;
  private final String name;
  private volatile boolean stopped;

  SyncedController(String name, SharedInformerFactory factory, BooleanSupplier synced, Controller controller) {
    this.name = name;
    this.factory = factory;
    this.synced = synced;
    this.controller = controller;
  }

  @Override
  public void run() {
    factory.startAllRegisteredInformers();
    long start = System.nanoTime();
    long nextLog = start + 10_000_000_000L;
    while (!synced.getAsBoolean()) {
      if (stopped) {
        return;
      }
      if (System.nanoTime() > nextLog) {
        log.warn("Waiting for caches of {} to sync ({} s so far): is the API server reachable?", name,
            (System.nanoTime() - start) / 1_000_000_000L);
        nextLog += 10_000_000_000L;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    log.info("Caches of {} synced in {} ms", name, (System.nanoTime() - start) / 1_000_000);
    if (!stopped) {
      controller.run();
    }
  }

  @Override
  public void shutdown() {
    stopped = true;
    controller.shutdown();
    factory.stopAllRegisteredInformers();
  }
}
