package io.nexslice.dynamicslicing.cache;

import static io.nexslice.dynamicslicing.cache.JsonSteps.expect;
import static io.nexslice.dynamicslicing.cache.JsonSteps.nextField;
import static io.nexslice.dynamicslicing.cache.JsonSteps.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * An informer's list-and-watch whose objects are read by {@link CacheDecoder}: each object is
 * decoded from the response's bytes ({@link SentJson}) straight into what the cache keeps, never
 * into a full model.
 *
 * <p>The list asks for the resourceVersion the reflector chooses, as client-go's informers do:
 * "0" at the first list, so the API server answers from its watch cache instead of reading etcd
 * (half the time for thousands of objects); the last one synced after a dropped watch; and ""
 * after a watch ended with 410 Gone (its resourceVersion was compacted away), a consistent read
 * from etcd. The answer comes whole (no limit), so it is decoded as it streams in: the peak is
 * one object at full size, not the whole list.
 */
public final class DecodingListerWatcher<T extends KubernetesObject, L extends KubernetesListObject> implements ListerWatcher<T, L> {
  /** A LIST (watch false) or WATCH (watch true) call at a resourceVersion. */
  public interface ListCall {
    Call call(String resourceVersion, Boolean watch, Integer timeoutSeconds) throws ApiException;
  }

  private final ApiClient client;
  private final Type watchType;
  private final ListCall calls;
  private final CacheDecoder decoder;
  private final CacheDecoder.Kind<T> kind;
  private final BiFunction<V1ListMeta, List<T>, L> listOf;

  /**
   * @param decoder the controller's decoder, whose parsers and packing dictionaries the lists and
   *     watches share
   * @param kind which of the decoder's kinds the objects are, e.g. {@code decoder::pod}
   */
  public DecodingListerWatcher(ApiClient client, Class<T> type, ListCall calls, CacheDecoder decoder,
      CacheDecoder.Kind<T> kind, BiFunction<V1ListMeta, List<T>, L> listOf) {
    this.client = client;
    this.watchType = TypeToken.getParameterized(Watch.Response.class, type).getType();
    this.calls = calls;
    this.decoder = decoder;
    this.kind = kind;
    this.listOf = listOf;
  }

  @Override
  public L list(CallGeneratorParams params) throws ApiException {
    String resourceVersion = params.resourceVersion == null ? "0" : params.resourceVersion;
    try (Response response = calls.call(resourceVersion, false, null).execute();
        SentJson in = decoder.open(successful(response).byteStream())) {
      JsonParser p = in.parser();
      V1ListMeta meta = null;
      List<T> items = new ArrayList<>();
      expect(p, JsonToken.START_OBJECT);
      String field;
      while ((field = nextField(p)) != null) {
        if (field.equals("metadata") && p.currentToken() == JsonToken.START_OBJECT) {
          meta = CacheDecoder.listMeta(p);
        } else if (field.equals("items") && p.currentToken() == JsonToken.START_ARRAY) {
          while (p.nextToken() != JsonToken.END_ARRAY) {
            items.add(kind.read(in));
          }
        } else {
          p.skipChildren();
        }
      }
      return listOf.apply(meta, new HandOverList<>(items));
    } catch (IOException | RuntimeException e) {
      throw new ApiException("listing for the cache failed: " + e, e, 0, null, null);
    }
  }

  @Override
  public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
    // The watch client has no read timeout: the server ends each watch after timeoutSeconds.
    Call call = calls.call(params.resourceVersion, true, params.timeoutSeconds);
    Response response;
    try {
      response = call.execute();
    } catch (IOException e) {
      throw new ApiException(e);
    }
    return new DecodingWatch<>(client.getJSON(), successful(response), watchType, call, decoder, kind);
  }

  private static ResponseBody successful(Response response) throws ApiException {
    if (response.isSuccessful() && response.body() != null) {
      return response.body();
    }
    String body = null;
    try (response) {
      body = response.body() == null ? null : response.body().string();
    } catch (IOException ignored) {
      // the status code says enough
    }
    throw new ApiException(response.message(), response.code(), response.headers().toMultimap(), body);
  }

  /** client-java's Watch (line reading, Status events), with objects read by the decoder. */
  private static final class DecodingWatch<T extends KubernetesObject> extends Watch<T> {
    private final CacheDecoder decoder;
    private final CacheDecoder.Kind<T> kind;

    DecodingWatch(JSON json, ResponseBody body, Type watchType, Call call, CacheDecoder decoder, CacheDecoder.Kind<T> kind) {
      super(json, body, watchType, call);
      this.decoder = decoder;
      this.kind = kind;
    }

    @Override
    protected Watch.Response<T> parseLine(String line) throws IOException {
      if (isStatus(line)) {
        return super.parseLine(line);
      }
      String type = null;
      T object = null;
      try (SentJson in = decoder.open(line)) {
        JsonParser p = in.parser();
        expect(p, JsonToken.START_OBJECT);
        String field;
        while ((field = nextField(p)) != null) {
          if (field.equals("type")) {
            type = text(p);
          } else if (field.equals("object") && p.currentToken() == JsonToken.START_OBJECT) {
            object = kind.read(in);
          } else {
            p.skipChildren();
          }
        }
      }
      return new Watch.Response<>(type, object);
    }
  }
}
