package io.nexslice.dynamicslicing.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.pool.UeKey;
import io.nexslice.dynamicslicing.reconcile.AttachTiming;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * StartUpLog sits between the reconcilers and the metrics: a report it does not pass on is lost
 * without a sound, as the waiting UEs' reasons were until this test (the listener's methods have
 * empty defaults, so a forgotten one still compiles).
 */
class StartUpLogTest {
  private static final Map<Class<?>, Object> SAMPLE_ARGUMENTS = Map.of(
      Request.class, new Request("ns", "ue-1"),
      String.class, "ok",
      UeKey.class, new UeKey("ns", "ue-1"),
      Collection.class, List.of("ns/ue-1"),
      AttachTiming.class, new AttachTiming(1, 2, 3),
      V1Pod.class, new V1Pod().metadata(new V1ObjectMeta().namespace("ns").name("ue-1")));

  @Test
  void passesEveryReportOnToTheNextListener() throws Exception {
    List<String> received = new ArrayList<>();
    ReconcileListener next = (ReconcileListener) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ReconcileListener.class}, (proxy, method, args) -> {
          received.add(method.getName() + Arrays.asList(args));
          return null;
        });
    StartUpLog log = new StartUpLog(next);
    List<String> sent = new ArrayList<>();
    for (Method m : ReconcileListener.class.getMethods()) {
      Object[] args = Arrays.stream(m.getParameterTypes()).map(t -> {
        if (!SAMPLE_ARGUMENTS.containsKey(t)) {
          throw new IllegalStateException("a new parameter type in ReconcileListener." + m.getName() + ": add a sample");
        }
        return SAMPLE_ARGUMENTS.get(t);
      }).toArray();
      m.invoke(log, args);
      sent.add(m.getName() + Arrays.asList(args));
    }
    assertEquals(sent, received);
  }

  @Test
  void saysOncePerScopeWhenEveryUePresentAtStartWasReconciled() {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger logger = (Logger) LoggerFactory.getLogger(StartUpLog.class);
    logger.addAppender(lines);
    try {
      StartUpLog log = new StartUpLog(new ReconcileListener() { });
      log.startingWith("ns", List.of("ns/ue-1", "ns/ue-2"));
      log.reconciled(new Request("ns", "ue-1"), "ok");
      log.reconciled(new Request("ns", "ue-1"), "ok"); // again: still one left
      log.reconciled(new Request("ns", "ue-3"), "ok"); // came after the start: not counted
      assertEquals(0, said(lines, "Every UE present"));
      log.reconciled(new Request("ns", "ue-2"), "api_error_500"); // reconciled, if not served
      log.reconciled(new Request("ns", "ue-2"), "ok");
      assertEquals(1, said(lines, "Every UE present at start reconciled once in ns: 2 UEs"));
      log.startingWith("empty", List.of());
      assertEquals(1, said(lines, "in empty: 0 UEs"));
      assertEquals(1, said(lines, "First reconcile done"));
    } finally {
      logger.detachAppender(lines);
    }
  }

  private static long said(ListAppender<ILoggingEvent> lines, String fragment) {
    return lines.list.stream().filter(e -> e.getFormattedMessage().contains(fragment)).count();
  }
}
