package io.airlock.policy.mask;

import static com.fasterxml.jackson.core.JsonTokenId.ID_END_ARRAY;
import static com.fasterxml.jackson.core.JsonTokenId.ID_END_OBJECT;
import static com.fasterxml.jackson.core.JsonTokenId.ID_FALSE;
import static com.fasterxml.jackson.core.JsonTokenId.ID_FIELD_NAME;
import static com.fasterxml.jackson.core.JsonTokenId.ID_NULL;
import static com.fasterxml.jackson.core.JsonTokenId.ID_NUMBER_FLOAT;
import static com.fasterxml.jackson.core.JsonTokenId.ID_NUMBER_INT;
import static com.fasterxml.jackson.core.JsonTokenId.ID_START_ARRAY;
import static com.fasterxml.jackson.core.JsonTokenId.ID_START_OBJECT;
import static com.fasterxml.jackson.core.JsonTokenId.ID_STRING;
import static com.fasterxml.jackson.core.JsonTokenId.ID_TRUE;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.io.SerializedString;
import io.airlock.policy.mask.MaskingException.Kind;
import io.airlock.policy.mask.MaskingProfile.FieldRule;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Masks one JSON response body while it streams: bytes in, masked bytes out after every {@link
 * #feed}, memory bounded by the largest single token whatever the body size. One instance per
 * response, not thread-safe. Build a {@link Template} once per (profile, grant) and call {@link
 * Template#newMasker()} per response to skip recompiling the profile.
 *
 * <h2>Input</h2>
 *
 * Exactly one JSON value (object, array or scalar), optionally surrounded by whitespace. Malformed
 * JSON, non-whitespace after the value, nesting deeper than the profile's {@code maxDepth}, a
 * string/field name/number over the {@link MaskingOptions} limits, or a body that ends early all
 * raise {@link MaskingException}; the masker is then dead and every later call throws again. What
 * was emitted before the error is valid masked output so far: a scalar is written only after it was
 * fully read and decided, so no unmasked sensitive value ever leaves before its verdict.
 *
 * <h2>Which rule applies to a value</h2>
 *
 * <ul>
 *   <li>Field names are compared after JSON unescaping and case-insensitively, folded with {@link
 *       java.util.Locale#ROOT} (so {@code "\u0073sn"}, {@code "SSN"} and {@code "ssn"} are one name,
 *       whatever the default locale).
 *   <li>A value's rule is the path rule for its position, else the field-name rule of its own field;
 *       an array element has no name of its own and inherits the rule of its array (path or field),
 *       through nested arrays too. The root value only has path rule {@code $}.
 *   <li>A value matching no rule is "unlisted": in {@code ALLOW} mode an unlisted string or number
 *       becomes {@code "[redacted]"}; in {@code BLOCK} mode it is shown. Containers are always
 *       descended, so only scalar leaves need to be listed {@code clear}.
 *   <li>A classified field whose value is a container: every scalar inside is masked with that
 *       class. A value is shown in clear only if the grant unmasks every class it belongs to (its
 *       own and those of the containers around it); otherwise the innermost masked class decides the
 *       strategy. Inside a container whose class the grant unmasks, unlisted scalars are shown.
 *   <li>{@link FieldClass#SECRET}, anywhere, and a masked class whose strategy is {@code DROP}:
 *       the field is removed from its object (whatever its value, container or null included) or the
 *       array element becomes {@code null}; a dropped root becomes {@code null}.
 *   <li>Booleans and null are never sensitive and are shown as they are, unlisted ones in ALLOW mode
 *       included: redacting {@code true} would hide nothing and break clients' types.
 *   <li>Detectors (card, IBAN, SSN) run on every string or integer that would otherwise be shown in
 *       clear, clear-listed fields included. First on the whole value (surrounding whitespace
 *       ignored; integers only this way): a match masks the value with its class's strategy unless
 *       the grant unmasks that class. A string that no detector matches whole is then searched for
 *       card numbers, SSNs and IBANs written inside it ({@link FreeText}): each span found is masked
 *       in place with its class's strategy ({@code LAST4} stars all but the span's last four
 *       characters, {@code REDACT} and {@code EMAIL} put {@code [redacted]} in its place, {@code
 *       HMAC} the span's token) and the rest of the text is kept; a span whose class the grant
 *       unmasks is left as it is, and one whose strategy is {@code DROP} drops the whole value. Any
 *       Luhn-valid run of 13-19 digits in text is masked, an order number included: a checksum is
 *       all that tells it from a card. Field names are not masked.
 *   <li>Duplicate keys: each occurrence is decided on its own.
 * </ul>
 *
 * <h2>Output</h2>
 *
 * Valid JSON with the input's shape, except for drops. Masked values are always JSON strings (a
 * card number given as a number becomes a string). Clear values are re-encoded by Jackson: their
 * escapes may be spelled differently, their meaning is unchanged. Strategies: {@code LAST4}
 * keeps the last four characters and stars the rest (four or fewer: all stars); {@code EMAIL} keeps
 * the first character of the local part and of the domain, and the top-level label ({@code
 * j***@e***.com}), anything that is not an address is redacted; {@code REDACT} gives {@code
 * "[redacted]"}; {@code HMAC} gives {@code "h:"} and the first 16 characters of unpadded base64url
 * HMAC-SHA-256(key, agent NUL class NUL value).
 */
public final class StreamingMasker {

  private static final SerializedString REDACTED = new SerializedString("[redacted]");
  private static final FieldClass[] CLASSES = FieldClass.values();

  private final Template t;
  private final JsonParser parser;
  private final ByteArrayFeeder feeder;
  private final SinkStream sinkStream = new SinkStream();
  private final JsonGenerator gen;

  // frame i describes the container at depth i (1 = root container)
  private int depth;
  private boolean[] isArray = new boolean[16];
  private FieldRule[] elementRule = new FieldRule[16];
  private PathNode[] pathAt = new PathNode[16];
  private FieldClass[] maskedAt = new FieldClass[16];
  private boolean[] clearAt = new boolean[16];

  private String pendingName;
  private NameInfo pendingInfo;
  private int skipDepth;
  private boolean done;
  private boolean closed;
  private MaskingException failure;
  private char[] buf = new char[64];
  private FreeText freeText;
  private Mac mac;

  private StreamingMasker(Template t) {
    this.t = t;
    try {
      this.parser = t.factory.createNonBlockingByteArrayParser();
      this.gen = t.factory.createGenerator(sinkStream);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create JSON parser", e);
    }
    this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
  }

  /** Compiles the profile and options and returns a masker for one response. */
  public static StreamingMasker create(MaskingProfile profile, MaskingOptions options) {
    return new Template(profile, options).newMasker();
  }

  /** A reusable, thread-safe compiled form of (profile, options). */
  public static Template template(MaskingProfile profile, MaskingOptions options) {
    return new Template(profile, options);
  }

  /**
   * Masks the next chunk of the body and writes whatever masked output is ready to {@code out}
   * before returning. {@code b} may be reused by the caller once this returns.
   */
  public void feed(byte[] b, int off, int len, ByteSink out) throws MaskingException {
    ensureUsable();
    if (len == 0) {
      return;
    }
    sinkStream.sink = out;
    try {
      feeder.feedInput(b, off, off + len);
      drain();
      gen.flush();
    } catch (MaskingException e) {
      throw fail(e);
    } catch (StreamConstraintsException e) {
      throw fail(new MaskingException(constraintKind(e), offset()));
    } catch (IOException e) {
      throw fail(new MaskingException(Kind.MALFORMED, offset()));
    } finally {
      sinkStream.sink = null;
    }
  }

  /** Ends the body: writes the last masked bytes, or throws if the JSON value is incomplete. */
  public void finish(ByteSink out) throws MaskingException {
    ensureUsable();
    sinkStream.sink = out;
    try {
      feeder.endOfInput();
      drain();
      if (!done) {
        throw new MaskingException(Kind.TRUNCATED, offset());
      }
      gen.flush();
    } catch (MaskingException e) {
      throw fail(e);
    } catch (StreamConstraintsException e) {
      throw fail(new MaskingException(constraintKind(e), offset()));
    } catch (JsonEOFException e) {
      throw fail(new MaskingException(Kind.TRUNCATED, offset()));
    } catch (IOException e) {
      throw fail(new MaskingException(Kind.MALFORMED, offset()));
    } finally {
      sinkStream.sink = null;
    }
    close();
  }

  private void ensureUsable() throws MaskingException {
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new IllegalStateException("masker already finished");
    }
  }

  private MaskingException fail(MaskingException e) {
    failure = e;
    close();
    return e;
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    sinkStream.sink = null;
    try {
      parser.close();
    } catch (IOException ignored) {
      // nothing is held open: closing only returns buffers
    }
    try {
      gen.close();
    } catch (IOException | RuntimeException ignored) {
      // the generator may be mid-structure after a failure; its bytes go nowhere
    }
  }

  private long offset() {
    try {
      return parser.currentLocation().getByteOffset();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static Kind constraintKind(StreamConstraintsException e) {
    String m = e.getMessage();
    return m != null && m.contains("nesting depth") ? Kind.TOO_DEEP : Kind.TOO_LARGE;
  }

  private void drain() throws IOException, MaskingException {
    JsonToken tok;
    while ((tok = parser.nextToken()) != JsonToken.NOT_AVAILABLE) {
      if (tok == null) {
        return;
      }
      if (done) {
        throw new MaskingException(Kind.TRAILING_DATA, offset());
      }
      int id = tok.id();
      // Jackson checks maxStringLength only when its per-thread recycled buffer grows, so a string
      // that fits a buffer left large by an earlier document (another template's higher limit)
      // would pass unchecked
      if (id == ID_STRING && parser.getTextLength() > t.maxString) {
        throw new MaskingException(Kind.TOO_LARGE, offset());
      }
      if (skipDepth > 0) {
        if (id == ID_START_OBJECT || id == ID_START_ARRAY) {
          skipDepth++;
        } else if ((id == ID_END_OBJECT || id == ID_END_ARRAY) && --skipDepth == 0 && depth == 0) {
          done = true;
        }
        continue;
      }
      switch (id) {
        case ID_FIELD_NAME -> {
          pendingName = parser.currentName();
          pendingInfo = t.name(pendingName);
        }
        case ID_END_OBJECT -> {
          gen.writeEndObject();
          pop();
        }
        case ID_END_ARRAY -> {
          gen.writeEndArray();
          pop();
        }
        default -> value(id);
      }
    }
  }

  private void pop() {
    if (--depth == 0) {
      done = true;
    }
  }

  private void value(int id) throws IOException, MaskingException {
    final Template t = this.t;
    PathNode node;
    FieldRule rule;
    boolean inArray;
    if (depth == 0) {
      inArray = false;
      node = t.paths;
      rule = node == null ? null : node.rule;
    } else if (isArray[depth]) {
      inArray = true;
      PathNode pn = pathAt[depth];
      node = pn == null ? null : pn.anyIndex;
      rule = node != null && node.rule != null ? node.rule : elementRule[depth];
    } else {
      inArray = false;
      PathNode pn = pathAt[depth];
      node = pn == null ? null : pn.child(pendingName);
      rule = node != null && node.rule != null ? node.rule : pendingInfo.rule;
    }
    FieldClass cls = rule == null ? null : rule.fieldClass().orElse(null);
    boolean ownMasked = cls != null && !t.unmasked[cls.ordinal()];
    boolean container = id == ID_START_OBJECT || id == ID_START_ARRAY;
    if (cls == FieldClass.SECRET || (ownMasked && t.strategy[cls.ordinal()] == Strategy.DROP)) {
      drop(inArray, container);
      return;
    }
    if (container) {
      writeName();
      boolean array = id == ID_START_ARRAY;
      if (array) {
        gen.writeStartArray();
      } else {
        gen.writeStartObject();
      }
      FieldClass outerMasked = depth == 0 ? null : maskedAt[depth];
      boolean outerClear = depth != 0 && clearAt[depth];
      push(array, rule, node, ownMasked ? cls : outerMasked, outerClear || (cls != null && !ownMasked));
      return;
    }
    switch (id) {
      case ID_TRUE, ID_FALSE -> {
        writeName();
        gen.writeBoolean(id == ID_TRUE);
      }
      case ID_NULL -> {
        writeName();
        gen.writeNull();
      }
      default -> scalar(id, rule, cls, ownMasked, inArray);
    }
    if (depth == 0) {
      done = true;
    }
  }

  private void scalar(int id, FieldRule rule, FieldClass cls, boolean ownMasked, boolean inArray)
      throws IOException {
    final Template t = this.t;
    char[] c = parser.getTextCharacters();
    int off = parser.getTextOffset();
    int len = parser.getTextLength();
    FieldClass maskAs;
    if (ownMasked) {
      maskAs = cls;
    } else if (depth > 0 && maskedAt[depth] != null) {
      maskAs = maskedAt[depth];
    } else if (rule == null && t.allow && !(depth > 0 && clearAt[depth])) {
      writeName();
      gen.writeString(REDACTED);
      return;
    } else {
      Detector d = detect(id, c, off, len);
      if (d != null) {
        maskAs = t.unmasked[d.fieldClass().ordinal()] ? null : d.fieldClass();
      } else if (id == ID_STRING
          && len >= FreeText.MIN_LENGTH
          && t.detectAny
          && maskInside(c, off, len, inArray)) {
        return;
      } else {
        maskAs = null;
      }
    }
    if (maskAs == null) {
      writeName();
      if (id == ID_STRING) {
        gen.writeString(c, off, len);
      } else {
        gen.writeNumber(c, off, len);
      }
      return;
    }
    Strategy s = t.strategy[maskAs.ordinal()];
    if (s == Strategy.DROP) {
      drop(inArray, false);
      return;
    }
    writeName();
    switch (s) {
      case LAST4 -> last4(c, off, len);
      case EMAIL -> email(c, off, len);
      case HMAC -> hmac(maskAs, c, off, len);
      default -> gen.writeString(REDACTED);
    }
  }

  /** The detector that matches the whole value, if any. */
  private Detector detect(int id, char[] c, int off, int len) {
    final Template t = this.t;
    if (id == ID_STRING) {
      if (t.detectCard && Detection.isCard(c, off, len)) {
        return Detector.CARD;
      }
      if (t.detectSsn && Detection.isSsn(c, off, len)) {
        return Detector.SSN;
      }
      if (t.detectIban && Detection.isIban(c, off, len)) {
        return Detector.IBAN;
      }
    } else if (id == ID_NUMBER_INT && t.detectCard && Detection.isCard(c, off, len)) {
      return Detector.CARD;
    }
    return null;
  }

  /**
   * Masks the card numbers, SSNs and IBANs inside a shown string, each span with its class's
   * strategy, and writes the string; false (nothing written) if there is nothing to mask. A span
   * whose strategy is {@code DROP} drops the whole value, as it would a value that is only that.
   */
  private boolean maskInside(char[] c, int off, int len, boolean inArray) throws IOException {
    final Template t = this.t;
    if (freeText == null) {
      freeText = new FreeText();
    }
    FreeText f = freeText;
    int n = f.find(c, off, len, t.detectCard, t.detectSsn, t.detectIban);
    int masked = 0;
    for (int k = 0; k < n; k++) {
      int cls = f.detector(k).fieldClass().ordinal();
      if (!t.unmasked[cls]) {
        if (t.strategy[cls] == Strategy.DROP) {
          drop(inArray, false);
          return true;
        }
        masked++;
      }
    }
    if (masked == 0) {
      return false;
    }
    // a span is at least 11 chars and its replacement at most 18 ("h:" and a 16-char token)
    char[] o = buf(len + masked * 8);
    int p = 0;
    int from = off;
    for (int k = 0; k < n; k++) {
      FieldClass cls = f.detector(k).fieldClass();
      if (t.unmasked[cls.ordinal()]) {
        continue;
      }
      int s = f.start(k);
      int e = f.end(k);
      System.arraycopy(c, from, o, p, s - from);
      p += s - from;
      switch (t.strategy[cls.ordinal()]) {
        case LAST4 -> {
          // spans hold only BMP digits, separators and format characters: no surrogate pair
          // is split
          Arrays.fill(o, p, p + e - s - 4, '*');
          System.arraycopy(c, e - 4, o, p + e - s - 4, 4);
          p += e - s;
        }
        case HMAC -> {
          String token = hmacToken(cls, c, s, e - s);
          token.getChars(0, token.length(), o, p);
          p += token.length();
        }
        default -> {
          // REDACT, and EMAIL, which redacts anything that is not an address
          String r = REDACTED.getValue();
          r.getChars(0, r.length(), o, p);
          p += r.length();
        }
      }
      from = e;
    }
    System.arraycopy(c, from, o, p, off + len - from);
    p += off + len - from;
    writeName();
    gen.writeString(o, 0, p);
    return true;
  }

  private void drop(boolean inArray, boolean container) throws IOException {
    if (inArray || depth == 0) {
      gen.writeNull();
    } else {
      pendingName = null;
    }
    if (container) {
      skipDepth = 1;
    } else if (depth == 0) {
      done = true;
    }
  }

  private void writeName() throws IOException {
    if (pendingName != null) {
      gen.writeFieldName(pendingInfo.encoded);
      pendingName = null;
    }
  }

  private void push(
      boolean array, FieldRule rule, PathNode node, FieldClass masked, boolean classifiedClear)
      throws MaskingException {
    if (depth >= t.maxDepth) {
      throw new MaskingException(Kind.TOO_DEEP, offset());
    }
    int d = ++depth;
    if (d == isArray.length) {
      int n = d * 2;
      isArray = Arrays.copyOf(isArray, n);
      elementRule = Arrays.copyOf(elementRule, n);
      pathAt = Arrays.copyOf(pathAt, n);
      maskedAt = Arrays.copyOf(maskedAt, n);
      clearAt = Arrays.copyOf(clearAt, n);
    }
    isArray[d] = array;
    elementRule[d] = array ? rule : null;
    pathAt[d] = node;
    maskedAt[d] = masked;
    clearAt[d] = classifiedClear;
  }

  private char[] buf(int n) {
    if (buf.length < n) {
      buf = new char[Math.max(n, buf.length * 2)];
    }
    return buf;
  }

  private void last4(char[] c, int off, int len) throws IOException {
    int start = off;
    int end = off + len;
    while (start < end && c[start] <= ' ') {
      start++;
    }
    while (end > start && c[end - 1] <= ' ') {
      end--;
    }
    int n = end - start;
    int keepFrom = n <= 4 ? n : n - 4;
    // never split a surrogate pair: star its low half too
    if (keepFrom < n && Character.isLowSurrogate(c[start + keepFrom])) {
      keepFrom++;
    }
    char[] o = buf(n);
    Arrays.fill(o, 0, keepFrom, '*');
    System.arraycopy(c, start + keepFrom, o, keepFrom, n - keepFrom);
    gen.writeString(o, 0, n);
  }

  private void email(char[] c, int off, int len) throws IOException {
    int start = off;
    int end = off + len;
    while (start < end && c[start] <= ' ') {
      start++;
    }
    while (end > start && c[end - 1] <= ' ') {
      end--;
    }
    int at = -1;
    for (int i = start; i < end; i++) {
      char ch = c[i];
      if (ch <= ' ') {
        gen.writeString(REDACTED);
        return;
      }
      if (ch == '@') {
        at = i;
      }
    }
    int firstDot = -1;
    int lastDot = -1;
    for (int i = at + 1; at > 0 && i < end; i++) {
      if (c[i] == '.') {
        if (firstDot < 0) {
          firstDot = i;
        }
        lastDot = i;
      }
    }
    if (at <= start || firstDot <= at + 1 || lastDot >= end - 1) {
      gen.writeString(REDACTED);
      return;
    }
    int localFirst = Character.isHighSurrogate(c[start]) && start + 1 < at ? 2 : 1;
    int domainFirst = Character.isHighSurrogate(c[at + 1]) && at + 2 < firstDot ? 2 : 1;
    int tld = end - lastDot;
    char[] o = buf(localFirst + domainFirst + 7 + tld);
    int p = 0;
    for (int i = 0; i < localFirst; i++) {
      o[p++] = c[start + i];
    }
    o[p++] = '*';
    o[p++] = '*';
    o[p++] = '*';
    o[p++] = '@';
    for (int i = 0; i < domainFirst; i++) {
      o[p++] = c[at + 1 + i];
    }
    o[p++] = '*';
    o[p++] = '*';
    o[p++] = '*';
    System.arraycopy(c, lastDot, o, p, tld);
    p += tld;
    gen.writeString(o, 0, p);
  }

  private void hmac(FieldClass cls, char[] c, int off, int len) throws IOException {
    gen.writeString(hmacToken(cls, c, off, len));
  }

  private String hmacToken(FieldClass cls, char[] c, int off, int len) {
    if (mac == null) {
      mac = t.newMac();
    }
    mac.update(t.agentPrefix);
    mac.update(t.classPrefix[cls.ordinal()]);
    mac.update(new String(c, off, len).getBytes(StandardCharsets.UTF_8));
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
    return "h:" + token.substring(0, 16);
  }

  /** A field name's rule and its pre-encoded JSON form. */
  record NameInfo(SerializedString encoded, FieldRule rule) {}

  /** Forwards the generator's buffer to the sink of the current call; drops it outside calls. */
  private static final class SinkStream extends OutputStream {
    ByteSink sink;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (sink != null && len > 0) {
        sink.write(b, off, len);
      }
    }
  }

  /**
   * The compiled (profile, options) pair: rule tables, strategies, limits and HMAC key. Immutable
   * and thread-safe; cheap to keep per route and grant.
   */
  public static final class Template {
    private static final int MAX_CACHED_FACTORIES = 64;
    // factories are costly to build and carry the shared field-name symbol table; limits rarely vary
    private static final Map<Limits, JsonFactory> FACTORIES = new ConcurrentHashMap<>();

    private static final int MAX_CACHED_NAMES = 4096;
    private final Map<String, NameInfo> names = new ConcurrentHashMap<>();
    final boolean allow;
    final NameTable<FieldRule> fields;
    final PathNode paths;
    final Strategy[] strategy = new Strategy[CLASSES.length];
    final boolean[] unmasked = new boolean[CLASSES.length];
    final boolean detectCard;
    final boolean detectIban;
    final boolean detectSsn;
    final boolean detectAny;
    final int maxDepth;
    final int maxString;
    final JsonFactory factory;
    final byte[] agentPrefix;
    final byte[][] classPrefix = new byte[CLASSES.length][];
    private final SecretKeySpec key;
    private final Mac prototype;

    private Template(MaskingProfile profile, MaskingOptions options) {
      allow = profile.mode() == MaskingProfile.Mode.ALLOW;
      fields = new NameTable<>(profile.fields());
      paths = PathNode.compile(profile.paths());
      for (FieldClass c : CLASSES) {
        strategy[c.ordinal()] = profile.strategyFor(c);
        unmasked[c.ordinal()] = c != FieldClass.SECRET && options.unmask().contains(c);
        classPrefix[c.ordinal()] = (c.code() + '\0').getBytes(StandardCharsets.UTF_8);
      }
      Set<Detector> d = profile.detectors();
      detectCard = d.contains(Detector.CARD);
      detectIban = d.contains(Detector.IBAN);
      detectSsn = d.contains(Detector.SSN);
      detectAny = !d.isEmpty();
      maxDepth = profile.maxDepth();
      maxString = options.maxStringLength();
      factory = factory(new Limits(options.maxStringLength(), options.maxNumberLength(), maxDepth));
      agentPrefix = (options.agent() + '\0').getBytes(StandardCharsets.UTF_8);
      key = new SecretKeySpec(options.hmacKey(), "HmacSHA256");
      try {
        prototype = Mac.getInstance("HmacSHA256");
        prototype.init(key);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 unavailable", e);
      }
    }

    /**
     * Field names from the parser are canonical instances shared by every parser of the factory,
     * so a cache keyed by them turns rule lookup and name encoding into one probe. Bounded: a
     * backend inventing keys cannot grow it without limit.
     */
    NameInfo name(String n) {
      NameInfo i = names.get(n);
      if (i == null) {
        i = new NameInfo(new SerializedString(n), fields.get(n));
        if (names.size() < MAX_CACHED_NAMES) {
          names.putIfAbsent(n, i);
        }
      }
      return i;
    }

    public StreamingMasker newMasker() {
      return new StreamingMasker(this);
    }

    Mac newMac() {
      try {
        return (Mac) prototype.clone();
      } catch (CloneNotSupportedException e) {
        try {
          Mac m = Mac.getInstance("HmacSHA256");
          m.init(key);
          return m;
        } catch (GeneralSecurityException ex) {
          throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
      }
    }

    private static JsonFactory factory(Limits l) {
      JsonFactory f = FACTORIES.get(l);
      if (f != null) {
        return f;
      }
      f = new JsonFactoryBuilder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxStringLength(l.maxString)
              .maxNameLength(l.maxString)
              .maxNumberLength(l.maxNumber)
              .maxNestingDepth(l.maxDepth)
              .build())
          .streamWriteConstraints(
              StreamWriteConstraints.builder().maxNestingDepth(l.maxDepth).build())
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
          // emit non-BMP characters as UTF-8 rather than as escaped surrogate pairs
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .build();
      if (FACTORIES.size() < MAX_CACHED_FACTORIES) {
        JsonFactory prev = FACTORIES.putIfAbsent(l, f);
        return prev == null ? f : prev;
      }
      return f;
    }

    private record Limits(int maxString, int maxNumber, int maxDepth) {}
  }
}
