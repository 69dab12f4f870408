package io.nexslice.dynamicslicing.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.nexslice.dynamicslicing.pool.UeKey;
import io.nexslice.dynamicslicing.reconcile.ReconcileListener;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
