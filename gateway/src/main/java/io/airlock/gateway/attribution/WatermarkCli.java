package io.airlock.gateway.attribution;

import io.airlock.gateway.config.ConfigException;
import io.airlock.gateway.identity.DemoUsers;
import io.airlock.policy.config.AirlockConfig;
import io.airlock.policy.config.IdentityConfig;
import io.airlock.policy.mask.FieldClass;
import io.airlock.policy.staff.Staff;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code airlock watermark verify STRING}: is this {@code X-Airlock-Watermark} one this
 * deployment wrote (exit 0) or not (exit 1)? {@code airlock watermark trace TOKEN --value V
 * [--agents a,b]}: which agent was shown {@code TOKEN} for the value {@code V} (exit 0 with the
 * agent, 1 when none of the candidates; outside demo mode the candidates must be listed).
 * Both read the keys of the config directory and are for security, who hold them.
 */
public final class WatermarkCli {
  static final String USAGE =
      "usage: airlock watermark verify STRING [--config DIR]\n"
          + "       airlock watermark trace TOKEN --value V [--agents a,b,...] [--config DIR]";

  private WatermarkCli() {}

  public static int run(List<String> args, AirlockConfig config, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(args);
    if (rest.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    String sub = rest.remove(0);
    AttributionKeys keys;
    try {
      keys = AttributionKeys.loadExisting(config.secrets());
    } catch (AttributionKeyException e) {
      err.println("airlock watermark: " + e.getMessage());
      return 2;
    }
    switch (sub) {
      case "verify":
        if (rest.size() != 1) {
          err.println(USAGE);
          return 2;
        }
        return verify(rest.get(0), new WatermarkMac(keys.watermarkKey()), out, err);
      case "trace":
        return trace(rest, config, new AgentKeys(keys.maskingKey()), out, err);
      default:
        err.println("airlock watermark: unknown subcommand '" + sub + "'\n" + USAGE);
        return 2;
    }
  }

  private static int verify(String watermark, WatermarkMac mac, PrintStream out, PrintStream err) {
    var fields = mac.verify(watermark);
    if (fields.isEmpty()) {
      out.println("INVALID: not a watermark this deployment wrote (wrong MAC, edited or incomplete)");
      return 1;
    }
    StringBuilder b = new StringBuilder("valid:");
    for (Map.Entry<String, String> e : fields.get().entrySet()) {
      b.append(' ').append(e.getKey()).append('=').append(e.getValue());
    }
    out.println(b);
    return 0;
  }

  private static int trace(List<String> rest, AirlockConfig config, AgentKeys agentKeys, PrintStream out, PrintStream err) {
    String value = take(rest, "--value");
    String agentList = take(rest, "--agents");
    if (rest.size() != 1 || value == null) {
      err.println(USAGE);
      return 2;
    }
    String token = rest.get(0);
    List<String> agents;
    if (agentList != null) {
      agents = Arrays.stream(agentList.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList();
    } else if (config.identity().mode() == IdentityConfig.Mode.DEMO) {
      try {
        agents = DemoUsers.load(config.configDir()).all().stream().map(Staff::id).toList();
      } catch (ConfigException e) {
        err.println("airlock watermark trace: " + e.getMessage());
        return 2;
      }
    } else {
      err.println("airlock watermark trace: name the candidate agents with --agents a,b,... (the staff directory is not local outside demo mode)");
      return 2;
    }
    boolean found = false;
    for (String agent : agents) {
      for (FieldClass c : FieldClass.values()) {
        if (c != FieldClass.SECRET && agentKeys.token(agent, c, value).equals(token)) {
          out.println(token + " was shown to agent " + agent + " (value of class " + c.code() + ")");
          found = true;
        }
      }
    }
    if (!found) {
      out.println(token + " matches none of " + agents.size() + " agent(s) for that value");
      return 1;
    }
    return 0;
  }

  private static String take(List<String> args, String name) {
    int i = args.indexOf(name);
    if (i < 0 || i + 1 >= args.size()) {
      return null;
    }
    String v = args.get(i + 1);
    args.remove(i + 1);
    args.remove(i);
    return v;
  }
}
