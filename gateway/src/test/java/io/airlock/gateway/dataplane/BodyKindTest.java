package io.airlock.gateway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Step 10: what the headers say a body is, before a byte of it is read. */
class BodyKindTest {

  @ParameterizedTest(name = "[{0}] [{1}] -> {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "application/json                      | -                | MASKABLE_JSON",
        "application/json; charset=utf-8       | -                | MASKABLE_JSON",
        "application/json;charset=\"UTF8\"     | identity         | MASKABLE_JSON",
        "Application/Problem+JSON              | ''               | MASKABLE_JSON",
        "application/vnd.api+json              | Identity         | MASKABLE_JSON",
        "application/json; charset=utf-16      | -                | UNMASKABLE_JSON",
        "application/json; charset=iso-8859-1  | -                | UNMASKABLE_JSON",
        "text/json                             | -                | UNMASKABLE_JSON",
        "TEXT/JSON; charset=utf-8              | -                | UNMASKABLE_JSON",
        "application/x-ndjson                  | -                | UNMASKABLE_JSON",
        "application/json-seq                  | -                | UNMASKABLE_JSON",
        "application/jsonl                     | -                | UNMASKABLE_JSON",
        "application/json                      | gzip             | ENCODED",
        "application/pdf                       | br               | ENCODED",
        "application/pdf                       | 'identity, gzip' | ENCODED",
        "-                                     | deflate          | ENCODED",
        "-                                     | -                | UNTYPED",
        "''                                    | -                | UNTYPED",
        "application/pdf                       | -                | OTHER",
        "text/csv; charset=utf-8               | -                | OTHER",
        "image/png                             | identity         | OTHER",
        "text/html                             | -                | OTHER",
      })
  void classifies(String type, String encoding, BodyKind expected) {
    List<String> types = type == null ? List.of() : List.of(type.strip());
    List<String> encodings = encoding == null ? List.of() : List.of(encoding.strip());
    assertThat(BodyKind.of(types, encodings)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} + {1} -> {2}")
  @CsvSource({
    "application/pdf, application/json, UNMASKABLE_JSON",
    "application/json, application/json, UNMASKABLE_JSON",
    "application/pdf, text/csv, UNTYPED",
  })
  void a_repeated_content_type_is_never_trusted(String first, String second, BodyKind expected) {
    assertThat(BodyKind.of(List.of(first, second), List.of())).isEqualTo(expected);
  }

  @Test
  void every_content_encoding_header_counts() {
    assertThat(BodyKind.of(List.of("application/pdf"), List.of("identity", "gzip"))).isEqualTo(BodyKind.ENCODED);
    assertThat(BodyKind.of(List.of("application/pdf"), List.of("identity", "identity"))).isEqualTo(BodyKind.OTHER);
  }
}
