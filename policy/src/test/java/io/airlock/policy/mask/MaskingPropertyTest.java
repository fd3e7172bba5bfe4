package io.airlock.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.airlock.policy.mask.MaskFixtures.Collect;
import io.airlock.policy.mask.MaskingProfile.Mode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random documents with planted sensitive values, masked in random chunks: the output is valid
 * JSON of the same shape (minus dropped secrets) and none of the planted values survive.
 */
class MaskingPropertyTest {

  private static final JsonFactory JSON = new JsonFactory();

  sealed interface Node permits Obj, Arr, Scalar {}

  record Entry(String key, boolean escapeFirst, Node value) {}

  record Obj(List<Entry> entries) implements Node {}

  record Arr(List<Node> items) implements Node {}

  /** {@code json} is the literal text; {@code planted} says it must not appear in the output. */
  record Scalar(String json, String planted) implements Node {}

  @Property(tries = 200)
  void plantedValuesNeverSurviveAndShapeIsKept(
      @ForAll("documents") Node doc,
      @ForAll boolean allowMode,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 40) Integer> chunks)
      throws Exception {
    StringBuilder sb = new StringBuilder();
    write(doc, sb);
    byte[] in = sb.toString().getBytes(StandardCharsets.UTF_8);
    MaskingProfile profile = MaskFixtures.demoProfile(allowMode ? Mode.ALLOW : Mode.BLOCK);
    StreamingMasker m = StreamingMasker.create(profile, MaskFixtures.options());
    Collect out = new Collect();
    int pos = 0;
    for (int i = 0; pos < in.length; i++) {
      int n = Math.min(chunks.get(i % chunks.size()), in.length - pos);
      m.feed(in, pos, n, out);
      pos += n;
    }
    m.finish(out);
    String masked = out.text();

    assertThat(shapeOfOutput(masked)).as(masked).isEqualTo(expectedShape(doc));
    List<String> planted = new ArrayList<>();
    collectPlanted(doc, planted);
    for (String p : planted) {
      assertThat(masked).as("input %s", sb).doesNotContain(p);
    }
  }

  @Provide
  Arbitrary<Node> documents() {
    return Arbitraries.oneOf(object(0), array(0));
  }

  private Arbitrary<Node> node(int depth) {
    if (depth >= 4) {
      return scalar();
    }
    return Arbitraries.frequencyOf(
        Tuple.of(4, scalar()),
        Tuple.of(1, Arbitraries.lazy(() -> object(depth + 1))),
        Tuple.of(1, Arbitraries.lazy(() -> array(depth + 1))));
  }

  private Arbitrary<Node> object(int depth) {
    Arbitrary<Entry> plain = Combinators.combine(key(), Arbitraries.of(true, false), node(depth))
        .as(Entry::new);
    Arbitrary<Entry> email = Combinators.combine(
            randomCase("email"), Arbitraries.of(true, false), email())
        .as(Entry::new);
    Arbitrary<Entry> secret = Combinators.combine(
            randomCase("twoFactorSecret"), Arbitraries.of(true, false),
            Arbitraries.oneOf(secretValue(), node(depth)))
        .as(Entry::new);
    Arbitrary<Entry> entry = Arbitraries.frequencyOf(
        Tuple.of(6, plain), Tuple.of(1, email), Tuple.of(1, secret));
    return entry.list().ofMaxSize(6).map(Obj::new);
  }

  private Arbitrary<Node> array(int depth) {
    return node(depth).list().ofMaxSize(5).map(Arr::new);
  }

  private Arbitrary<String> key() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6),
        Arbitraries.of("ssn", "card", "iban", "notes", "status", "name", "address", "phone", "id")
            .flatMap(this::randomCase));
  }

  private Arbitrary<String> randomCase(String word) {
    return Arbitraries.integers().between(0, (1 << Math.min(word.length(), 20)) - 1).map(bits -> {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < word.length(); i++) {
        char c = word.charAt(i);
        b.append((bits >> i & 1) == 1 ? Character.toUpperCase(c) : Character.toLowerCase(c));
      }
      return b.toString();
    });
  }

  private Arbitrary<Node> scalar() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(8)
            .map(s -> new Scalar('"' + s + '"', null))),
        Tuple.of(2, Arbitraries.integers().between(-1000, 1000).map(i -> new Scalar(i.toString(), null))),
        Tuple.of(1, Arbitraries.of("true", "false", "null").map(s -> new Scalar(s, null))),
        Tuple.of(2, card()),
        Tuple.of(1, iban()),
        Tuple.of(1, ssn()));
  }

  private Arbitrary<Node> card() {
    return Combinators.combine(
            Arbitraries.strings().numeric().ofLength(15), Arbitraries.integers().between(0, 3))
        .as((body, style) -> {
          String digits = "4" + body.substring(1) + luhnDigit("4" + body.substring(1));
          return switch (style) {
            case 0 -> new Scalar(digits, digits);
            case 1 -> new Scalar('"' + digits + '"', digits);
            case 2 -> {
              String spaced = digits.replaceAll("(\\d{4})(?=\\d)", "$1 ");
              yield new Scalar('"' + spaced + '"', spaced);
            }
            default -> {
              String dashed = digits.replaceAll("(\\d{4})(?=\\d)", "$1-");
              yield new Scalar('"' + dashed + '"', dashed);
            }
          };
        });
  }

  private static char luhnDigit(String partial) {
    int sum = 0;
    for (int i = partial.length() - 1, k = 0; i >= 0; i--, k++) {
      int d = partial.charAt(i) - '0';
      if (k % 2 == 0) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return (char) ('0' + (10 - sum % 10) % 10);
  }

  private Arbitrary<Node> iban() {
    return Combinators.combine(
            Arbitraries.of("GB", "DE", "FR", "NL"),
            Arbitraries.strings().withCharRange('A', 'Z').numeric().ofMinLength(11).ofMaxLength(30))
        .as((country, bban) -> {
          String iban = country + checkDigits(country, bban) + bban;
          return new Scalar('"' + iban + '"', iban);
        });
  }

  private static String checkDigits(String country, String bban) {
    String rearranged = bban + country + "00";
    int rem = 0;
    for (char c : rearranged.toCharArray()) {
      rem = Character.isDigit(c) ? (rem * 10 + (c - '0')) % 97 : (rem * 100 + (c - 'A' + 10)) % 97;
    }
    return String.format(Locale.ROOT, "%02d", 98 - rem);
  }

  private Arbitrary<Node> ssn() {
    return Arbitraries.strings().numeric().ofLength(9).map(d -> {
      String s = d.substring(0, 3) + "-" + d.substring(3, 5) + "-" + d.substring(5);
      return new Scalar('"' + s + '"', s);
    });
  }

  private Arbitrary<Node> email() {
    return Combinators.combine(
            Arbitraries.strings().withCharRange('a', 'z').ofMinLength(2).ofMaxLength(8),
            Arbitraries.strings().withCharRange('a', 'z').ofMinLength(2).ofMaxLength(8),
            Arbitraries.of("com", "io", "co.uk"))
        .as((local, domain, tld) -> {
          String e = local + "@" + domain + "." + tld;
          return new Scalar('"' + e + '"', e);
        });
  }

  private Arbitrary<Node> secretValue() {
    return Arbitraries.strings().withCharRange('A', 'Z').ofLength(16)
        .map(s -> new Scalar('"' + s + '"', s));
  }

  private static void write(Node n, StringBuilder sb) {
    if (n instanceof Obj o) {
        sb.append('{');
        for (int i = 0; i < o.entries().size(); i++) {
          Entry e = o.entries().get(i);
          if (i > 0) {
            sb.append(',');
          }
          sb.append('"');
          if (e.escapeFirst()) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) e.key().charAt(0)));
            sb.append(e.key(), 1, e.key().length());
          } else {
            sb.append(e.key());
          }
          sb.append("\":");
          write(e.value(), sb);
        }
        sb.append('}');
    } else if (n instanceof Arr a) {
        sb.append('[');
        for (int i = 0; i < a.items().size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          write(a.items().get(i), sb);
        }
        sb.append(']');
    } else {
      sb.append(((Scalar) n).json());
    }
  }

  private static void collectPlanted(Node n, List<String> out) {
    if (n instanceof Obj o) {
      o.entries().forEach(e -> collectPlanted(e.value(), out));
    } else if (n instanceof Arr a) {
      a.items().forEach(i -> collectPlanted(i, out));
    } else if (((Scalar) n).planted() != null) {
      out.add(((Scalar) n).planted());
    }
  }

  /** Objects as ordered (key, shape) lists so duplicate keys count; every scalar is "s". */
  private static Object expectedShape(Node n) {
    if (n instanceof Obj o) {
        List<Object> fields = new ArrayList<>();
        for (Entry e : o.entries()) {
          if (!e.key().toLowerCase(Locale.ROOT).equals("twofactorsecret")) {
            fields.add(Map.entry(e.key(), expectedShape(e.value())));
          }
        }
        return Map.of("{}", fields);
    }
    if (n instanceof Arr a) {
      return a.items().stream().map(MaskingPropertyTest::expectedShape).toList();
    }
    return "s";
  }

  private static Object shapeOfOutput(String json) throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      Object shape = readShape(p, p.nextToken());
      assertThat(p.nextToken()).isNull();
      return shape;
    }
  }

  private static Object readShape(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      List<Object> fields = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        fields.add(Map.entry(name, readShape(p, p.nextToken())));
      }
      return Map.of("{}", fields);
    }
    if (t == JsonToken.START_ARRAY) {
      List<Object> items = new ArrayList<>();
      JsonToken next;
      while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
        items.add(readShape(p, next));
      }
      return items;
    }
    return "s";
  }
}
