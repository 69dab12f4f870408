package io.nexslice.dynamicslicing.runtime;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.informer.TransformFunc;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.CallGenerator;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import okhttp3.Call;

/**
 * An informer's list-and-watch that lists in pages and trims each page before the next.
 *
 * <p>Why: the default lister reads a whole LIST response into one string and parses every
 * object at full size before the cache's transform trims it. With 5 000 UEs and four informers
 * listing at once, a controller in the shipped 512 MiB budget ran out of heap at start
 * (docs/BENCHMARKS.md, P5). Paged, the peak is one page plus the trimmed objects.
 *
 * <p>Pages are read at the latest resourceVersion: the informer's "0" is served from the API
 * server's watch cache, which ignores limit. The list's resourceVersion, where the watch
 * resumes, is that of the consistent snapshot the continue tokens walk.
 */
final class PagedListerWatcher<T extends KubernetesObject, L extends KubernetesListObject> implements ListerWatcher<T, L> {
  static final int PAGE = 500;

  /** A LIST call for one page. */
  interface PageCall {
    Call call(String continueToken, int limit) throws ApiException;
  }

  private final ApiClient client;
  private final Class<T> type;
  private final Class<L> listType;
  private final PageCall page;
  private final CallGenerator watch;
  private final TransformFunc trim;
  private final BiFunction<L, List<T>, L> withItems;

  PagedListerWatcher(ApiClient client, Class<T> type, Class<L> listType, PageCall page, CallGenerator watch,
      TransformFunc trim, BiFunction<L, List<T>, L> withItems) {
    this.client = client;
    this.type = type;
    this.listType = listType;
    this.page = page;
    this.watch = watch;
    this.trim = trim;
    this.withItems = withItems;
  }

  @Override
  @SuppressWarnings("unchecked")
  public L list(CallGeneratorParams params) throws ApiException {
    List<T> items = new ArrayList<>();
    String continueToken = null;
    L last;
    do {
      last = client.<L>execute(page.call(continueToken, PAGE), listType).getData();
      for (KubernetesObject o : last.getItems()) {
        try {
          items.add((T) trim.transform(o));
        } catch (io.kubernetes.client.informer.exception.ObjectTransformException e) {
          throw new ApiException(e);
        }
      }
      continueToken = last.getMetadata() == null ? null : last.getMetadata().getContinue();
    } while (continueToken != null && !continueToken.isEmpty());
    return withItems.apply(last, items);
  }

  @Override
  public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
    // The watch client has no read timeout: the server ends each watch after timeoutSeconds.
    Call call = client.getHttpClient().newCall(watch.generate(params).request());
    return Watch.createWatch(client, call, TypeToken.getParameterized(Watch.Response.class, type).getType());
  }
}
