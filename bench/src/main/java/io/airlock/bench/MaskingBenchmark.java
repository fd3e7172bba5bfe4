package io.airlock.bench;

import dev.blaauwendraad.masker.json.JsonMasker;
import io.airlock.policy.mask.ByteSink;
import io.airlock.policy.mask.Detector;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.mask.MaskingException;
import io.airlock.policy.mask.MaskingOptions;
import io.airlock.policy.mask.MaskingProfile;
import io.airlock.policy.mask.MaskingProfile.FieldRule;
import io.airlock.policy.mask.StreamingMasker;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Airlock's streaming masker against json-masker on the demo client record (~2 KB) and on a ~10 MB
 * array of such records. MB/s = ops/s × the document size printed at setup ({@code bytes=}).
 *
 * <p>Airlock is fed in 8 KiB chunks, as the gateway receives them, with a new masker per document
 * from a template compiled once (per route and grant in the gateway). json-masker masks the whole
 * buffer by the same keys, without detectors, allow-listing or partial strategies: the ratio is
 * what streaming and the richer rules cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MaskingBenchmark {

  static final String RECORD_HEAD =
      "{\"id\":\"c-0001\",\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
          + "\"phone\":\"+44 20 7946 0001\",\"ssn\":\"123-45-6789\",\"dob\":\"1985-03-02\","
          + "\"address\":{\"street\":\"1 High St\",\"city\":\"London\",\"postcode\":\"N1 9GU\","
          + "\"country\":\"GB\"},\"iban\":\"GB82WEST12345698765432\","
          + "\"card\":{\"number\":\"4111111111111111\",\"expiry\":\"12/29\",\"brand\":\"visa\"},"
          + "\"kyc\":{\"status\":\"verified\",\"documents\":[";
  static final String DOCUMENT =
      "{\"type\":\"passport\",\"number\":\"P1234567\",\"issuer\":\"GB\",\"expires\":\"2031-01-01\"}";
  static final String BALANCE = "{\"currency\":\"EUR\",\"amount\":\"1234.56\"}";
  static final String RECORD_TAIL =
      "\"twoFactorSecret\":\"JBSWY3DPEHPK3PXP\",\"notes\":\"called about card\","
          + "\"status\":\"active\",\"createdAt\":\"2024-01-01T10:00:00Z\",\"riskScore\":12}";

  /** The demo record padded with documents and balances to about 2 KB. */
  static String record() {
    StringBuilder sb = new StringBuilder(RECORD_HEAD);
    for (int i = 0; i < 8; i++) {
      sb.append(i == 0 ? "" : ",").append(DOCUMENT);
    }
    sb.append("]},\"balances\":[");
    for (int i = 0; i < 24; i++) {
      sb.append(i == 0 ? "" : ",").append(BALANCE);
    }
    return sb.append("],").append(RECORD_TAIL).toString();
  }

  static MaskingProfile profile() {
    Map<String, FieldRule> fields = new HashMap<>();
    for (String clear : new String[] {"id", "name", "status", "type", "issuer", "expires",
        "currency", "amount", "notes", "createdat", "riskscore"}) {
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
    return new MaskingProfile("clients", MaskingProfile.Mode.ALLOW, fields,
        Map.of("$.kyc.documents[*].number", FieldRule.of(FieldClass.DOCUMENT)),
        EnumSet.allOf(Detector.class), Map.of(), MaskingProfile.DEFAULT_MAX_DEPTH);
  }

  /** The keys json-masker masks: the classified ones of the profile. */
  static final Set<String> MASK_KEYS = Set.of(
      "email", "phone", "ssn", "dob", "address", "iban", "card", "twoFactorSecret", "number");

  @Param({"record-2k", "list-10m"})
  public String doc;

  private byte[] input;
  private StreamingMasker.Template template;
  private JsonMasker jsonMasker;
  private final Count sink = new Count();

  @Setup
  public void setup() throws MaskingException {
    String rec = record();
    if (doc.equals("record-2k")) {
      input = rec.getBytes(StandardCharsets.UTF_8);
    } else {
      StringBuilder sb = new StringBuilder(10 * 1024 * 1024 + rec.length());
      sb.append('[');
      while (sb.length() < 10 * 1024 * 1024) {
        sb.append(sb.length() == 1 ? "" : ",").append(rec);
      }
      input = sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }
    template = StreamingMasker.template(profile(), MaskingOptions.of(
        Set.of(), "bench-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8), "alice"));
    jsonMasker = JsonMasker.getMasker(MASK_KEYS);
    System.out.println("\n# doc=" + doc + " bytes=" + input.length + " airlockOutBytes="
        + airlockStreaming() + " jsonMaskerOutBytes=" + jsonMasker().length);
  }

  @Benchmark
  public long airlockStreaming() throws MaskingException {
    StreamingMasker m = template.newMasker();
    Count out = sink;
    out.n = 0;
    byte[] in = input;
    for (int off = 0; off < in.length; off += 8192) {
      m.feed(in, off, Math.min(8192, in.length - off), out);
    }
    m.finish(out);
    return out.n;
  }

  @Benchmark
  public byte[] jsonMasker() {
    return jsonMasker.mask(input);
  }

  /** Counts bytes; the returned count keeps the work alive for JMH. */
  static final class Count implements ByteSink {
    long n;

    @Override
    public void write(byte[] b, int off, int len) {
      n += len;
    }
  }
}
