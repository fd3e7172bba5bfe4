package io.airlock.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoDataTest {

  private static final long SEED = 42L;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DemoData DATA = DemoData.generate(SEED);

  // The checks below are written independently of DemoData's own helpers, so a bug there cannot
  // vouch for itself.

  static boolean luhnValid(String number) {
    int sum = 0;
    boolean twice = false;
    for (int i = number.length() - 1; i >= 0; i--) {
      int d = number.charAt(i) - '0';
      if (twice) {
        d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }

  static boolean ibanValid(String iban) {
    if (!iban.matches("[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")) {
      return false;
    }
    String rearranged = iban.substring(4) + iban.substring(0, 4);
    StringBuilder digits = new StringBuilder();
    for (char c : rearranged.toCharArray()) {
      digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
    }
    return new BigInteger(digits.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
  }

  static byte[] drain(TransactionFeed feed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (!feed.done()) {
      out.writeBytes(feed.next());
    }
    return out.toByteArray();
  }

  private static JsonNode record(String id) throws IOException {
    return MAPPER.readTree(DATA.clientJson(id).orElseThrow());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void sameSeedGivesByteIdenticalJson() {
    DemoData again = DemoData.generate(SEED);
    for (String id : DATA.clientIds()) {
      assertThat(again.clientJson(id).orElseThrow()).as(id)
          .isEqualTo(DATA.clientJson(id).orElseThrow());
    }
    for (String id : List.of("c-0001", "c-0100", "c-0200")) {
      assertThat(drain(again.transactions(id, 500).orElseThrow())).as(id)
          .isEqualTo(drain(DATA.transactions(id, 500).orElseThrow()));
    }
  }

  @Test
  void otherSeedGivesOtherData() {
    DemoData other = DemoData.generate(SEED + 1);
    assertThat(other.clientJson("c-0001").orElseThrow())
        .isNotEqualTo(DATA.clientJson("c-0001").orElseThrow());
  }

  @Test
  void twoHundredClientsNumberedFromOne() throws IOException {
    assertThat(DATA.clientIds()).hasSize(200).doesNotHaveDuplicates();
    for (int i = 1; i <= 200; i++) {
      String id = String.format(Locale.ROOT, "c-%04d", i);
      assertThat(DATA.clientIds().get(i - 1)).isEqualTo(id);
      assertThat(record(id).get("id").asText()).isEqualTo(id);
    }
    assertThat(DATA.clientJson("c-0000")).isEmpty();
    assertThat(DATA.clientJson("c-0201")).isEmpty();
    assertThat(DATA.transactions("c-0201", 1)).isEmpty();
  }

  @Test
  void everyRecordHasExactlyTheDocumentedShape() throws IOException {
    for (String id : DATA.clientIds()) {
      JsonNode r = record(id);
      assertThat(fieldNames(r)).as(id).containsExactly("id", "name", "email", "phone", "ssn",
          "dob", "address", "iban", "card", "kyc", "balances", "twoFactorSecret", "notes",
          "status", "createdAt", "riskScore");
      assertThat(fieldNames(r.get("address"))).containsExactly("street", "city", "postcode",
          "country");
      assertThat(fieldNames(r.get("card"))).containsExactly("number", "expiry", "brand");
      assertThat(fieldNames(r.get("kyc"))).containsExactly("status", "documents");
      assertThat(r.get("kyc").get("documents")).isNotEmpty().allSatisfy(doc ->
          assertThat(fieldNames(doc)).containsExactly("type", "number", "issuer", "expires"));
      assertThat(r.get("balances")).isNotEmpty().allSatisfy(balance -> {
        assertThat(fieldNames(balance)).containsExactly("currency", "amount");
        assertThat(balance.get("amount").asText()).matches("-?\\d+\\.\\d{2}");
      });
      assertThat(r.get("riskScore").isInt()).isTrue();
      assertThat(r.get("dob").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
      assertThat(r.get("createdAt").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
      assertThat(r.get("card").get("expiry").asText()).matches("(0[1-9]|1[0-2])/\\d{2}");
      assertThat(r.get("twoFactorSecret").asText()).matches("[A-Z2-7]{16}");
      assertThat(r.get("address").get("country").asText()).isIn("GB", "DE", "FR");
    }
  }

  @Test
  void ssnsAndEmailsLookReal() throws IOException {
    Set<String> emails = new HashSet<>();
    for (String id : DATA.clientIds()) {
      JsonNode r = record(id);
      assertThat(r.get("ssn").asText()).matches("\\d{3}-\\d{2}-\\d{4}");
      String email = r.get("email").asText();
      assertThat(email).matches("[a-z]+\\.[a-z]+\\d*@example\\.(com|org|net)");
      assertThat(emails.add(email)).as("unique email %s", email).isTrue();
    }
  }

  @Test
  void everyCardIsLuhnValidAndBranded() throws IOException {
    for (String id : DATA.clientIds()) {
      JsonNode card = record(id).get("card");
      String number = card.get("number").asText();
      assertThat(luhnValid(number)).as("%s card %s", id, number).isTrue();
      switch (card.get("brand").asText()) {
        case "visa" -> assertThat(number).matches("4\\d{15}");
        case "mastercard" -> assertThat(number).matches("(5[1-5]|2[2-7])\\d{14}");
        case "amex" -> assertThat(number).matches("3[47]\\d{13}");
        default -> throw new AssertionError("unknown brand for " + id);
      }
    }
  }

  @Test
  void everyIbanHasAValidChecksum() throws IOException {
    Map<String, Integer> lengths = Map.of("GB", 22, "DE", 22, "FR", 27);
    List<String> ibans = new ArrayList<>();
    for (String id : DATA.clientIds()) {
      ibans.add(record(id).get("iban").asText());
      JsonNode transactions = MAPPER.readTree(drain(DATA.transactions(id, 50).orElseThrow()));
      transactions.get("transactions")
          .forEach(t -> ibans.add(t.get("counterparty").get("iban").asText()));
    }
    assertThat(ibans).allSatisfy(iban -> {
      assertThat(ibanValid(iban)).as(iban).isTrue();
      assertThat(iban).hasSize(lengths.get(iban.substring(0, 2)));
    });
    // The validator must be able to say no, or the assertion above proves nothing.
    assertThat(ibanValid("GB82WEST12345698765432")).isTrue();
    assertThat(ibanValid("GB83WEST12345698765432")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, TransactionFeed.BATCH, TransactionFeed.BATCH + 1, 1234})
  void transactionFeedIsOneDocumentWhateverTheCount(int count) throws IOException {
    JsonNode doc = MAPPER.readTree(drain(DATA.transactions("c-0007", count).orElseThrow()));
    assertThat(fieldNames(doc)).containsExactly("clientId", "transactions");
    assertThat(doc.get("clientId").asText()).isEqualTo("c-0007");
    JsonNode transactions = doc.get("transactions");
    assertThat(transactions).hasSize(count);
    String last4 = record("c-0007").get("card").get("number").asText().substring(12);
    int n = 0;
    for (Iterator<JsonNode> it = transactions.elements(); it.hasNext(); ) {
      JsonNode t = it.next();
      n++;
      assertThat(fieldNames(t)).containsExactly("id", "at", "amount", "currency", "description",
          "counterparty", "cardLast4", "status");
      assertThat(t.get("id").asText()).isEqualTo(String.format(Locale.ROOT, "t-%06d", n));
      assertThat(t.get("amount").asText()).matches("-?\\d+\\.\\d{2}");
      assertThat(t.get("cardLast4").asText()).isEqualTo(last4);
    }
  }

  @Test
  void longerHistoryStartsWithTheShorterOne() throws IOException {
    JsonNode shorter = MAPPER.readTree(drain(DATA.transactions("c-0003", 10).orElseThrow()));
    JsonNode longer = MAPPER.readTree(drain(DATA.transactions("c-0003", 700).orElseThrow()));
    for (int i = 0; i < 10; i++) {
      assertThat(longer.get("transactions").get(i)).isEqualTo(shorter.get("transactions").get(i));
    }
  }

  @Test
  void finishedFeedRefusesMore() {
    TransactionFeed feed = DATA.transactions("c-0001", 0).orElseThrow();
    drain(feed);
    assertThatThrownBy(feed::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void amountsKeepTwoDecimals() {
    assertThat(DemoData.amount(-1250)).isEqualTo("-12.50");
    assertThat(DemoData.amount(5)).isEqualTo("0.05");
    assertThat(DemoData.amount(-7)).isEqualTo("-0.07");
    assertThat(DemoData.amount(123456)).isEqualTo("1234.56");
  }
}
