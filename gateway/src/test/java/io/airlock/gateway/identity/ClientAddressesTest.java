package io.airlock.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Per-address limits count an IPv6 client by its /64: one subscriber cannot walk through its own. */
class ClientAddressesTest {
  @Test
  void ipv4IsCountedAsItIs() {
    assertThat(ClientAddresses.limitKey("192.0.2.7")).isEqualTo("192.0.2.7");
    assertThat(ClientAddresses.limitKey("192.0.2.8")).isNotEqualTo(ClientAddresses.limitKey("192.0.2.7"));
  }

  @Test
  void ipv6AddressesOfOneSlash64CountAsOne() {
    assertThat(ClientAddresses.limitKey("2001:db8:1:2:0:0:0:1"))
        .isEqualTo(ClientAddresses.limitKey("2001:db8:1:2:ffff:1234:5678:9abc"))
        .isEqualTo(ClientAddresses.limitKey("2001:db8:1:2::77%eth0"))
        .isEqualTo("20010db800010002::/64");
    assertThat(ClientAddresses.limitKey("2001:db8:1:3::1")).isNotEqualTo(ClientAddresses.limitKey("2001:db8:1:2::1"));
  }

  @Test
  void noAddressIsOneBucket() {
    assertThat(ClientAddresses.limitKey(null)).isEqualTo("unknown");
  }
}
