package io.nexslice.dynamicslicing.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The NRF an OAI UPF registers in, by its slice's SST. A slice's SMF only discovers UPFs through
 * its own NRF, and NexSlice wires slice 3's SMF (oai-smf3) to a second one, oai-nrf2: with a
 * single NRF, slice 3's UPFs would never be seen.
 *
 * @param bySst NRF host per SST (NRF_HOSTS)
 * @param fallback the NRF of a slice NRF_HOSTS does not list (NRF_HOST)
 */
public record NrfHosts(Map<Integer, String> bySst, String fallback) {
  /** NexSlice's wiring: slices 1 and 2 on oai-nrf, slice 3 on oai-nrf2. */
  public static final String NEXSLICE = "1=oai-nrf,2=oai-nrf,3=oai-nrf2";
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  public NrfHosts {
    bySst = Map.copyOf(bySst);
  }

  /** One NRF for every slice. */
  public static NrfHosts single(String host) {
    return new NrfHosts(Map.of(), host);
  }

  public String forSst(int sst) {
    return bySst.getOrDefault(sst, fallback);
  }

  /**
   * NRF_HOSTS and NRF_HOST as the operator set them. NRF_HOST alone keeps its old meaning, one
   * NRF for every slice; with neither, NexSlice's wiring applies.
   */
  static NrfHosts fromEnvironment(EnvReader r) {
    String fallback = host("NRF_HOST", r.string("NRF_HOST", "oai-nrf"));
    String list = r.optional("NRF_HOSTS");
    if (list == null) {
      return r.optional("NRF_HOST") != null ? single(fallback) : new NrfHosts(parse(NEXSLICE), fallback);
    }
    return new NrfHosts(parse(list), fallback);
  }

  /** "sst=host,sst=host"; throws ConfigException naming NRF_HOSTS. */
  static Map<Integer, String> parse(String list) {
    Map<Integer, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : EnvReader.pairs("NRF_HOSTS", list, NEXSLICE)) {
      int sst;
      try {
        sst = Integer.parseInt(e.getKey());
      } catch (NumberFormatException x) {
        sst = -1;
      }
      if (sst < 0 || sst > 255) {
        throw new ConfigException("NRF_HOSTS: '" + e.getKey() + "' is not an SST (0-255)");
      }
      if (out.put(sst, host("NRF_HOSTS", e.getValue())) != null) {
        throw new ConfigException("NRF_HOSTS: SST " + sst + " is listed twice");
      }
    }
    return out;
  }

  private static String host(String variable, String value) {
    if (value.length() > 253 || !DNS1123_SUBDOMAIN.matcher(value).matches()) {
      throw new ConfigException(variable + ": '" + value + "' is not a host name");
    }
    return value;
  }
}
