package io.nexslice.dynamicslicing.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The controllers one test starts in its namespace, all stopped when the test ends. */
final class Controllers implements AutoCloseable {
  private final TestCluster cluster;
  private final String namespace;
  private final List<RunningController> running = new ArrayList<>();

  Controllers(TestCluster cluster, String namespace) {
    this.cluster = cluster;
    this.namespace = namespace;
  }

  /** Starts a controller watching the test's namespace with {@code env}; waits until it is ready. */
  RunningController start(Map<String, String> env) throws Exception {
    RunningController c = RunningController.start(cluster, namespace, env);
    running.add(c);
    return c;
  }

  /** Takes {@code c}, started some other way (another user's clients), to stop it with the rest. */
  RunningController add(RunningController c) {
    running.add(c);
    return c;
  }

  /** Stops {@code c} now, as a crash-free shutdown would. */
  void stop(RunningController c) {
    c.close();
    running.remove(c);
  }

  @Override
  public void close() {
    running.forEach(RunningController::close);
    running.clear();
  }
}
