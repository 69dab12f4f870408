package io.nexslice.dynamicslicing.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandOverListTest {
  @Test
  void onePassGivesEveryItemAndKeepsNone() {
    HandOverList<String> list = new HandOverList<>(List.of("a", "b", "c"));
    assertEquals(3, list.size());
    List<String> seen = new ArrayList<>();
    for (String s : list) {
      seen.add(s);
    }
    assertEquals(List.of("a", "b", "c"), seen);
    assertEquals(3, list.size(), "the size stays, for whoever logs it");
    assertNull(list.get(0), "handed over: the list no longer holds the item");
  }
}
