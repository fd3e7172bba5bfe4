package io.airlock.policy.mask;

import static io.airlock.policy.mask.MaskFixtures.demoProfile;
import static io.airlock.policy.mask.MaskFixtures.mask;
import static io.airlock.policy.mask.MaskFixtures.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.mask.MaskingProfile.FieldRule;
import io.airlock.policy.mask.MaskingProfile.Mode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Card numbers, SSNs and IBANs written inside a longer string that the profile shows (support
 * staff's notes): only those spans are masked, the rest of the text stays.
 */
class FreeTextMaskingTest {

  private static String notes(String text) throws MaskingException {
    return notes(demoProfile(Mode.ALLOW), options(), text);
  }

  private static String notes(MaskingProfile p, MaskingOptions o, String text)
      throws MaskingException {
    String out = mask(p, o, "{\"notes\":\"" + text + "\"}");
    assertThat(out).startsWith("{\"notes\":\"").endsWith("\"}");
    return out.substring(10, out.length() - 2);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      card 4111 1111 1111 1111, thanks               | card ***************1111, thanks
      card 4111-1111-1111-1111.                      | card ***************1111.
      card 4111111111111111 ok                       | card ************1111 ok
      cc:4111111111111111                            | cc:************1111
      4111111111111111 at the start                  | ************1111 at the start
      at the end 4111111111111111                    | at the end ************1111
      mixed 4111 1111-1111 1111 separators           | mixed ***************1111 separators
      amex 3782 822463 10005 (15 digits)             | amex *************0005 (15 digits)
      old 4111111111111111 new 5500 0055 5555 5559   | old ************1111 new ***************5559
      4111111111111111 1234                          | ************1111 1234
      on 2024-01-15 4111111111111111                 | on 2024-01-15 ************1111
      ssn 123-45-6789 verified                       | ssn *******6789 verified
      ssn:123-45-6789.                               | ssn:*******6789.
      pay to DE89370400440532013000 today            | pay to ******************3000 today
      pay to de89370400440532013000                  | pay to ******************3000
      ibanDE89370400440532013000                     | iban******************3000
      iban GB82 WEST 1234 5698 7654 32.              | iban ***********************4 32.
      'DE89 3704 0044 0532 0130 00, GB82WEST12345698765432' | '***********************0 00, ******************5432'
      card 4111 1111 1111 1111, ssn 123-45-6789, iban DE89 3704 0044 0532 0130 00 | card ***************1111, ssn *******6789, iban ***********************0 00
      Kärtchen 🙂: 4111 1111 1111 1111 – danke 🙂   | Kärtchen 🙂: ***************1111 – danke 🙂
      カード4111111111111111です                      | カード************1111です
      nbsp 4111\u00a01111\u00a01111\u00a01111 (PDF)      | nbsp ***************1111 (PDF)
      narrow 4111\u202f1111\u20071111\u20091111 spaces  | narrow ***************1111 spaces
      tab 4111\\t1111\\t1111\\t1111 ok                 | tab ***************1111 ok
      lines 4111\\r\\n1111\\n1111\\r1111 ok            | lines ****************1111 ok
      dots 4111.1111.1111.1111.                        | dots ***************1111.
      slashes 4111/1111/1111/1111 ok                   | slashes ***************1111 ok
      double 4111  1111 -1111. 1111 ok                 | double ******************1111 ok
      zw 4111\u200b1111\u200c1111\u200d11\ufeff11\u2060 ok | zw ****************1\ufeff11\u2060 ok
      zw 4111 \u200b1111\u2060 1111 1111 ok            | zw *****************1111 ok
      full-width ４１１１ １１１１ １１１１ １１１１です     | full-width ***************１１１１です
      arabic \u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661 | arabic ************\u0661\u0661\u0661\u0661
      ssn １２３-４５-６７８９ ok                         | ssn *******６７８９ ok
      ssn 123\u201145\u20116789 (no-break hyphens)     | ssn *******6789 (no-break hyphens)
      ssn 123-\u200b45-6789 ok                         | ssn ********6789 ok
      ref 00004111111111111111 glued                   | ref 0***************1111 glued
      tracking 41111111111111110000 (a 20-digit run)   | tracking **************110000 (a 20-digit run)
      """)
  void embeddedIdentifiersAreMaskedInPlace(String text, String expected) throws Exception {
    assertThat(notes(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      called about card
      ref 411111111111112 (15 digits, Luhn fails)
      41111111111111111 (17 digits, Luhn fails)
      4111 1111 1111 1112
      call +44 20 7946 0001 after 5
      call +1-555-123-4567 after 5
      since 2024-01-15, 10:30 to 2024-02-01T10:00:00Z
      on 2024-01-15 10:30 and 2024/01/16 11:45 or 17.01.2024 09:00
      call (020) 7946 0001 / (020) 7946 0002 or +49 30 1234 5678
      list 4111, 1111, 1111, 1111 and 4111 - 1111 - 1111 - 1111
      x 123 45 6789 and 123.45.6789
      x 123-456-789
      x 123-45-67890 and 1123-45-6789
      x 12-123-45-6789-1
      bad iban GB82WEST12345698765433
      amount 1234.56 EUR, 0.5 %, v1.2.3
      ünïcödé 🙂 тест 漢字 ‮ no digits
      ''
      """)
  void nearMissesStayAsTheyAre(String text) throws Exception {
    assertThat(notes(text)).isEqualTo(text);
  }

  @Test
  void aLuhnValidOrderIdInFreeTextIsMaskedToo() throws Exception {
    // accepted false positive: a checksum is all that tells a card from an order number
    assertThat(notes("order 4242424242424242 shipped")).isEqualTo("order ************4242 shipped");
  }

  @Test
  void jsonEscapesAreDecodedBeforeScanning() throws Exception {
    assertThat(notes("card \\u0034111 1111 1111 1111\\n\\\"ok\\\""))
        .isEqualTo("card ***************1111\\n\\\"ok\\\"");
  }

  @Test
  void wholeValueDetectionIsUnchanged() throws Exception {
    String json = "{\"notes\":\"  4111 1111 1111 1111 \",\"id\":\"c-0001\",\"name\":\"123-45-6789\","
        + "\"status\":\"GB82 WEST 1234 5698 7654 32\",\"amount\":4111111111111111,"
        + "\"riskScore\":4111111111111112}";
    assertThat(mask(demoProfile(Mode.ALLOW), options(), json))
        .isEqualTo("{\"notes\":\"***************1111\",\"id\":\"c-0001\",\"name\":\"*******6789\","
            + "\"status\":\"***********************4 32\",\"amount\":\"************1111\","
            + "\"riskScore\":4111111111111112}");
  }

  @Test
  void everyStringThatGetsDetectorsIsScannedNotOnlyNotes() throws Exception {
    // a clear id has always been checked by the detectors; now the check also looks inside it
    String json = "{\"id\":\"tx-4111111111111111\",\"status\":[\"ssn 123-45-6789\"],"
        + "\"nickname\":\"card 4111111111111111\"}";
    assertThat(mask(demoProfile(Mode.ALLOW), options(), json))
        .isEqualTo("{\"id\":\"tx-************1111\",\"status\":[\"ssn *******6789\"],"
            + "\"nickname\":\"[redacted]\"}");
    // block mode shows unlisted values, so they are scanned as well
    assertThat(mask(demoProfile(Mode.BLOCK), options(), json))
        .isEqualTo("{\"id\":\"tx-************1111\",\"status\":[\"ssn *******6789\"],"
            + "\"nickname\":\"card ************1111\"}");
  }

  @Test
  void classifiedValuesAreMaskedWhole() throws Exception {
    assertThat(mask(demoProfile(Mode.ALLOW), options(), "{\"phone\":\"card 4111111111111111\"}"))
        .isEqualTo("{\"phone\":\"*****************1111\"}");
  }

  @Test
  void anUnmaskedClassIsShownInsideTextWhileOthersAreMasked() throws Exception {
    String text = "card 4111 1111 1111 1111, ssn 123-45-6789, iban DE89370400440532013000";
    assertThat(notes(demoProfile(Mode.ALLOW), options(FieldClass.CARD), text))
        .isEqualTo("card 4111 1111 1111 1111, ssn *******6789, iban ******************3000");
    assertThat(notes(demoProfile(Mode.ALLOW), options(FieldClass.SSN, FieldClass.BANK), text))
        .isEqualTo("card ***************1111, ssn 123-45-6789, iban DE89370400440532013000");
  }

  @Test
  void onlyTheProfilesDetectorsRun() throws Exception {
    MaskingProfile ssnOnly = new MaskingProfile("s", Mode.BLOCK, Map.of(), Map.of(),
        EnumSet.of(Detector.SSN), Map.of(), 8);
    assertThat(notes(ssnOnly, options(), "card 4111111111111111, ssn 123-45-6789, DE89370400440532013000"))
        .isEqualTo("card 4111111111111111, ssn *******6789, DE89370400440532013000");
    MaskingProfile none = new MaskingProfile("n", Mode.BLOCK, Map.of(), Map.of(),
        EnumSet.noneOf(Detector.class), Map.of(), 8);
    assertThat(notes(none, options(), "card 4111111111111111, ssn 123-45-6789"))
        .isEqualTo("card 4111111111111111, ssn 123-45-6789");
  }

  @Test
  void anIbansDigitsAreNotAlsoTakenForACard() throws Exception {
    // with only the card detector the digit groups of an IBAN may look like a card; with the IBAN
    // detector on, the IBAN is recognised first and masked as a bank account
    assertThat(notes("iban NL91 ABNA 0417 1643 00 card 4111111111111111"))
        .isEqualTo("iban ******************3 00 card ************1111");
  }

  @Test
  void spansAreMaskedWithTheirClassesStrategy() throws Exception {
    MaskingProfile p = demoProfile(Mode.ALLOW,
        Map.of(FieldClass.CARD, Strategy.HMAC, FieldClass.SSN, Strategy.REDACT,
            FieldClass.BANK, Strategy.EMAIL));
    assertThat(notes(p, options(), "card 4111 1111 1111 1111! ssn 123-45-6789; DE89370400440532013000."))
        .isEqualTo("card h:" + token("alice", "card", "4111 1111 1111 1111")
            + "! ssn [redacted]; [redacted].");
  }

  @Test
  void dropStrategyDropsTheWholeValue() throws Exception {
    MaskingProfile p = new MaskingProfile("d", Mode.BLOCK, Map.of("notes", FieldRule.CLEAR), Map.of(),
        EnumSet.allOf(Detector.class), Map.of(FieldClass.CARD, Strategy.DROP), 8);
    assertThat(mask(p, options(), "{\"notes\":\"card 4111111111111111 here\",\"list\":[\"x 4111111111111111\","
            + "\"ssn 123-45-6789\",\"plain\"],\"z\":1}"))
        .isEqualTo("{\"list\":[null,\"ssn *******6789\",\"plain\"],\"z\":1}");
  }

  @Test
  void longTextWithManyCandidatesIsScannedInOnePass() throws Exception {
    // digit groups, separators and IBAN-like starts everywhere: each start is tried a bounded
    // number of characters ahead, so this stays linear
    for (String chunk : new String[] {"AB12 1234 5678-9012 123-45-678 ", "1 ", "1-", "AB12 ",
        "AB12", "123-45-", "4111 1111 1111 1111 ", "DE89 3704 0044 0532 0130 00 ", "1\u200b",
        "1 \u200b\u200b\u200b", "\u200b", "1.\u2060/", "０１２３４５６７８９ ", "1-\u200b",
        "0123456789012345678901234 "}) {
      String text = chunk.repeat(600_000 / chunk.length());
      long t0 = System.nanoTime();
      String out = notes(text);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(out).hasSameSizeAs(text);
      assertThat(ms).as("ms for %d chars of %s", text.length(), chunk).isLessThan(5_000);
    }
  }

  private static String token(String agent, String cls, String value) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(MaskFixtures.KEY, "HmacSHA256"));
    byte[] d = mac.doFinal((agent + "\0" + cls + "\0" + value).getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 16);
  }
}
