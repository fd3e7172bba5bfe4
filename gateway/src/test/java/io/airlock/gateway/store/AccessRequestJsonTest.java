package io.airlock.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.policy.request.AccessRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessRequestJsonTest {
  private final Instant at = Instant.parse("2026-03-01T10:15:30.000000001Z");

  @Test
  void everyFieldSurvivesTheRoundTripExactly() {
    AccessRequest full = Requests.everyFieldSet("req-1", at);
    AccessRequest plain = Requests.pending("req-2", "bob", at);

    assertThat(AccessRequestJson.read(AccessRequestJson.write(full))).isEqualTo(full);
    assertThat(AccessRequestJson.read(AccessRequestJson.write(plain))).isEqualTo(plain);
  }

  @Test
  void equalRecordsAreEqualBytesWhateverTheSetOrder() {
    AccessRequest r = Requests.everyFieldSet("req-1", at);
    AccessRequest again = AccessRequestJson.read(AccessRequestJson.write(r));
    assertThat(AccessRequestJson.write(again)).isEqualTo(AccessRequestJson.write(r));
    assertThat(AccessRequestJson.write(r)).contains("\"unmask\":[\"bank\",\"email\",\"ssn\"]");
  }

  @Test
  void aRecordThatCannotBeReadExactlyIsRefusedNamingTheField() {
    String json = AccessRequestJson.write(Requests.everyFieldSet("req-1", at));

    assertThatThrownBy(() -> AccessRequestJson.read(json.replace("\"ssn\"", "\"passport\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'unmask'")
        .hasMessageContaining("passport");
    assertThatThrownBy(() -> AccessRequestJson.read(json.replace("\"ticket\":", "\"tikket\":")))
        .hasMessageContaining("'ticket'");
    assertThatThrownBy(() -> AccessRequestJson.read(json.replace("\"format\":1", "\"format\":2")))
        .hasMessageContaining("format 2");
    assertThatThrownBy(() -> AccessRequestJson.read("[]")).hasMessageContaining("not a JSON object");
  }
}
