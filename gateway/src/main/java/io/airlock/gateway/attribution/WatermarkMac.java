package io.airlock.gateway.attribution;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC that makes {@code X-Airlock-Watermark} attributable: HMAC-SHA-256 with the server's
 * watermark key over {@code agent|ticket|grant|node|at}, truncated to 16 bytes, base64url. A
 * watermark copied off a screen can be checked ({@code airlock watermark verify}); one that was
 * edited or made up cannot pass.
 */
public final class WatermarkMac {
  /** The fields, in header order, before {@code mac}. */
  public static final List<String> FIELDS = List.of("agent", "ticket", "grant", "node", "at");

  static final int MAC_BYTES = 16;

  private final SecretKeySpec key;

  public WatermarkMac(byte[] watermarkKey) {
    this.key = new SecretKeySpec(watermarkKey, "HmacSHA256");
  }

  /**
   * The MAC of field values (none may contain {@code |}, {@code ;} or {@code =}: the watermark
   * writer replaces them).
   */
  public String mac(List<String> values) {
    Mac m;
    try {
      m = Mac.getInstance("HmacSHA256");
      m.init(key);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
    byte[] full = m.doFinal(String.join("|", values).getBytes(StandardCharsets.UTF_8));
    byte[] cut = new byte[MAC_BYTES];
    System.arraycopy(full, 0, cut, 0, MAC_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(cut);
  }

  /** The whole header value for these field values. */
  public String stamp(List<String> values) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < FIELDS.size(); i++) {
      b.append(FIELDS.get(i)).append('=').append(values.get(i)).append("; ");
    }
    return b.append("mac=").append(mac(values)).toString();
  }

  /**
   * The fields of a watermark whose MAC is right, or empty: wrong MAC, fields missing, reordered
   * or added, or not a watermark at all.
   */
  public Optional<Map<String, String>> verify(String watermark) {
    String text = watermark.strip();
    if (text.regionMatches(true, 0, "X-Airlock-Watermark:", 0, 20)) {
      text = text.substring(20).strip();
    }
    String[] parts = text.split(";");
    if (parts.length != FIELDS.size() + 1) {
      return Optional.empty();
    }
    Map<String, String> fields = new LinkedHashMap<>();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      int eq = p.indexOf('=');
      String expected = i < FIELDS.size() ? FIELDS.get(i) : "mac";
      if (eq < 0 || !p.substring(0, eq).equals(expected)) {
        return Optional.empty();
      }
      String v = p.substring(eq + 1);
      if (i < FIELDS.size()) {
        values.add(v);
        fields.put(expected, v);
      } else {
        byte[] want = mac(values).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(want, v.getBytes(StandardCharsets.US_ASCII))) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(fields);
  }
}
