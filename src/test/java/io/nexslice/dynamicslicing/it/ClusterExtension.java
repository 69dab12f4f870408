package io.nexslice.dynamicslicing.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests a started cluster and a {@link Kube} helper. The cluster is started
 * once per test JVM, shared by every test class, and stopped when the JVM's tests are done.
 */
public final class ClusterExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ClusterExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster(context);
  }

  static TestCluster cluster(ExtensionContext context) {
    return context.getRoot().getStore(NS)
        .getOrComputeIfAbsent("cluster", k -> new Running(start()), Running.class).cluster;
  }

  private static TestCluster start() {
    try {
      return ClusterBackends.start();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the cluster when the root context closes (end of the test run). */
  private record Running(TestCluster cluster) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() throws Throwable {
      cluster.stopper().close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    Class<?> t = p.getParameter().getType();
    return t == Kube.class || t == TestCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    TestCluster c = cluster(e);
    return p.getParameter().getType() == Kube.class ? new Kube(c) : c;
  }
}
