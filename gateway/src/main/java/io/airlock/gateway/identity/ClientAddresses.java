package io.airlock.gateway.identity;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;

/** Who a per-address limit counts a request against. */
final class ClientAddresses {
  private ClientAddresses() {}

  /**
   * The peer's IPv4 address as it is; for IPv6 its /64, the smallest block one subscriber is
   * usually given, so walking through the addresses of one's own /64 does not reset the count.
   */
  static String limitKey(String hostAddress) {
    if (hostAddress == null || hostAddress.indexOf(':') < 0) {
      return hostAddress == null ? "unknown" : hostAddress;
    }
    int scope = hostAddress.indexOf('%');
    String literal = scope < 0 ? hostAddress : hostAddress.substring(0, scope);
    try {
      // a literal with ':' is parsed, never looked up
      InetAddress a = InetAddress.getByName(literal);
      if (a instanceof Inet6Address) {
        byte[] b = a.getAddress();
        return HexFormat.of().formatHex(b, 0, 8) + "::/64";
      }
      return a.getHostAddress();
    } catch (UnknownHostException e) {
      return hostAddress;
    }
  }
}
