package io.nexslice.dynamicslicing.smf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nexslice.dynamicslicing.slice.Slice;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Free5gcTopologyTest {
  private final SmfNode node = SmfNode.of("nexslice", "upf-ue1", new Slice(1, Optional.of("010203"), "internet"),
      "12.2.1.0/24", false);

  @Test
  void thePostBodyHasTheShapeOfFree5gcsUserPlaneInformation() {
    JsonObject body = JsonParser.parseString(Free5gcTopology.postBody(node, "gNB1")).getAsJsonObject();
    JsonObject upf = body.getAsJsonObject("upNodes").getAsJsonObject("upf-ue1.nexslice");
    assertEquals("UPF", upf.get("type").getAsString());
    assertEquals("upf-ue1.nexslice.svc.cluster.local", upf.get("nodeID").getAsString());
    JsonObject info = upf.getAsJsonArray("sNssaiUpfInfos").get(0).getAsJsonObject();
    assertEquals(1, info.getAsJsonObject("sNssai").get("sst").getAsInt());
    assertEquals("010203", info.getAsJsonObject("sNssai").get("sd").getAsString());
    JsonObject dnn = info.getAsJsonArray("dnnUpfInfoList").get(0).getAsJsonObject();
    assertEquals("internet", dnn.get("dnn").getAsString());
    assertEquals("12.2.1.0/24", dnn.getAsJsonArray("pools").get(0).getAsJsonObject().get("cidr").getAsString());
    JsonObject n3 = upf.getAsJsonArray("interfaces").get(0).getAsJsonObject();
    assertEquals("N3", n3.get("interfaceType").getAsString());
    assertEquals("upf-ue1.nexslice.svc.cluster.local", n3.getAsJsonArray("endpoints").get(0).getAsString());
    assertEquals("internet", n3.getAsJsonArray("networkInstances").get(0).getAsString());
    JsonObject link = body.getAsJsonArray("links").get(0).getAsJsonObject();
    assertEquals("gNB1", link.get("A").getAsString());
    assertEquals("upf-ue1.nexslice", link.get("B").getAsString());
  }

  @Test
  void aListedNodeMatchesWhatWasPostedThoughTheSmfWritesCidrAndResolvedIds() {
    String get = """
        {"upNodes":{"gNB1":{"type":"AN","nodeID":"","addr":"","anIP":"<nil>","dnn":"","sNssaiUpfInfos":null,"interfaces":null},
         "upf-ue1.nexslice":{"type":"UPF","nodeID":"0.0.0.0","addr":"","anIP":"","dnn":"",
          "sNssaiUpfInfos":[{"sNssai":{"sst":1,"sd":"010203"},"dnnUpfInfoList":[{"dnn":"internet","dnaiList":null,
          "pduSessionTypes":null,"pools":[{"Cidr":"12.2.1.0/24"}],"staticPools":[]}]}],"interfaces":[]}},
         "links":[{"A":"gNB1","B":"upf-ue1.nexslice"}]}""";
    Map<String, Free5gcTopology.ListedNode> listed = Free5gcTopology.parse(get);
    assertEquals(List.of("gNB1", "upf-ue1.nexslice"), List.copyOf(listed.keySet()));
    assertEquals(node.fingerprint(), listed.get("upf-ue1.nexslice").fingerprint());
    assertEquals(Optional.empty(), Free5gcTopology.overlap(node, listed), "its own pool is no overlap");
  }

  @Test
  void overlapNamesBothPoolsAndTheNode() {
    Map<String, Free5gcTopology.ListedNode> listed = Map.of("UPF", new Free5gcTopology.ListedNode("UPF", "UPF",
        List.of("12.2.1.128/25"), ""));
    assertEquals(Optional.of("pool 12.2.1.0/24 overlaps pool 12.2.1.128/25 of node UPF"), Free5gcTopology.overlap(node, listed));
    assertTrue(Free5gcTopology.overlap(node, Map.of("UPF", new Free5gcTopology.ListedNode("UPF", "UPF",
        List.of("12.2.2.0/24"), ""))).isEmpty());
  }

  @Test
  void somethingElseThanTheTopologyIsAClearError() {
    assertThrows(IllegalArgumentException.class, () -> Free5gcTopology.parse("<html>502</html>"));
    assertThrows(IllegalArgumentException.class, () -> Free5gcTopology.parse("{\"upNodes\":[1]}"));
  }
}
