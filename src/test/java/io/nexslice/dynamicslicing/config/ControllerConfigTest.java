package io.nexslice.dynamicslicing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexslice.dynamicslicing.pool.AddressPool;
import io.nexslice.dynamicslicing.pool.PoolAllocator;
import io.nexslice.dynamicslicing.pool.UpfKey;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControllerConfigTest {

  @Test
  void defaultsMatchTheDocumentation() {
    ControllerConfig c = ControllerConfig.fromEnvironment(Map.of());
    assertEquals(List.of("nexslice"), c.watchNamespaces());
    assertEquals("nexslice.io/dynamic-upf=true", c.ueSelector().text());
    assertEquals(Optional.empty(), c.upfImage());
    assertEquals("oai", c.upfProfile());
    assertEquals(List.of("oai-nrf", "oai-nrf", "oai-nrf2", "oai-nrf"),
        List.of(c.nrfHosts().forSst(1), c.nrfHosts().forSst(2), c.nrfHosts().forSst(3), c.nrfHosts().forSst(4)),
        "NexSlice's wiring: slice 3's SMF reads oai-nrf2");
    assertEquals("sst=1 sd=FFFFFF dnn=oai", c.defaultSlice().toString());
    assertEquals("12.2.0.0/16 in /29 blocks", c.pool().toString(), "per-UE mode");
    assertEquals(1, c.upfReplicas());
    assertEquals(Optional.of("12.1.3.0/24"), c.sliceUeSubnets().forDnn("oai3"), "NexSlice's SMF pools");
    assertEquals(16, c.maxUpfsPerSlice(), "the OAI SMF's PFCP association limit");
    assertEquals(0, ControllerConfig.fromEnvironment(Map.of("UPF_PROFILE", "free5gc")).maxUpfsPerSlice());
    assertEquals(5, ControllerConfig.fromEnvironment(Map.of("UPF_MAX_PER_SLICE", "5")).maxUpfsPerSlice());
    assertEquals(Optional.empty(), c.free5gcSmf(), "no registration unless asked");
    assertEquals("gNB1", c.free5gcAnName());
    assertEquals(Optional.of(URI.create("http://free5gc-smf.free5gc:8000")), ControllerConfig
        .fromEnvironment(Map.of("UPF_PROFILE", "free5gc", "FREE5GC_SMF_URL", "http://free5gc-smf.free5gc:8000")).free5gcSmf());
    assertEquals(8080, c.httpPort());
    assertEquals(4, c.workers());
  }

  @Test
  void theBlockSizeDependsOnTheModeUnlessGiven() {
    assertEquals("12.2.0.0/16 in /29 blocks", pool(Map.of("UPF_PROFILE", "free5gc")).toString(),
        "a per-UE UPF serves one UE: 6 addresses, 8,192 UPFs");
    assertEquals(8192, pool(Map.of()).blockCount());
    AddressPool perSlice = pool(Map.of("UPF_MODE", "per-slice"));
    assertEquals("12.2.0.0/16 in /24 blocks", perSlice.toString(), "a slice UPF serves many UEs: 254 addresses, 256 slices");
    assertEquals("12.2.0.0/24", perSlice.block(0));
    assertEquals("12.2.0.0/16 in /24 blocks", pool(Map.of("UPF_POOL_BLOCK_PREFIX", "24")).toString(), "given: honoured per UE");
    assertEquals("12.2.0.0/16 in /20 blocks", pool(Map.of("UPF_MODE", "per-slice", "UPF_POOL_BLOCK_PREFIX", "20")).toString(),
        "and per slice");
    assertEquals("10.9.0.0/24 in /24 blocks", pool(Map.of("UPF_MODE", "per-slice", "UPF_POOL_CIDR", "10.9.0.0/24")).toString());
    assertEquals("10.9.0.0/23 in /29 blocks", pool(Map.of("UPF_POOL_CIDR", "10.9.0.0/23")).toString());
  }

  @Test
  void theDefaultPoolGivesFiveThousandPerUeUpfsBlocksOfTheirOwnClearOfTheOaiSmfPools() {
    ControllerConfig c = ControllerConfig.fromEnvironment(Map.of("UPF_PROFILE", "free5gc"));
    PoolAllocator allocator = new PoolAllocator(c.pool(), block -> Map.of());
    Set<String> given = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      String block = allocator.allocate(new UpfKey("nexslice", "upf-ue-" + i), Optional.empty()).orElseThrow();
      assertTrue(block.endsWith("/29") && AddressPool.contains("12.2.0.0/16", block.substring(0, block.indexOf('/'))), block);
      assertTrue(given.add(block), "handed out twice: " + block);
      for (int slice = 1; slice <= 3; slice++) {
        assertFalse(AddressPool.overlaps(block, "12.1." + slice + ".0/24"), block);
      }
    }
    // Equal, aligned blocks that are all distinct do not overlap; the index finds each alone.
    for (String block : given) {
      assertEquals(List.of(block), c.pool().blocksOverlapping(block));
    }
  }

  private static AddressPool pool(Map<String, String> env) {
    return ControllerConfig.fromEnvironment(env).pool();
  }

  @Test
  void namespaceListIsTrimmedAndDeduplicated() {
    ControllerConfig c = ControllerConfig.fromEnvironment(Map.of("WATCH_NAMESPACES", " a, b ,a,"));
    assertEquals(List.of("a", "b"), c.watchNamespaces());
    assertTrue(ControllerConfig.fromEnvironment(Map.of("WATCH_NAMESPACES", "*")).watchesAllNamespaces());
  }

  @Test
  void badValuesNameTheVariable() {
    assertMessage("WATCH_NAMESPACES", Map.of("WATCH_NAMESPACES", "Bad_NS"));
    assertMessage("UE_SELECTOR", Map.of("UE_SELECTOR", "a in (b"));
    assertMessage("UPF_IMAGE", Map.of("UPF_IMAGE", "img; rm -rf /"));
    assertMessage("UPF_REPLICAS", Map.of("UPF_REPLICAS", "-1"));
    assertMessage("UPF_REPLICAS", Map.of("UPF_REPLICAS", "two"));
    assertMessage("HTTP_PORT", Map.of("HTTP_PORT", "70000"));
    assertMessage("WORKER_COUNT", Map.of("WORKER_COUNT", "0"));
    assertMessage("UPF_PROFILE", Map.of("UPF_PROFILE", "open5gs"));
    assertMessage("UPF_TEMPLATE", Map.of("UPF_PROFILE", "custom"));
    assertMessage("DEFAULT_SST", Map.of("DEFAULT_SST", "256"));
    assertMessage("DEFAULT_SD", Map.of("DEFAULT_SD", "XYZ"));
    assertMessage("DEFAULT_DNN", Map.of("DEFAULT_DNN", "bad dnn"));
    assertMessage("UPF_POOL_CIDR", Map.of("UPF_POOL_CIDR", "12.2.0.1/16"));
    assertMessage("SLICE_UE_SUBNETS", Map.of("SLICE_UE_SUBNETS", "oai=12.1.1.1/24"));
    assertMessage("SLICE_UE_SUBNETS", Map.of("SLICE_UE_SUBNETS", "oai"));
    assertMessage("SLICE_UE_SUBNETS", Map.of("SLICE_UE_SUBNETS", "bad dnn=12.1.1.0/24"));
    assertMessage("SLICE_UE_SUBNETS", Map.of("SLICE_UE_SUBNETS", "oai=12.1.1.0/24,oai=12.1.2.0/24"));
    assertMessage("UPF_MAX_PER_SLICE", Map.of("UPF_MAX_PER_SLICE", "-1"));
    assertMessage("FREE5GC_SMF_URL", Map.of("FREE5GC_SMF_URL", "http://smf:8000"));
    assertMessage("FREE5GC_SMF_URL", Map.of("UPF_PROFILE", "free5gc", "FREE5GC_SMF_URL", "smf:8000"));
    assertMessage("FREE5GC_SMF_URL", Map.of("UPF_PROFILE", "free5gc", "FREE5GC_SMF_URL", "http://smf:8000/upi/v1"));
    assertMessage("FREE5GC_AN_NAME", Map.of("FREE5GC_AN_NAME", "gNB 1"));
    assertMessage("UPF_POOL_BLOCK_PREFIX", Map.of("UPF_POOL_CIDR", "12.2.0.0/16", "UPF_POOL_BLOCK_PREFIX", "12"));
    assertMessage("UPF_POOL_BLOCK_PREFIX", Map.of("UPF_POOL_BLOCK_PREFIX", "31"));
    assertMessage("UPF_POOL_BLOCK_PREFIX", Map.of("UPF_POOL_BLOCK_PREFIX", "/24"));
    assertMessage("UPF_POOL_CIDR", Map.of("UPF_POOL_CIDR", "12.2.0.0/31"));
    assertMessage("UPF_POOL_CIDR", Map.of("UPF_POOL_CIDR", "10.9.0.0/30"), "smaller than the per-UE default block");
    assertMessage("UPF_POOL_CIDR", Map.of("UPF_POOL_CIDR", "10.9.0.0/25", "UPF_MODE", "per-slice"));
    assertMessage("NRF_HOST", Map.of("NRF_HOST", "nrf host"));
    assertMessage("NRF_HOSTS", Map.of("NRF_HOSTS", "1=oai-nrf,3"));
    assertMessage("NRF_HOSTS", Map.of("NRF_HOSTS", "x=oai-nrf"));
    assertMessage("NRF_HOSTS", Map.of("NRF_HOSTS", "256=oai-nrf"));
    assertMessage("NRF_HOSTS", Map.of("NRF_HOSTS", "1=Bad_Host"));
    assertMessage("NRF_HOSTS", Map.of("NRF_HOSTS", "1=a,1=b"));
    assertMessage("NRF_HOSTS", Map.of("NRF_HOSTS", " , "));
  }

  @Test
  void nrfHostsPerSliceWithNrfHostAsTheFallback() {
    NrfHosts listed = ControllerConfig.fromEnvironment(Map.of("NRF_HOSTS", "1=nrf-a, 3=nrf-b.core.svc", "NRF_HOST", "nrf-z"))
        .nrfHosts();
    assertEquals(List.of("nrf-a", "nrf-z", "nrf-b.core.svc"), List.of(listed.forSst(1), listed.forSst(2), listed.forSst(3)));
    // NRF_HOST alone keeps its meaning: one NRF for every slice.
    NrfHosts single = ControllerConfig.fromEnvironment(Map.of("NRF_HOST", "my-nrf")).nrfHosts();
    assertEquals(List.of("my-nrf", "my-nrf"), List.of(single.forSst(1), single.forSst(3)));
  }

  @Test
  void leaderElectionTimingsThatWouldLetAStalledLeaderOutliveItsLeaseAreRefused() {
    // Retry 2 + renew 10 = 12 < 15: the defaults pass; 5 + 10 = 15 would let a leader whose
    // renewals stall act until the moment a standby may take over.
    assertEquals(15, ControllerConfig.fromEnvironment(Map.of()).leaderElection().leaseDuration().toSeconds());
    assertMessage("RETRY_PERIOD_SECONDS + RENEW_DEADLINE_SECONDS", Map.of("RETRY_PERIOD_SECONDS", "5"));
    assertMessage("RENEW_DEADLINE_SECONDS", Map.of("RENEW_DEADLINE_SECONDS", "15"));
    assertMessage("RETRY_PERIOD_SECONDS", Map.of("RETRY_PERIOD_SECONDS", "10"));
  }

  @Test
  void theOwnPodIsWatchedOnlyWhenTheDownwardApiNamesIt() {
    assertEquals(Optional.of(new LeaderElectionSettings.PodName("nexslice", "dynamic-slicing-7d9f-abcde")),
        ControllerConfig.fromEnvironment(Map.of("POD_NAMESPACE", "nexslice", "POD_NAME", "dynamic-slicing-7d9f-abcde"))
            .leaderElection().ownPod());
    // On a host: no pod to watch, SIGTERM alone stops it.
    assertEquals(Optional.empty(), ControllerConfig.fromEnvironment(Map.of("POD_NAME", "dev")).leaderElection().ownPod());
    assertEquals(Optional.empty(), ControllerConfig.fromEnvironment(Map.of()).leaderElection().ownPod());
    // A field selector is built from these: anything but a name is refused, by name.
    assertMessage("POD_NAME", Map.of("POD_NAMESPACE", "nexslice", "POD_NAME", "x,metadata.name!=y"));
    assertMessage("POD_NAMESPACE", Map.of("LEASE_NAMESPACE", "nexslice", "POD_NAMESPACE", "Bad_NS", "POD_NAME", "a"));
  }

  private static void assertMessage(String variable, Map<String, String> env) {
    assertMessage(variable, env, env.toString());
  }

  private static void assertMessage(String variable, Map<String, String> env, String why) {
    ConfigException e = assertThrows(ConfigException.class, () -> ControllerConfig.fromEnvironment(env), why);
    assertTrue(e.getMessage().startsWith(variable + ":"), e.getMessage());
  }
}
