package io.airlock.gateway.grant;

import io.airlock.policy.grant.Action;
import io.airlock.policy.mask.FieldClass;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code airlock grant}: mints a grant for local development without the approval flow, signed
 * with the active key, and prints the compact token on stdout (so {@code $(airlock grant ...)}
 * works). Errors and usage go to stderr.
 */
public final class GrantCli {
  static final String USAGE =
      """
      usage: airlock grant --agent AGENT --ticket TICKET --clients C1[,C2...]
                           [--unmask CLASS[,CLASS...]] [--actions read[,write]]
                           [--ttl 10m] [--epoch N]
        --unmask   field classes shown in clear: ssn, email, phone, address, dob, bank, card,
                   document (never secret)
        --actions  default read
        --ttl      30s, 10m or 1h; default 15m, at most 60m
        --epoch    revocation epoch the grant is issued under; default now in milliseconds
                   (epochs never fall below wall-clock millis, so this survives until the next kill-all)
      """;

  private static final Set<String> FLAGS =
      Set.of("--agent", "--ticket", "--clients", "--unmask", "--actions", "--ttl", "--epoch");
  private static final Pattern TTL = Pattern.compile("([1-9][0-9]{0,5})([smh])");
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

  private GrantCli() {}

  /**
   * @param args the arguments after {@code grant}
   * @param maxTtl the configuration's {@code grants.maxTtl}: no grant of this tool outlives it,
   *     so {@code keys list}'s "safe to remove" holds for these grants too
   * @return 0 when a token was printed, 2 on bad arguments
   */
  public static int run(
      List<String> args,
      SigningKeys keys,
      String issuer,
      Duration maxTtl,
      Clock clock,
      PrintStream out,
      PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    try {
      GrantClaims claims = parse(args, clock, maxTtl);
      IssuedGrant issued = new GrantSigner(keys, issuer, clock).sign(claims);
      out.println(issued.token());
      return 0;
    } catch (BadArgument e) {
      err.println("airlock grant: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
  }

  static GrantClaims parse(List<String> args) throws BadArgument {
    return parse(args, Clock.systemUTC(), GrantClaims.MAX_TTL);
  }

  static GrantClaims parse(List<String> args, Clock clock, Duration maxTtl) throws BadArgument {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String flag = arg;
      String value;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        value = null;
      }
      if (!FLAGS.contains(flag)) {
        throw new BadArgument("unknown flag " + flag);
      }
      if (value == null || value.isBlank()) {
        throw new BadArgument(flag + " needs a value");
      }
      if (values.put(flag, value) != null) {
        throw new BadArgument(flag + " given twice");
      }
    }
    String agent = required(values, "--agent");
    String ticket = required(values, "--ticket");
    List<String> clients = list(required(values, "--clients"), "--clients");

    Set<Action> actions = EnumSet.noneOf(Action.class);
    for (String a : list(values.getOrDefault("--actions", "read"), "--actions")) {
      actions.add(Action.parse(a).orElseThrow(
          () -> new BadArgument("--actions: unknown action '" + a + "' (read or write)")));
    }
    Set<FieldClass> unmask = EnumSet.noneOf(FieldClass.class);
    if (values.containsKey("--unmask")) {
      for (String u : list(values.get("--unmask"), "--unmask")) {
        FieldClass f = FieldClass.parse(u).orElseThrow(
            () -> new BadArgument("--unmask: unknown field class '" + u + "'"));
        if (f == FieldClass.SECRET) {
          throw new BadArgument("--unmask: secret can never be unmasked");
        }
        unmask.add(f);
      }
    }
    Duration ttl =
        values.containsKey("--ttl")
            ? ttl(values.get("--ttl"))
            : (DEFAULT_TTL.compareTo(maxTtl) > 0 ? maxTtl : DEFAULT_TTL);
    if (ttl.compareTo(maxTtl) > 0) {
      throw new BadArgument("--ttl " + values.get("--ttl") + " is over this configuration's grants.maxTtl ("
          + maxTtl.toMinutes() + "m)");
    }
    long epoch = clock.millis();
    if (values.containsKey("--epoch")) {
      try {
        epoch = Long.parseLong(values.get("--epoch"));
      } catch (NumberFormatException e) {
        throw new BadArgument("--epoch must be a whole number");
      }
      if (epoch < 0) {
        throw new BadArgument("--epoch must not be negative");
      }
    }
    return new GrantClaims(agent, ticket, clients, actions, unmask, null, List.of(), epoch, ttl);
  }

  static Duration ttl(String text) throws BadArgument {
    Matcher m = TTL.matcher(text);
    if (!m.matches()) {
      throw new BadArgument("--ttl '" + text + "' is not like 30s, 10m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.compareTo(GrantClaims.MAX_TTL) > 0) {
      throw new BadArgument("--ttl " + text + " is over the 60m maximum");
    }
    return d;
  }

  private static String required(Map<String, String> values, String flag) throws BadArgument {
    String v = values.get(flag);
    if (v == null) {
      throw new BadArgument("missing " + flag);
    }
    return v.trim();
  }

  private static List<String> list(String csv, String flag) throws BadArgument {
    List<String> out = new ArrayList<>();
    for (String s : Arrays.asList(csv.split(",", -1))) {
      String t = s.trim();
      if (t.isEmpty()) {
        throw new BadArgument(flag + " has an empty entry in '" + csv + "'");
      }
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  static final class BadArgument extends Exception {
    private static final long serialVersionUID = 1L;

    BadArgument(String message) {
      super(message, null, false, false);
    }
  }
}
