package io.nexslice.dynamicslicing.status;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.StringWriter;

/**
 * /metrics in the Prometheus text format: the controller's own registry, then the default one
 * (JVM metrics, and client-java's DefaultController work-queue metrics).
 */
public final class MetricsEndpoint {
  private final CollectorRegistry own;

  public MetricsEndpoint(CollectorRegistry own) {
    this.own = own;
    DefaultExports.initialize(); // idempotent
  }

  public void register(HealthServer server) {
    server.handle("/metrics", ex -> {
      StringWriter out = new StringWriter();
      TextFormat.write004(out, own.metricFamilySamples());
      TextFormat.write004(out, CollectorRegistry.defaultRegistry.metricFamilySamples());
      HealthServer.respond(ex, 200, TextFormat.CONTENT_TYPE_004.split(";")[0], out.toString());
    });
  }
}
