package io.nexslice.dynamicslicing.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules: promtool's unit tests pass, every alert is tested firing and quiet and
 * has a summary and a runbook section, and the Prometheus Operator's copy holds the same groups.
 */
class AlertRulesTest {
  /** The alerts issue #21 asks for; a rule may be added, none of these may go. */
  private static final Set<String> REQUIRED = Set.of("DynamicSlicingControllerDown", "DynamicSlicingNoLeader",
      "DynamicSlicingUeWithoutUpf", "DynamicSlicingUpfPoolExhausted", "DynamicSlicingSliceUpfLimitReached",
      "DynamicSlicingUpfNotRegistered", "DynamicSlicingReconcileErrors");

  @Test
  void promtoolPassesEveryRuleTest() throws Exception {
    Path promtool = RequiredTool.find("promtool");
    Process p = new ProcessBuilder(promtool.toString(), "test", "rules",
        AlertRules.monitoringDir().resolve("alerts.test.yaml").toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "promtool did not finish");
    assertEquals(0, p.exitValue(), out);
  }

  @Test
  void thePrometheusRuleHoldsTheSameGroupsAsThePlainRulesFile() throws Exception {
    Map<String, Object> plain = AlertRules.load(AlertRules.plainFile());
    Map<String, Object> operator = AlertRules.load(AlertRules.monitoringDir().resolve("prometheusrule.yaml"));
    assertEquals("monitoring.coreos.com/v1", operator.get("apiVersion"));
    assertEquals("PrometheusRule", operator.get("kind"));
    Object operatorGroups = ((Map<?, ?>) operator.get("spec")).get("groups");
    assertTrue(plain.get("groups").equals(operatorGroups), () -> "prometheusrule.yaml is out of date"
        + firstDifference(plain, Map.<String, Object>of("groups", operatorGroups)) + ": run scripts/prometheus-rule.sh");
  }

  /** Where two rule documents part, in a few words (the whole maps make an unreadable message). */
  private static String firstDifference(Map<String, Object> a, Map<String, Object> b) {
    List<Map<String, Object>> ra = AlertRules.rules(a);
    List<Map<String, Object>> rb = AlertRules.rules(b);
    for (int i = 0; i < Math.min(ra.size(), rb.size()); i++) {
      if (!ra.get(i).equals(rb.get(i))) {
        return " at rule " + (i + 1) + " (" + ra.get(i).get("alert") + ")";
      }
    }
    return ra.size() == rb.size() ? " (group names)" : " (" + ra.size() + " rules, it has " + rb.size() + ")";
  }

  @Test
  void everyAlertHasASummaryARunbookSectionAndATestFiringAndQuiet() throws Exception {
    List<Map<String, Object>> rules = AlertRules.rules(AlertRules.load(AlertRules.plainFile()));
    Set<String> anchors = runbookAnchors(AlertRules.monitoringDir().resolve("../../docs/RUNBOOK.md").normalize());
    Map<String, Object> tests = AlertRules.load(AlertRules.monitoringDir().resolve("alerts.test.yaml"));
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (Map<?, ?> test : (List<Map<?, ?>>) tests.get("tests")) {
      for (Map<?, ?> check : (List<Map<?, ?>>) test.get("alert_rule_test")) {
        (((List<?>) check.get("exp_alerts")).isEmpty() ? quiet : firing).add((String) check.get("alertname"));
      }
    }
    List<String> problems = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> rule : rules) {
      String name = (String) rule.get("alert");
      if (name == null) {
        continue; // a recording rule
      }
      names.add(name);
      Map<?, ?> annotations = (Map<?, ?>) rule.getOrDefault("annotations", Map.of());
      if (!(annotations.get("summary") instanceof String s) || s.isBlank()) {
        problems.add(name + ": no summary");
      }
      if (!("docs/RUNBOOK.md#" + name.toLowerCase(Locale.ROOT)).equals(annotations.get("runbook"))
          || !anchors.contains(name.toLowerCase(Locale.ROOT))) {
        problems.add(name + ": runbook annotation or docs/RUNBOOK.md section '## " + name + "' missing");
      }
      if (!firing.contains(name)) {
        problems.add(name + ": no test where it fires");
      }
      if (!quiet.contains(name)) {
        problems.add(name + ": no test where it stays quiet");
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(names.containsAll(REQUIRED), "missing: " + REQUIRED.stream().filter(n -> !names.contains(n)).toList());
  }

  /** GitHub's anchors of the level-2 headings: lower case, spaces to dashes, other punctuation dropped. */
  private static Set<String> runbookAnchors(Path runbook) throws Exception {
    Set<String> out = new TreeSet<>();
    for (String line : Files.readAllLines(runbook)) {
      if (line.startsWith("## ")) {
        out.add(line.substring(3).trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return out;
  }
}
