package io.airlock.gateway.grant;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.airlock.gateway.config.SecretValues;
import io.airlock.policy.config.GrantsConfig;
import io.airlock.policy.config.SecretSource;
import io.airlock.policy.config.SigningSchedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The EC P-256 keys grants are signed and verified with. Every configured key is published in
 * JWKS and verifies (a key in the schedule only grants dated in its turn); which one signs at a
 * given instant is the {@link SigningSchedule} ({@code grants.activeKid} and each key's {@code
 * activeFrom}), so a new key is published before it signs and all nodes switch at the same
 * instant. Loaded once at start-up, so blocking file I/O is fine.
 */
public final class SigningKeys {
  private static final byte[] SELF_TEST = "airlock key self-test".getBytes(StandardCharsets.US_ASCII);

  private final SigningSchedule schedule;
  private final Map<String, ECKey> signingKeys;
  private final Map<String, ECKey> publicKeys;
  // one JWK Set per kid that signs, with that kid first
  private final Map<String, String> jwksBySigner;

  private SigningKeys(SigningSchedule schedule, List<ECKey> keys, Instant now) {
    Map<String, ECKey> byKid = new LinkedHashMap<>();
    Map<String, ECKey> signing = new LinkedHashMap<>();
    for (ECKey k : keys) {
      if (byKid.put(k.getKeyID(), k.toPublicJWK()) != null) {
        throw new SigningKeyException(null, "kid '" + k.getKeyID() + "' is configured twice");
      }
      if (k.isPrivate()) {
        signing.put(k.getKeyID(), k);
      }
    }
    for (SigningSchedule.Activation a : schedule.activations()) {
      if (!byKid.containsKey(a.kid())) {
        throw new SigningKeyException(
            null, "signing key '" + a.kid() + "' is not among the configured kids " + byKid.keySet());
      }
      // a key whose turn is over may be kept as its public half only; one that signs now or later may not
      if (schedule.signsAtOrAfter(a.kid(), now) && !signing.containsKey(a.kid())) {
        throw new SigningKeyException(
            null, "kid '" + a.kid() + "' has no private part ('d'): it " + (schedule.stateAt(a.kid(), now)
                == SigningSchedule.KeyState.ACTIVE ? "is active and signs grants" : "is scheduled to sign grants from " + a.from()));
      }
    }
    if (schedule.signingKidAt(now).isEmpty()) {
      throw new SigningKeyException(null, "no grant signing key is active at " + now + " (schedule: "
          + schedule.activations() + ")");
    }
    this.schedule = schedule;
    this.signingKeys = Collections.unmodifiableMap(signing);
    this.publicKeys = Collections.unmodifiableMap(byKid);
    Map<String, String> jwks = new HashMap<>();
    for (SigningSchedule.Activation a : schedule.activations()) {
      // the signer first, so a client that only reads the first key gets the one that signs now
      List<JWK> published = new ArrayList<>();
      published.add(byKid.get(a.kid()));
      byKid.forEach((kid, k) -> {
        if (!kid.equals(a.kid())) {
          published.add(k);
        }
      });
      jwks.put(a.kid(), new JWKSet(published).toString(true));
    }
    this.jwksBySigner = Map.copyOf(jwks);
  }

  /** As {@link #load(GrantsConfig, Instant)} at the current time. */
  public static SigningKeys load(GrantsConfig config) {
    return load(config, Instant.now());
  }

  /**
   * Loads (and in demo mode generates) the keys {@code grants.*} names.
   *
   * @param now a key that signs at or after this instant must have its private part, and one key
   *     must be active at it
   * @throws SigningKeyException naming the file or variable and the problem
   */
  public static SigningKeys load(GrantsConfig config, Instant now) {
    Objects.requireNonNull(config, "config");
    SigningSchedule schedule = config.schedule();
    List<ECKey> keys = new ArrayList<>();
    for (GrantsConfig.KeyRef ref : config.keys()) {
      boolean signs = schedule.signsAtOrAfter(ref.kid(), now);
      if (signs && config.generateDir().isPresent() && ref.source() instanceof SecretSource.FromFile f
          && !Files.exists(f.path())) {
        keys.add(generate(ref.kid(), f.path(), config.generateDir().get()));
      } else {
        keys.add(read(ref, signs));
      }
    }
    return new SigningKeys(schedule, keys, now);
  }

  /** Keys already in memory (tests, tools), {@code activeKid} signing; the same checks as {@link #load} except file ones. */
  public static SigningKeys of(String activeKid, List<ECKey> keys) {
    for (ECKey k : keys) {
      check(null, k, k.getKeyID(), k.getKeyID().equals(activeKid));
    }
    return new SigningKeys(
        new SigningSchedule(List.of(new SigningSchedule.Activation(activeKid, SigningSchedule.ALWAYS))), keys, Instant.now());
  }

  /** Which key signs when. */
  public SigningSchedule schedule() {
    return schedule;
  }

  /** The kid that signs a grant issued at {@code t}. */
  public Optional<String> signingKidAt(Instant t) {
    return schedule.signingKidAt(t);
  }

