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
import io.airlock.policy.config.GrantsConfig;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The EC P-256 keys grants are signed and verified with: one active kid that signs, previous kids
 * that still verify during a rotation. Loaded once at start-up, so blocking file I/O is fine.
 */
public final class SigningKeys {
  private static final byte[] SELF_TEST = "airlock key self-test".getBytes(StandardCharsets.US_ASCII);

  private final String activeKid;
  private final ECKey activeKey;
  private final Map<String, ECKey> publicKeys;
  private final String jwksJson;

  private SigningKeys(String activeKid, List<ECKey> keys) {
    Map<String, ECKey> byKid = new LinkedHashMap<>();
    ECKey active = null;
    for (ECKey k : keys) {
      if (byKid.put(k.getKeyID(), k.toPublicJWK()) != null) {
        throw new SigningKeyException(null, "kid '" + k.getKeyID() + "' is configured twice");
      }
      if (k.getKeyID().equals(activeKid)) {
        active = k;
      }
    }
    if (active == null) {
      throw new SigningKeyException(
          null, "activeKid '" + activeKid + "' is not among the configured kids " + byKid.keySet());
    }
    if (!active.isPrivate()) {
      throw new SigningKeyException(
          null, "active kid '" + activeKid + "' has no private part ('d'): it must sign grants");
    }
    this.activeKid = activeKid;
    this.activeKey = active;
    this.publicKeys = Collections.unmodifiableMap(byKid);
    // Active first, so a client that only reads the first key still gets the one that signs now.
    List<JWK> published = new ArrayList<>();
    published.add(byKid.get(activeKid));
    byKid.forEach((kid, k) -> {
      if (!kid.equals(activeKid)) {
        published.add(k);
      }
    });
    this.jwksJson = new JWKSet(published).toString(true);
  }

  /**
   * Loads (and in demo mode generates) the keys {@code grants.*} names.
   *
   * @throws SigningKeyException naming the file and the problem
   */
  public static SigningKeys load(GrantsConfig config) {
    Objects.requireNonNull(config, "config");
    List<ECKey> keys = new ArrayList<>();
    boolean activeListed = false;
    for (GrantsConfig.KeyRef ref : config.keys()) {
      boolean active = ref.kid().equals(config.activeKid());
      activeListed |= active;
      if (active && config.generateDir().isPresent() && !Files.exists(ref.file())) {
        keys.add(generate(ref, config.generateDir().get()));
      } else {
        keys.add(read(ref, active));
      }
    }
    if (!activeListed) {
      throw new SigningKeyException(
          null,
          "grants.activeKid '" + config.activeKid() + "' is not among grants.keys "
              + config.keys().stream().map(GrantsConfig.KeyRef::kid).toList());
    }
    return new SigningKeys(config.activeKid(), keys);
  }

  /** Keys already in memory (tests, tools); the same checks as {@link #load} except file ones. */
  public static SigningKeys of(String activeKid, List<ECKey> keys) {
    for (ECKey k : keys) {
      check(null, k, k.getKeyID(), k.getKeyID().equals(activeKid));
    }
    return new SigningKeys(activeKid, keys);
  }

  public String activeKid() {
    return activeKid;
  }

  /** The active private key; only the signer needs it. */
  ECKey activeKey() {
    return activeKey;
  }

  /** Public parts of every configured key, by kid (active and previous). */
  public Map<String, ECKey> publicKeys() {
    return publicKeys;
  }

  /** The public JWK Set served at {@code GET /.well-known/jwks.json}: no private parts. */
  public String jwksJson() {
    return jwksJson;
  }

  private static ECKey read(GrantsConfig.KeyRef ref, boolean active) {
    Path file = ref.file();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
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
      throw new SigningKeyException(file, "is not a valid JWK: " + e.getMessage());
    }
    if (!(jwk instanceof ECKey ec)) {
      throw new SigningKeyException(
          file, "holds a " + jwk.getKeyType() + " key; grants need an EC P-256 key");
    }
    check(file, ec, ref.kid(), active);
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
    // the key that signs must have its private part.
    if (active && !key.isPrivate()) {
      throw new SigningKeyException(
          file, "has no private part ('d'); kid '" + expectedKid + "' is active and signs grants");
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

  private static ECKey generate(GrantsConfig.KeyRef ref, Path generateDir) {
    Path file = ref.file().toAbsolutePath().normalize();
    Path dir = generateDir.toAbsolutePath().normalize();
    if (!file.startsWith(dir)) {
      // A typo in a production path must not silently mint a fresh key somewhere else.
      throw new SigningKeyException(
          ref.file(), "does not exist and is outside grants.generateDir " + generateDir);
    }
    ECKey key;
    try {
      key =
          new ECKeyGenerator(Curve.P_256)
              .keyID(ref.kid())
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.ES256)
              .generate();
    } catch (JOSEException e) {
      throw new SigningKeyException(ref.file(), "cannot generate a P-256 key: " + e.getMessage(), e);
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
      throw new SigningKeyException(ref.file(), "appeared while being generated; start again");
    } catch (IOException e) {
      throw new SigningKeyException(
          ref.file(), "cannot be written: " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
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
