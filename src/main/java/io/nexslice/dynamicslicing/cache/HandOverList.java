package io.nexslice.dynamicslicing.cache;

import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The items of a LIST, handed over once: iterating gives each element and lets go of it.
 *
 * <p>Why: client-java's reflector keeps the list it got from the lister in a local variable for
 * as long as its watch runs (minutes), after its DeltaFIFO has copied every item (one pass of
 * {@link #iterator()}). Every object listed at start then stays in memory beside its newer
 * version in the cache: in P3 (docs/BENCHMARKS.md) 5 000 stale UE pods, 3 MiB. Handed over,
 * the list holds nothing once the cache has everything. A second pass sees nulls, so this list
 * is only for the informer's own use.
 */
final class HandOverList<T> extends AbstractList<T> {
  private final Object[] items;

  HandOverList(List<T> items) {
    this.items = items.toArray();
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get(int index) {
    return (T) items[index];
  }

  @Override
  public int size() {
    return items.length;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < items.length;
      }

      @Override
      @SuppressWarnings("unchecked")
      public T next() {
        if (next >= items.length) {
          throw new NoSuchElementException();
        }
        T item = (T) items[next];
        items[next++] = null;
        return item;
      }
    };
  }
}