  /** The private key of {@code kid}; only the signer needs it. */
  ECKey privateKey(String kid) {
    ECKey k = signingKeys.get(kid);
    if (k == null) {
      throw new SigningKeyException(null, "kid '" + kid + "' has no private part to sign with");
    }
    return k;
  }

  /** Kids whose private part is loaded. */
  Set<String> signingKids() {
    return signingKeys.keySet();
  }

  /** Public parts of every configured key, by kid (signing, scheduled and previous). */
  public Map<String, ECKey> publicKeys() {
    return publicKeys;
  }

  /**
   * The public JWK Set served at {@code GET /.well-known/jwks.json}: every configured key, the
   * one signing at {@code t} first; no private parts.
   */
  public String jwksJson(Instant t) {
    return jwksBySigner.get(schedule.signingKidAt(t).orElse(schedule.activations().get(0).kid()));
  }

  private static ECKey read(GrantsConfig.KeyRef ref, boolean signs) {
    String text;
    Path file = ref.source() instanceof SecretSource.FromFile f ? f.path() : null;
    String where = ref.source().describe();
    try {
      text = SecretValues.read(ref.source());
    } catch (NoSuchFileException e) {
      throw new SigningKeyException(file, "does not exist (kid '" + ref.kid() + "')");
    } catch (IOException e) {
      throw new SigningKeyException(file, "cannot be read: " + e.getClass().getSimpleName(), e);
    }
    JWK jwk;
    try {
      jwk = JWK.parse(text);
    } catch (ParseException e) {
      // Nimbus parse messages name fields, not values, so they are safe to show.
      throw new SigningKeyException(file, (file == null ? where + " (kid '" + ref.kid() + "') " : "")
          + "is not a valid JWK: " + e.getMessage());
    }
    if (!(jwk instanceof ECKey ec)) {
      throw new SigningKeyException(file, (file == null ? where + " " : "")
          + "holds a " + jwk.getKeyType() + " key; grants need an EC P-256 key");
    }
    try {
      check(file, ec, ref.kid(), signs);
    } catch (SigningKeyException e) {
      throw file != null ? e : new SigningKeyException(null, where + ": " + e.getMessage());
    }
    return ec;
  }

  private static void check(Path file, ECKey key, String expectedKid, boolean active) {
    if (!Curve.P_256.equals(key.getCurve())) {
      throw new SigningKeyException(
          file, "curve is " + key.getCurve() + "; grants are ES256 and need P-256");
    }
    if (key.getKeyID() == null) {
      throw new SigningKeyException(file, "has no kid; expected '" + expectedKid + "'");
    }
    if (!key.getKeyID().equals(expectedKid)) {
      throw new SigningKeyException(
          file, "kid is '" + key.getKeyID() + "' but the config names it '" + expectedKid + "'");
    }
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      throw new SigningKeyException(file, "use is '" + key.getKeyUse() + "'; expected 'sig'");
    }
    if (key.getAlgorithm() != null && !JWSAlgorithm.ES256.equals(key.getAlgorithm())) {
      throw new SigningKeyException(file, "alg is '" + key.getAlgorithm() + "'; expected ES256");
    }
    // Previous kids only verify, so an operator may keep just their public half after rotating;
    // a key that signs now or later must have its private part.
    if (active && !key.isPrivate()) {
      throw new SigningKeyException(
          file, "has no private part ('d'); kid '" + expectedKid + "' signs grants now or is scheduled to");
    }
    if (key.isPrivate()) {
      selfTest(file, key);
    }
  }

  /** A 'd' that does not belong to 'x','y' would sign grants no node accepts: catch it at start. */
  private static void selfTest(Path file, ECKey key) {
    try {
      JWSHeader header = new JWSHeader(JWSAlgorithm.ES256);
      var sig = new ECDSASigner(key).sign(header, SELF_TEST);
      if (!new ECDSAVerifier(key.toPublicJWK()).verify(header, SELF_TEST, sig)) {
        throw new SigningKeyException(file, "private part does not match its public part");
      }
    } catch (JOSEException e) {
      throw new SigningKeyException(file, "is not a usable ES256 key: " + e.getMessage());
    }
  }

  private static ECKey generate(String kid, Path configured, Path generateDir) {
    Path file = configured.toAbsolutePath().normalize();
    Path dir = generateDir.toAbsolutePath().normalize();
    if (!file.startsWith(dir)) {
      // A typo in a production path must not silently mint a fresh key somewhere else.
      throw new SigningKeyException(
          configured, "does not exist and is outside grants.generateDir " + generateDir);
    }
    ECKey key;
    try {
      key =
          new ECKeyGenerator(Curve.P_256)
              .keyID(kid)
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.ES256)
              .generate();
    } catch (JOSEException e) {
      throw new SigningKeyException(configured, "cannot generate a P-256 key: " + e.getMessage(), e);
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      createOwnerOnly(tmp);
      Files.writeString(tmp, key.toJSONString(), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file);
      }
    } catch (FileAlreadyExistsException e) {
      throw new SigningKeyException(configured, "appeared while being generated; start again");
    } catch (IOException e) {
      throw new SigningKeyException(
          configured, "cannot be written: " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
    }
    return key;
  }

  /** The file exists with 0600 before a byte of the private key is written into it. */
  private static void createOwnerOnly(Path file) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
  }
}
