package io.airlock.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one config file into a JSON tree, restricted to the YAML subset a config needs.
 *
 * <p>Anchors, aliases and tags are refused: Jackson's tree reader turns an alias into the plain
 * text of its name, so {@code *base} would silently become the string {@code "base"}.
 * Duplicate keys are refused because YAML lets the last one win, which hides a half-edited file.
 */
final class YamlFiles {
  private YamlFiles() {}

  // config files are a few KB; the bound keeps a wrong path (a log, a dump) from being slurped
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
  private static final ObjectMapper MAPPER =
      YAMLMapper.builder(FACTORY).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

  /** Outcome of reading a file; {@code root} is a mapping (empty for an empty file) when OK. */
  record Read(Status status, JsonNode root) {
    static final Read MISSING = new Read(Status.MISSING, null);
    static final Read INVALID = new Read(Status.INVALID, null);
  }

  enum Status {
    OK,
    MISSING,
    INVALID
  }

  /** Reads {@code dir/name}; problems other than "does not exist" are reported here. */
  static Read read(Path dir, String name, Problems problems) {
    Path file = dir.resolve(name);
    String text;
    try {
      if (!Files.exists(file)) {
        return Read.MISSING;
      }
      if (!Files.isRegularFile(file)) {
        problems.add(name, ConfigError.WHOLE_FILE, "not a regular file: " + file);
        return Read.INVALID;
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        problems.add(name, ConfigError.WHOLE_FILE, "larger than " + MAX_FILE_BYTES + " bytes");
        return Read.INVALID;
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Read.MISSING;
    } catch (CharacterCodingException e) {
      problems.add(name, ConfigError.WHOLE_FILE, "not valid UTF-8");
      return Read.INVALID;
    } catch (IOException e) {
      problems.add(name, ConfigError.WHOLE_FILE, "cannot be read: " + e);
      return Read.INVALID;
    }
    return parse(name, text, problems);
  }

  static Read parse(String name, String text, Problems problems) {
    JsonNode root;
    try (StrictParser p = new StrictParser(FACTORY.createParser(text))) {
      root = MAPPER.readTree(p);
      if (p.nextToken() != null) {
        throw new Rejected(
            "more than one YAML document (remove the '---' separator)", p.currentTokenLocation());
      }
    } catch (JsonProcessingException e) {
      problems.add(name, ConfigError.WHOLE_FILE, syntaxProblem(e));
      return Read.INVALID;
    } catch (IOException e) {
      problems.add(name, ConfigError.WHOLE_FILE, "cannot be parsed: " + e.getMessage());
      return Read.INVALID;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      // an empty file or one holding only comments: every key takes its default
      return new Read(Status.OK, JsonNodeFactory.instance.objectNode());
    }
    if (!root.isObject()) {
      problems.add(
          name,
          ConfigError.WHOLE_FILE,
          "expected a mapping at the top level, got " + Values.describe(root));
      return Read.INVALID;
    }
    return new Read(Status.OK, root);
  }

  private static String syntaxProblem(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Rejected r) {
        return at(r.getLocation()) + ": " + r.getOriginalMessage();
      }
      if (t instanceof MarkedYAMLException m) {
        Mark mark = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
        String where =
            mark == null
                ? at(e.getLocation())
                : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
        String what = m.getProblem() != null ? m.getProblem() : "invalid YAML";
        if (m.getContext() != null) {
          what += " (" + m.getContext() + ")";
        }
        return "YAML syntax error at " + where + ": " + what;
      }
    }
    String msg = e.getOriginalMessage();
    int nl = msg == null ? -1 : msg.indexOf('\n');
    return "YAML error at " + at(e.getLocation()) + ": " + (nl < 0 ? msg : msg.substring(0, nl));
  }

  private static String at(JsonLocation loc) {
    if (loc == null || loc.getLineNr() < 1) {
      return "unknown position";
    }
    return "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  /** A YAML construct this loader refuses, with where it stands. */
  private static final class Rejected extends JsonProcessingException {
    private static final long serialVersionUID = 1L;

    Rejected(String msg, JsonLocation loc) {
      super(msg, loc);
    }
  }

  /** Checks each token as the tree reader pulls it. */
  private static final class StrictParser extends JsonParserDelegate {
    private final YAMLParser yaml;
    private final Deque<Set<String>> keys = new ArrayDeque<>();

    StrictParser(YAMLParser yaml) {
      super(yaml);
      this.yaml = yaml;
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = super.nextToken();
      if (t == null) {
        return null;
      }
      if (yaml.isCurrentAlias()) {
        throw new Rejected(
            "YAML aliases (*name) are not supported; write the value out", loc());
      }
      if (yaml.getObjectId() != null) {
        throw new Rejected(
            "YAML anchors (&name) are not supported; write the value out", loc());
      }
      if (yaml.getTypeId() != null) {
        throw new Rejected("YAML tags (!name) are not supported", loc());
      }
      switch (t) {
        case START_OBJECT -> keys.push(new HashSet<>());
        case END_OBJECT -> keys.pop();
        case FIELD_NAME -> {
          if (!keys.isEmpty() && !keys.peek().add(yaml.currentName())) {
            throw new Rejected("duplicate key '" + yaml.currentName() + "'", loc());
          }
        }
        default -> {}
      }
      return t;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
      // the delegate's own skipChildren would bypass the checks and unbalance the key stack
      JsonToken t = currentToken();
      if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
        return this;
      }
      int depth = 1;
      while (depth > 0) {
        JsonToken n = nextToken();
        if (n == null) {
          break;
        }
        if (n.isStructStart()) {
          depth++;
        } else if (n.isStructEnd()) {
          depth--;
        }
      }
      return this;
    }

    private JsonLocation loc() {
      return yaml.currentTokenLocation();
    }
  }
}
