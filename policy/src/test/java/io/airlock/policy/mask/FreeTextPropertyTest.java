package io.airlock.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.mask.MaskFixtures.Collect;
import io.airlock.policy.mask.MaskingProfile.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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
  private static final StreamingMasker.Template CARD_ONLY = StreamingMasker.template(
      new MaskingProfile(
          "c", Mode.BLOCK, Map.of(), Map.of(), EnumSet.of(Detector.CARD), Map.of(), 8),
      MaskFixtures.options());

  /** Separators a card's digit groups may be joined by, one or two of them. */
  private static final String SEPARATORS = " -./\t\n\r\u00a0\u202f\u2007\u2009\u2011\u3000";
  /** Invisible characters read as absent. */
  private static final String FORMAT = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e";

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

  /**
   * Against a plain restatement of the rule: every Luhn-valid window of 13-19 digits made of whole
   * runs joined by one or two separators (and the 13-19 digit prefixes and suffixes of a longer
   * run) is starred but the last four characters of its span, and nothing else changes.
   */
  @Property(tries = 1000)
  void everyLuhnValidWindowIsStarredAndNothingElse(
      @ForAll("digitHeavy") String text,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 30) Integer> chunks)
      throws Exception {
    String note = "note: " + text;
    assertThat(maskNote(CARD_ONLY, note, chunks)).as(note).isEqualTo(reference(note));
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
    return maskNote(TEMPLATE, note, chunks);
  }

  private static String maskNote(
      StreamingMasker.Template template, String note, List<Integer> chunks)
      throws MaskingException {
    // the generators make no quotes or backslashes, only these control characters
    String json = note.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    byte[] in = MaskFixtures.utf8("{\"notes\":\"" + json + "\"}");
    StreamingMasker m = template.newMasker();
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
    return s.substring(10, s.length() - 2)
        .replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r");
  }

  /** The expected masking of {@code note} with only the card detector, computed the slow way. */
  private static String reference(String note) {
    // digit runs: digits with nothing but invisible characters between them
    List<int[]> runs = new ArrayList<>(); // start, end, first digit index, digit count
    List<Integer> digitPos = new ArrayList<>();
    for (int i = 0; i < note.length(); i++) {
      if (!Character.isDigit(note.charAt(i))) {
        continue;
      }
      int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null
          && note.substring(last[1], i).chars().allMatch(FreeTextPropertyTest::invisible)) {
        last[1] = i + 1;
        last[3]++;
      } else {
        runs.add(new int[] {i, i + 1, digitPos.size(), 1});
      }
      digitPos.add(i);
    }
    List<int[]> windows = new ArrayList<>();
    for (int a = 0; a < runs.size(); a++) {
      int[] first = runs.get(a);
      if (first[3] > 19) {
        for (int n = 13; n <= 19; n++) {
          int lo = first[2];
          int hi = first[2] + first[3];
          if (luhn(note, digitPos.subList(lo, lo + n))) {
            windows.add(new int[] {digitPos.get(lo), digitPos.get(lo + n - 1) + 1});
          }
          if (luhn(note, digitPos.subList(hi - n, hi))) {
            windows.add(new int[] {digitPos.get(hi - n), first[1]});
          }
        }
        continue;
      }
      int count = 0;
      for (int b = a; b < runs.size(); b++) {
        int[] run = runs.get(b);
        if (b > a && !joins(note.substring(runs.get(b - 1)[1], run[0]))) {
          break;
        }
        count += run[3];
        if (count > 19) {
          break;
        }
        if (count >= 13 && luhn(note, digitPos.subList(first[2], first[2] + count))) {
          windows.add(new int[] {first[0], run[1]});
        }
      }
    }
    windows.sort(Comparator.comparingInt((int[] w) -> w[0]));
    List<int[]> spans = new ArrayList<>();
    for (int[] w : windows) {
      int[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
      if (last != null && w[0] < last[1]) {
        last[1] = Math.max(last[1], w[1]);
      } else {
        spans.add(w.clone());
      }
    }
    char[] out = note.toCharArray();
    for (int[] span : spans) {
      Arrays.fill(out, span[0], span[1] - 4, '*');
    }
    return new String(out);
  }

  private static boolean joins(String gap) {
    long seps = gap.chars().filter(ch -> SEPARATORS.indexOf(ch) >= 0).count();
    return seps >= 1 && seps <= 2
        && gap.chars().allMatch(ch -> SEPARATORS.indexOf(ch) >= 0 || invisible(ch));
  }

  private static boolean invisible(int ch) {
    return Character.getType(ch) == Character.FORMAT;
  }

  private static boolean luhn(String note, List<Integer> positions) {
    int sum = 0;
    for (int k = 0; k < positions.size(); k++) {
      int d = Character.digit(note.charAt(positions.get(positions.size() - 1 - k)), 10);
      sum += k % 2 == 0 ? d : (d * 2 > 9 ? d * 2 - 9 : d * 2);
    }
    return sum % 10 == 0;
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

  /**
   * A Luhn-valid 13-19 digit card, run together or in groups of four joined by one or two
   * separators, with invisible characters between some characters and some digits written as
   * full-width or Arabic-Indic digits.
   */
  @Provide
  Arbitrary<String> card() {
    Arbitrary<String> joint =
        Arbitraries.strings().withChars(SEPARATORS).ofMinLength(1).ofMaxLength(2);
    return Combinators.combine(
            Arbitraries.strings().numeric().ofMinLength(12).ofMaxLength(18),
            Arbitraries.oneOf(Arbitraries.just(""), joint),
            Arbitraries.longs(),
            Arbitraries.integers().between(0, 3))
        .as((body, sep, seed, variant) -> {
          String digits = body + luhnDigit(body);
          java.util.Random r = new java.util.Random(seed);
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && i % 4 == 0) {
              b.append(sep);
            }
            if (i > 0 && variant == 3 && r.nextInt(4) == 0) {
              b.append(FORMAT.charAt(r.nextInt(FORMAT.length())));
            }
            char d = digits.charAt(i);
            if (variant == 1 && r.nextBoolean()) {
              d = (char) ('\uff10' + (d - '0')); // full-width
            } else if (variant == 2 && r.nextBoolean()) {
              d = (char) ('\u0660' + (d - '0')); // Arabic-Indic
            }
            b.append(d);
          }
          return b.toString();
        });
  }

  /** Digit runs, separators, SSN- and IBAN-like pieces and letters, glued at random. */
  @Provide
  Arbitrary<String> digitHeavy() {
    Arbitrary<String> piece = Arbitraries.oneOf(
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20),
        Arbitraries.strings().numeric().ofMinLength(20).ofMaxLength(30),
        card(),
        card(),
        Arbitraries.strings().numeric().ofLength(9)
            .map(d -> d.substring(0, 3) + "-" + d.substring(3, 5) + "-" + d.substring(5)),
        Arbitraries.of("DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82", "NL91 ABNA "),
        Arbitraries.of(" ", "-", "  ", "--", " - ", "x", "AB", "🙂", ".", "ü", ", ", "/", "\t",
            "\r\n", "\u00a0", "\u202f", "\u200b", "\ufeff", "\u2060", "４", "\u0661", ":"));
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
