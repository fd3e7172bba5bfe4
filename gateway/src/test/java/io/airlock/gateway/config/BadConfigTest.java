package io.airlock.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One mistake per case, each in an otherwise valid config: the loader must name the file, the
 * key path and the problem, and report nothing else (a single mistake cascading into several
 * errors sends operators after ghosts).
 */
class BadConfigTest {

  record Case(String name, String file, String content, String errFile, String key, String fragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String AIRLOCK = ConfigFiles.AIRLOCK;
  private static final String ROUTES = ConfigFiles.ROUTES;
  private static final String MASKING = ConfigFiles.MASKING;
  private static final String FILE = ConfigError.WHOLE_FILE;

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "unknown key",
            "airlock.yaml",
            AIRLOCK + "dataPlane: { port: 8080, prot: 9 }\n",
            "airlock.yaml",
            "dataPlane.prot",
            "unknown key (allowed: host, port,"),
        new Case(
            "unknown top-level key",
            "routes.yaml",
            ROUTES + "route: []\n",
            "routes.yaml",
            "route",
            "unknown key (allowed: routes)"),
        new Case(
            "port of the wrong type",
            "airlock.yaml",
            AIRLOCK + "dataPlane: { port: \"abc\" }\n",
            "airlock.yaml",
            "dataPlane.port",
            "expected an integer, got text \"abc\""),
        new Case(
            "port out of range",
            "airlock.yaml",
            AIRLOCK + "controlPlane: { port: 70000 }\n",
            "airlock.yaml",
            "controlPlane.port",
            "70000 is out of range (allowed: 0 to 65535)"),
        new Case(
            "missing backend",
            "routes.yaml",
            ROUTES + "  - id: r2\n    path: /x/{client}\n    masking: p1\n",
            "routes.yaml",
            "routes[1].backend",
            "missing (required: base URL like http://127.0.0.1:9090)"),
        new Case(
            "backend not a URL",
            "routes.yaml",
            ROUTES.replace("http://127.0.0.1:9090", "\"not a url\""),
            "routes.yaml",
            "routes[0].backend",
            "not a valid URL"),
        new Case(
            "backend not http(s)",
            "routes.yaml",
            ROUTES.replace("http://127.0.0.1:9090", "ftp://127.0.0.1:9090"),
            "routes.yaml",
            "routes[0].backend",
            "must be an http:// or https:// URL"),
        new Case(
            "backend with credentials",
            "routes.yaml",
            ROUTES.replace("http://127.0.0.1:9090", "http://u:p@127.0.0.1:9090"),
            "routes.yaml",
            "routes[0].backend",
            "must not contain user info"),
        new Case(
            "invalid duration",
            "airlock.yaml",
            AIRLOCK + "revocation: { maxStaleness: 1 sec }\n",
            "airlock.yaml",
            "revocation.maxStaleness",
            "invalid duration \"1 sec\""),
        new Case(
            "maxStaleness zero",
            "airlock.yaml",
            AIRLOCK + "revocation: { maxStaleness: 0s }\n",
            "airlock.yaml",
            "revocation.maxStaleness",
            "must be greater than 0"),
        new Case(
            "maxStaleness over a minute",
            "airlock.yaml",
            AIRLOCK + "revocation: { maxStaleness: 61s }\n",
            "airlock.yaml",
            "revocation.maxStaleness",
            "61s is over the maximum of 1m"),
        new Case(
            "leeway over 30s",
            "airlock.yaml",
            AIRLOCK.replace("  activeKid: k1\n", "  activeKid: k1\n  leeway: 2m\n"),
            "airlock.yaml",
            "grants.leeway",
            "2m is over the maximum of 30s"),
        new Case(
            "size with a space",
            "airlock.yaml",
            AIRLOCK + "dataPlane: { maxRequestBodyBytes: 10 MB }\n",
            "airlock.yaml",
            "dataPlane.maxRequestBodyBytes",
            "invalid size \"10 MB\""),
        new Case(
            "empty issuer",
            "airlock.yaml",
            AIRLOCK.replace("http://127.0.0.1:8081", "\"\""),
            "airlock.yaml",
            "grants.issuer",
            "empty"),
        new Case(
            "activeKid not among keys",
            "airlock.yaml",
            AIRLOCK.replace("activeKid: k1", "activeKid: k2"),
            "airlock.yaml",
            "grants.activeKid",
            "'k2' is not among grants.keys (kids: k1)"),
        new Case(
            "key without file and no generate dir",
            "airlock.yaml",
            AIRLOCK.replace("      file: keys/k1.jwk.json\n", ""),
            "airlock.yaml",
            "grants.keys[0].file",
            "missing (required: grants.keys[0].file (a file) or grants.keys[0].env (an environment variable) holding the JWK"),
        new Case(
            "missing identity",
            "airlock.yaml",
            AIRLOCK.replace("identity:\n  mode: demo\n", ""),
            "airlock.yaml",
            "identity",
            "missing (required: mode: demo or oidc)"),
        new Case(
            "unknown identity mode",
            "airlock.yaml",
            AIRLOCK.replace("mode: demo", "mode: ldap"),
            "airlock.yaml",
            "identity.mode",
            "unknown mode 'ldap' (allowed: demo, oidc)"),
        new Case(
            "demo identity on a public control plane",
            "airlock.yaml",
            AIRLOCK + "controlPlane: { host: 0.0.0.0, tls: { certFile: cp.pem, keyFile: cp.key } }\n",
            "airlock.yaml",
            "identity.mode",
            "demo identity needs a loopback controlPlane.host"),
        new Case(
            "plain HTTP off loopback",
            "airlock.yaml",
            AIRLOCK + "dataPlane: { host: 10.1.2.3 }\n",
            "airlock.yaml",
            "dataPlane.tls",
            "plain HTTP is served only on a loopback host"),
        new Case(
            "route without {client}",
            "routes.yaml",
            ROUTES.replace("/clients/{client}", "/clients"),
            "routes.yaml",
            "routes[0].path",
            "has no {client} segment"),
        new Case(
            "route with {client} twice",
            "routes.yaml",
            ROUTES.replace("/clients/{client}", "/clients/{client}/peers/{client}"),
            "routes.yaml",
            "routes[0].path",
            "has {client} 2 times"),
        new Case(
            "unknown masking profile",
            "routes.yaml",
            ROUTES.replace("masking: p1", "masking: nope"),
            "routes.yaml",
            "routes[0].masking",
            "unknown masking profile 'nope' (masking.yaml defines: p1)"),
        new Case(
            "empty methods list",
            "routes.yaml",
            ROUTES + "    methods: []\n",
            "routes.yaml",
            "routes[0].methods",
            "empty list"),
        new Case(
            "forbidden method",
            "routes.yaml",
            ROUTES + "    methods: [GET, CONNECT]\n",
            "routes.yaml",
            "routes[0].methods[1]",
            "unknown or forbidden method 'CONNECT'"),
        new Case(
            "duplicate route id",
            "routes.yaml",
            ROUTES
                + "  - id: r1\n    path: /other/{client}\n    backend: http://127.0.0.1:9090\n    masking: p1\n",
            "routes.yaml",
            "routes[1].id",
            "duplicate route id 'r1' (also routes[0].id)"),
        new Case(
            "passthrough: true",
            "routes.yaml",
            ROUTES + "    passthrough: true\n",
            "routes.yaml",
            "routes[0].passthrough",
            "list the media types released unmasked, e.g. [application/pdf]; true would release any non-JSON type"
                + " the backend can be asked for (XML, CSV, JSONP)"),
        new Case(
            "passthrough: true without a masking profile is the one mistake",
            "routes.yaml",
            "routes:\n  - { id: s, path: \"/s/{client}\", backend: \"http://127.0.0.1:9090\", passthrough: true }\n",
            "routes.yaml",
            "routes[0].passthrough",
            "list the media types released unmasked"),
        new Case(
            "passthrough wildcard",
            "routes.yaml",
            ROUTES + "    passthrough: [application/pdf, \"*/*\"]\n",
            "routes.yaml",
            "routes[0].passthrough[1]",
            "no wildcards"),
        new Case(
            "passthrough subtype wildcard",
            "routes.yaml",
            ROUTES + "    passthrough: [\"text/*\"]\n",
            "routes.yaml",
            "routes[0].passthrough[0]",
            "no wildcards"),
        new Case(
            "passthrough json type",
            "routes.yaml",
            ROUTES + "    passthrough: [application/vnd.api+json]\n",
            "routes.yaml",
            "routes[0].passthrough[0]",
            "JSON never passes unmasked"),
        new Case(
            "passthrough empty list",
            "routes.yaml",
            ROUTES + "    passthrough: []\n",
            "routes.yaml",
            "routes[0].passthrough",
            "empty list: list the media types released unmasked"),
        new Case(
            "passthrough type with parameters",
            "routes.yaml",
            ROUTES + "    passthrough: [\"text/csv; charset=utf-8\"]\n",
            "routes.yaml",
            "routes[0].passthrough[0]",
            "no parameters"),
        new Case(
            "passthrough type in upper case",
            "routes.yaml",
            ROUTES + "    passthrough: [Application/PDF]\n",
            "routes.yaml",
            "routes[0].passthrough[0]",
            "lower case ('application/pdf')"),
        new Case(
            "passthrough entry that is no media type",
            "routes.yaml",
            ROUTES + "    passthrough: [pdf]\n",
            "routes.yaml",
            "routes[0].passthrough[0]",
            "not a media type like application/pdf"),
        new Case(
            "passthrough of the wrong type",
            "routes.yaml",
            ROUTES + "    passthrough: application/pdf\n",
            "routes.yaml",
            "routes[0].passthrough",
            "expected a list of media types"),
        new Case(
            "route shadowed by an earlier subpaths route",
            "routes.yaml",
            ROUTES
                + "    subpaths: true\n"
                + "  - id: statements\n    path: /clients/{client}/statements\n    backend: http://127.0.0.1:9090\n"
                + "    passthrough: [application/pdf]\n",
            "routes.yaml",
            "routes[1]",
            "never matches: routes[0] (r1) matches every path it does; list more specific paths first"),
        new Case(
            "route shadowed whatever its methods",
            "routes.yaml",
            ROUTES
                + "    subpaths: true\n"
                + "  - id: notes\n    path: /clients/{client}/notes\n    backend: http://127.0.0.1:9090\n"
                + "    methods: [POST]\n    masking: p1\n",
            "routes.yaml",
            "routes[1]",
            "routes match by path alone"),
        new Case(
            "subpaths of the wrong type",
            "routes.yaml",
            ROUTES + "    subpaths: \"yes\"\n",
            "routes.yaml",
            "routes[0].subpaths",
            "expected true or false"),
        new Case(
            "YAML syntax error",
            "routes.yaml",
            "routes:\n  - id: r1\n    methods: [GET, HEAD\n    backend: x\n",
            "routes.yaml",
            FILE,
            "YAML syntax error at line 4"),
        new Case(
            "duplicate YAML key",
            "airlock.yaml",
            AIRLOCK + "identity:\n  mode: oidc\n",
            "airlock.yaml",
            FILE,
            "line 9, column 1: duplicate key 'identity'"),
        new Case(
            "YAML alias",
            "routes.yaml",
            ROUTES + "    methods: &m [GET]\n",
            "routes.yaml",
            FILE,
            "anchors (&name) are not supported"),
        new Case(
            "missing routes.yaml",
            "routes.yaml",
            null,
            "routes.yaml",
            FILE,
            "missing (required: at least one route)"),
        new Case(
            "missing masking.yaml while a route names a profile",
            "masking.yaml",
            null,
            "masking.yaml",
            FILE,
            "missing (required: routes.yaml names masking profiles p1)"),
        new Case(
            "unknown class in masking.yaml",
            "masking.yaml",
            MASKING.replace("email: email", "email: mail"),
            "masking.yaml",
            "profiles.p1.fields.email",
            "unknown class 'mail'"),
        new Case(
            "field both clear and classified",
            "masking.yaml",
            MASKING.replace("[id, name]", "[id, name, Email]"),
            "masking.yaml",
            "profiles.p1.fields.email",
            "classified as email but also listed in clear"),
        new Case(
            "unknown strategy",
            "masking.yaml",
            MASKING + "strategies: { ssn: scramble }\n",
            "masking.yaml",
            "strategies.ssn",
            "unknown strategy 'scramble'"),
        new Case(
            "secret not dropped",
            "masking.yaml",
            MASKING + "strategies: { secret: last4 }\n",
            "masking.yaml",
            "strategies.secret",
            "only 'drop' is allowed"),
        new Case(
            "unknown detector",
            "masking.yaml",
            MASKING + "    detectors: [card, passport]\n",
            "masking.yaml",
            "profiles.p1.detectors[1]",
            "unknown detector 'passport'"),
        new Case(
            "unsupported JSON path",
            "masking.yaml",
            MASKING + "    paths: { \"$..number\": card }\n",
            "masking.yaml",
            "profiles.p1.paths[\"$..number\"]",
            "invalid JSON path"),
        new Case(
            "defaultTtl over maxTtl",
            "policy.yaml",
            "grants: { defaultTtl: 30m, maxTtl: 20m }\n",
            "policy.yaml",
            "grants.defaultTtl",
            "30m is longer than grants.maxTtl (20m)"),
        new Case(
            "maxTtl over an hour",
            "policy.yaml",
            "grants: { maxTtl: 90m }\n",
            "policy.yaml",
            "grants.maxTtl",
            "90m is over the maximum of 1h"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsTheOneMistake(Case c, @TempDir Path dir) {
    new ConfigFiles().with(c.file(), c.content()).writeTo(dir);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));

    assertThat(e).as("config with %s must not load", c.name()).isNotNull();
    List<ConfigError> errors = e.errors();
    assertThat(errors).as(e.getMessage()).hasSize(1);
    ConfigError err = errors.get(0);
    assertThat(err.file()).isEqualTo(c.errFile());
    assertThat(err.key()).isEqualTo(c.key());
    assertThat(err.problem()).contains(c.fragment());
    assertThat(e.getMessage()).isEqualTo(c.errFile() + ": " + c.key() + ": " + err.problem());
  }
}
