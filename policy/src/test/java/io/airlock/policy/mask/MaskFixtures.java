package io.airlock.policy.mask;

import io.airlock.policy.mask.MaskingProfile.FieldRule;
import io.airlock.policy.mask.MaskingProfile.Mode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The demo client record and profile, plus helpers to push bytes through a masker. */
final class MaskFixtures {
  private MaskFixtures() {}

  static final String DEMO_RECORD =
      "{\"id\":\"c-0001\",\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
          + "\"phone\":\"+44 20 7946 0001\",\"ssn\":\"123-45-6789\",\"dob\":\"1985-03-02\","
          + "\"address\":{\"street\":\"1 High St\",\"city\":\"London\",\"postcode\":\"N1 9GU\","
          + "\"country\":\"GB\"},\"iban\":\"GB82WEST12345698765432\","
          + "\"card\":{\"number\":\"4111111111111111\",\"expiry\":\"12/29\",\"brand\":\"visa\"},"
          + "\"kyc\":{\"status\":\"verified\",\"documents\":[{\"type\":\"passport\","
          + "\"number\":\"P1234567\",\"issuer\":\"GB\",\"expires\":\"2031-01-01\"}]},"
          + "\"balances\":[{\"currency\":\"EUR\",\"amount\":\"1234.56\"}],"
          + "\"twoFactorSecret\":\"JBSWY3DPEHPK3PXP\",\"notes\":\"called about card\","
          + "\"status\":\"active\",\"createdAt\":\"2024-01-01T10:00:00Z\",\"riskScore\":12}";

  /** Values of the demo record that no default grant may see. */
  static final String[] DEMO_SENSITIVE = {
    "ada@example.com", "+44 20 7946 0001", "123-45-6789", "1985-03-02", "1 High St",
    "GB82WEST12345698765432", "4111111111111111", "P1234567", "JBSWY3DPEHPK3PXP"
  };

  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  static MaskingProfile demoProfile(Mode mode) {
    return demoProfile(mode, Map.of());
  }

  static MaskingProfile demoProfile(Mode mode, Map<FieldClass, Strategy> strategies) {
    Map<String, FieldRule> fields = new HashMap<>();
    for (String clear :
        new String[] {
          "id", "name", "status", "type", "issuer", "expires", "currency", "amount", "notes",
          "createdat", "riskscore"
        }) {
      fields.put(clear, FieldRule.CLEAR);
    }
    fields.put("email", FieldRule.of(FieldClass.EMAIL));
    fields.put("phone", FieldRule.of(FieldClass.PHONE));
    fields.put("ssn", FieldRule.of(FieldClass.SSN));
    fields.put("dob", FieldRule.of(FieldClass.DOB));
    fields.put("address", FieldRule.of(FieldClass.ADDRESS));
    fields.put("iban", FieldRule.of(FieldClass.BANK));
    fields.put("card", FieldRule.of(FieldClass.CARD));
    fields.put("twofactorsecret", FieldRule.of(FieldClass.SECRET));
    Map<String, FieldRule> paths = Map.of(
        "$.kyc.documents[*].number", FieldRule.of(FieldClass.DOCUMENT),
        "$.card.number", FieldRule.of(FieldClass.CARD));
    return new MaskingProfile(
        "clients",
        mode,
        fields,
        paths,
        EnumSet.allOf(Detector.class),
        strategies,
        MaskingProfile.DEFAULT_MAX_DEPTH);
  }

  static MaskingOptions options(FieldClass... unmask) {
    Set<FieldClass> u = EnumSet.noneOf(FieldClass.class);
    u.addAll(java.util.List.of(unmask));
    return MaskingOptions.of(u, KEY, "alice");
  }

  /** Collects everything a masker emits. */
  static final class Collect implements ByteSink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  static String mask(MaskingProfile p, MaskingOptions o, String json) throws MaskingException {
    return mask(StreamingMasker.create(p, o), json.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
  }

  static String mask(StreamingMasker m, byte[] doc, int chunk) throws MaskingException {
    Collect out = new Collect();
    for (int i = 0; i < doc.length; i += chunk) {
      m.feed(doc, i, Math.min(chunk, doc.length - i), out);
    }
    m.finish(out);
    return out.text();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
