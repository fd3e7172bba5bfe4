package io.airlock.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.mask.MaskFixtures.Collect;
import io.airlock.policy.mask.MaskingProfile.Mode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random notes around planted card numbers, masked whole and in random chunks. */
class FreeTextPropertyTest {

  private static final StreamingMasker.Template TEMPLATE =
      StreamingMasker.template(MaskFixtures.demoProfile(Mode.ALLOW), MaskFixtures.options());

  @Property(tries = 300)
  void anEmbeddedCardLosesAllButItsLastFourCharacters(
      @ForAll("text") String before,
      @ForAll("card") String card,
      @ForAll("text") String after,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 30) Integer> chunks)
      throws Exception {
    // "re:" keeps the note from being only the card, which the whole-value detector masks trimmed
    String note = "re:" + before + " " + card + " " + after;
    String expected = "re:" + before + " " + "*".repeat(card.length() - 4)
        + card.substring(card.length() - 4) + " " + after;
    assertThat(maskNote(note, chunks)).as(note).isEqualTo(expected);
  }

  @Property(tries = 300)
  void textWithoutDigitsIsUnchanged(
      @ForAll("text") String note,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 30) Integer> chunks)
      throws Exception {
    assertThat(maskNote(note, chunks)).isEqualTo(note);
  }

  /** Whatever the digits and separators, masking only ever turns characters into stars. */
  @Property(tries = 500)
  void masksOnlyByStarringCharactersInPlace(@ForAll("digitHeavy") String text) throws Exception {
    // the prefix keeps the whole-value detectors (which trim) out of it
    String note = "note: " + text;
    String out = maskNote(note, List.of(Integer.MAX_VALUE));
    assertThat(out).hasSameSizeAs(note);
    for (int i = 0; i < note.length(); i++) {
      if (out.charAt(i) != note.charAt(i)) {
        assertThat(out.charAt(i)).as("%s -> %s at %d", note, out, i).isEqualTo('*');
      }
    }
  }

  private static String maskNote(String note, List<Integer> chunks) throws MaskingException {
    byte[] in = MaskFixtures.utf8("{\"notes\":\"" + note + "\"}");
    StreamingMasker m = TEMPLATE.newMasker();
    Collect out = new Collect();
    int pos = 0;
    for (int i = 0; pos < in.length; i++) {
      int n = Math.min(chunks.get(i % chunks.size()), in.length - pos);
      m.feed(in, pos, n, out);
      pos += n;
    }
    m.finish(out);
    String s = out.text();
    assertThat(s).startsWith("{\"notes\":\"").endsWith("\"}");
    return s.substring(10, s.length() - 2);
  }

  /** Letters, punctuation, spaces and non-ASCII text; no digits, nothing JSON would escape. */
  @Provide
  Arbitrary<String> text() {
    Arbitrary<String> ascii = Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('A', 'Z')
        .withChars(" .,:;-!?()/#'+*_")
        .ofMinLength(1)
        .ofMaxLength(8);
    Arbitrary<String> other = Arbitraries.of("ü", "ß", "é", "€", "–", "\u00a0", "тест", "漢字", "🙂",
        "\uD834\uDD1E");
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, ascii), net.jqwik.api.Tuple.of(1, other))
        .list()
        .ofMaxSize(10)
        .map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> card() {
    return Combinators.combine(
            Arbitraries.strings().numeric().ofMinLength(12).ofMaxLength(18),
            Arbitraries.of(' ', '-', '\0'))
        .as((body, sep) -> {
          String digits = body + luhnDigit(body);
          if (sep == '\0') {
            return digits;
          }
          return digits.replaceAll("(\\d{4})(?=\\d)", "$1" + sep);
        });
  }

  /** Digit runs, separators, SSN- and IBAN-like pieces and letters, glued at random. */
  @Provide
  Arbitrary<String> digitHeavy() {
    Arbitrary<String> piece = Arbitraries.oneOf(
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20),
        card(),
        Arbitraries.strings().numeric().ofLength(9)
            .map(d -> d.substring(0, 3) + "-" + d.substring(3, 5) + "-" + d.substring(5)),
        Arbitraries.of("DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82", "NL91 ABNA "),
        Arbitraries.of(" ", "-", "  ", "--", " - ", "x", "AB", "🙂", ".", "ü"));
    return piece.list().ofMaxSize(12).map(parts -> String.join("", parts));
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
}
