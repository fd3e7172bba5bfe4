package io.airlock.gateway.demo;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Synthetic client records for the demo backend: realistic-looking, entirely fake, and a pure
 * function of the seed so that tests, benchmarks and demos on different machines see the same
 * bytes.
 *
 * <p>{@link java.util.Random} is used on purpose: its algorithm is fixed by its specification,
 * so the same seed yields the same data on every JDK (SplittableRandom makes no such promise).
 */
public final class DemoData {

  public static final int CLIENT_COUNT = 200;

  static final JsonFactory JSON = JsonFactory.builder().build();

  private final long seed;
  private final List<String> ids;
  private final Map<String, Client> clients;
  private final List<TransactionFeed.Counterparty> counterparties;

  private DemoData(long seed, Map<String, Client> clients,
      List<TransactionFeed.Counterparty> counterparties) {
    this.seed = seed;
    this.clients = clients;
    this.ids = List.copyOf(clients.keySet());
    this.counterparties = counterparties;
  }

  /** Generates {@link #CLIENT_COUNT} clients; the same seed always gives byte-identical JSON. */
  public static DemoData generate(long seed) {
    Random random = new Random(seed);
    Map<String, Client> clients = new LinkedHashMap<>();
    Set<String> emails = new HashSet<>();
    for (int i = 1; i <= CLIENT_COUNT; i++) {
      Client client = Client.random(i, random, emails);
      clients.put(client.id, client);
    }
    return new DemoData(seed, Collections.unmodifiableMap(clients),
        TransactionFeed.Counterparty.pool(random));
  }

  public long seed() {
    return seed;
  }

  /** Client ids in order, {@code c-0001} to {@code c-0200}. */
  public List<String> clientIds() {
    return ids;
  }

  /** The client's record as UTF-8 JSON (a fresh copy), or empty for an unknown id. */
  public Optional<byte[]> clientJson(String id) {
    Client client = clients.get(id);
    return client == null ? Optional.empty() : Optional.of(client.json.clone());
  }

  /**
   * A generator of the client's transaction history ({@code count} entries, deterministic per
   * client: the first k entries are the same whatever the count), or empty for an unknown id.
   */
  public Optional<TransactionFeed> transactions(String id, int count) {
    Client client = clients.get(id);
    if (client == null) {
      return Optional.empty();
    }
    return Optional.of(new TransactionFeed(client.id, client.number, seed, count,
        client.currency, client.cardLast4, client.createdAt, counterparties));
  }

  // ---------------------------------------------------------------------------------------------

  private static final class Client {
    final String id;
    final int number;
    final String currency;
    final String cardLast4;
    final long createdAt;
    final byte[] json;

    private Client(int number, String currency, String cardLast4, long createdAt, byte[] json) {
      this.id = clientId(number);
      this.number = number;
      this.currency = currency;
      this.cardLast4 = cardLast4;
      this.createdAt = createdAt;
      this.json = json;
    }

    static Client random(int number, Random r, Set<String> emails) {
      Country country = pick(r, Country.values());
      String first = pick(r, FIRST_NAMES);
      String last = pick(r, LAST_NAMES);
      String email = uniqueEmail(first, last, r, emails);
      String card = Cards.random(r);
      String brand = Cards.brand(card);
      String currency = country.currency;
      long createdAt = Instant.parse("2019-01-01T00:00:00Z").getEpochSecond()
          + r.nextInt(6 * 365 * 24 * 3600);

      ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
      try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
        g.writeStartObject();
        g.writeStringField("id", clientId(number));
        g.writeStringField("name", first + " " + last);
        g.writeStringField("email", email);
        g.writeStringField("phone", country.phone(r));
        g.writeStringField("ssn", ssn(r));
        g.writeStringField("dob",
            LocalDate.of(1945, 1, 1).plusDays(r.nextInt(60 * 365)).toString());

        g.writeObjectFieldStart("address");
        g.writeStringField("street", (1 + r.nextInt(180)) + " " + pick(r, country.streets));
        g.writeStringField("city", pick(r, country.cities));
        g.writeStringField("postcode", country.postcode(r));
        g.writeStringField("country", country.name());
        g.writeEndObject();

        g.writeStringField("iban", Ibans.random(country, r));

        g.writeObjectFieldStart("card");
        g.writeStringField("number", card);
        g.writeStringField("expiry", String.format(Locale.ROOT, "%02d/%02d",
            1 + r.nextInt(12), 26 + r.nextInt(6)));
        g.writeStringField("brand", brand);
        g.writeEndObject();

        g.writeObjectFieldStart("kyc");
        g.writeStringField("status", weighted(r, KYC_STATUSES, 85, 10, 5));
        g.writeArrayFieldStart("documents");
        int documents = 1 + r.nextInt(2);
        for (int d = 0; d < documents; d++) {
          g.writeStartObject();
          DocumentType type = pick(r, DocumentType.values());
          g.writeStringField("type", type.json);
          g.writeStringField("number", type.number(r));
          g.writeStringField("issuer", country.name());
          g.writeStringField("expires",
              LocalDate.of(2026, 1, 1).plusDays(r.nextInt(10 * 365)).toString());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();

        g.writeArrayFieldStart("balances");
        writeBalance(g, currency, r.nextInt(2_500_000));
        for (String other : OTHER_CURRENCIES) {
          if (!other.equals(currency) && r.nextInt(4) == 0) {
            writeBalance(g, other, r.nextInt(500_000));
          }
        }
        g.writeEndArray();

        g.writeStringField("twoFactorSecret", base32(r, 16));
        g.writeStringField("notes", pick(r, NOTES));
        g.writeStringField("status", weighted(r, ACCOUNT_STATUSES, 90, 7, 3));
        g.writeStringField("createdAt", Instant.ofEpochSecond(createdAt).toString());
        g.writeNumberField("riskScore", r.nextInt(100));
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Client(number, currency, card.substring(card.length() - 4), createdAt,
          out.toByteArray());
    }

    private static void writeBalance(JsonGenerator g, String currency, long cents)
        throws IOException {
      g.writeStartObject();
      g.writeStringField("currency", currency);
      g.writeStringField("amount", amount(cents));
      g.writeEndObject();
    }
  }

  static String clientId(int number) {
    return String.format(Locale.ROOT, "c-%04d", number);
  }

  /** Cents as a plain decimal string, e.g. -1250 → "-12.50". */
  static String amount(long cents) {
    long abs = Math.abs(cents);
    StringBuilder sb = new StringBuilder(12);
    if (cents < 0) {
      sb.append('-');
    }
    sb.append(abs / 100).append('.');
    long fraction = abs % 100;
    if (fraction < 10) {
      sb.append('0');
    }
    return sb.append(fraction).toString();
  }

  private static String uniqueEmail(String first, String last, Random r, Set<String> taken) {
    String local = ascii(first) + "." + ascii(last);
    String domain = pick(r, EMAIL_DOMAINS);
    String email = local + "@" + domain;
    for (int n = 2; !taken.add(email); n++) {
      email = local + n + "@" + domain;
    }
    return email;
  }

  private static String ascii(String name) {
    String stripped = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    return stripped.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
  }

  /** Area 001–899 except 666, group 01–99, serial 0001–9999: the shape the SSA issues. */
  private static String ssn(Random r) {
    int area;
    do {
      area = 1 + r.nextInt(899);
    } while (area == 666);
    return String.format(Locale.ROOT, "%03d-%02d-%04d", area, 1 + r.nextInt(99),
        1 + r.nextInt(9999));
  }

  private static String base32(Random r, int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  static String digits(Random r, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('0' + r.nextInt(10)));
    }
    return sb.toString();
  }

  static <T> T pick(Random r, T[] values) {
    return values[r.nextInt(values.length)];
  }

  private static String weighted(Random r, String[] values, int... weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int roll = r.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      roll -= weights[i];
      if (roll < 0) {
        return values[i];
      }
    }
    throw new AssertionError("weights do not cover the roll");
  }

  // --- card numbers ------------------------------------------------------------------------------

  static final class Cards {
    private Cards() {}

    static String random(Random r) {
      int kind = r.nextInt(10);
      String prefix;
      int length;
      if (kind < 5) {
        prefix = "4";
        length = 16;
      } else if (kind < 8) {
        prefix = Integer.toString(51 + r.nextInt(5));
        length = 16;
      } else if (kind < 9) {
        prefix = Integer.toString(2221 + r.nextInt(500));
        length = 16;
      } else {
        prefix = r.nextBoolean() ? "34" : "37";
        length = 15;
      }
      String body = prefix + digits(r, length - 1 - prefix.length());
      return body + luhnCheckDigit(body);
    }

    static String brand(String number) {
      if (number.startsWith("4")) {
        return "visa";
      }
      if (number.startsWith("34") || number.startsWith("37")) {
        return "amex";
      }
      return "mastercard";
    }

    /** The digit that makes {@code body + digit} pass the Luhn check. */
    static int luhnCheckDigit(String body) {
      int sum = 0;
      // Doubling starts at the rightmost body digit, because the check digit will follow it.
      for (int i = body.length() - 1, pos = 0; i >= 0; i--, pos++) {
        int d = body.charAt(i) - '0';
        if (pos % 2 == 0) {
          d *= 2;
          if (d > 9) {
            d -= 9;
          }
        }
        sum += d;
      }
      return (10 - sum % 10) % 10;
    }
  }

  // --- IBANs -------------------------------------------------------------------------------------

  static final class Ibans {
    private Ibans() {}

    static String random(Country country, Random r) {
      return withCheckDigits(country.name(), country.bban(r));
    }

    /** ISO 13616: the check digits make (BBAN + country + check) mod 97 equal 1. */
    static String withCheckDigits(String countryCode, String bban) {
      int check = 98 - mod97(bban + countryCode + "00");
      return countryCode + (check < 10 ? "0" : "") + check + bban;
    }

    /** Letters count as two-digit numbers (A = 10 … Z = 35), as ISO 7064 MOD 97-10 says. */
    static int mod97(String alphanumeric) {
      int mod = 0;
      for (int i = 0; i < alphanumeric.length(); i++) {
        int v = Character.digit(alphanumeric.charAt(i), 36);
        if (v < 0) {
          throw new IllegalArgumentException("not alphanumeric: " + alphanumeric);
        }
        mod = (v < 10 ? mod * 10 + v : mod * 100 + v) % 97;
      }
      return mod;
    }

    /** French RIB key: 97 - (89 × bank + 15 × branch + 3 × account) mod 97. */
    static String ribKey(String bank, String branch, String account) {
      long weighted = 89L * Long.parseLong(bank) + 15L * Long.parseLong(branch)
          + 3L * Long.parseLong(account);
      int key = (int) (97 - weighted % 97);
      return (key < 10 ? "0" : "") + key;
    }
  }

  // --- reference tables --------------------------------------------------------------------------

  enum Country {
    GB("GBP",
        new String[] {"High St", "Station Rd", "Church Lane", "Victoria Rd", "Mill Lane",
            "Park Avenue", "Queen's Rd", "King St"},
        new String[] {"London", "Manchester", "Bristol", "Leeds", "Edinburgh", "Cardiff"}) {
      @Override
      String phone(Random r) {
        // Ofcom reserves 020 7946 0000–0999 for drama: never a real subscriber.
        return "+44 20 7946 0" + digits(r, 3);
      }

      @Override
      String postcode(Random r) {
        String letters = "ABDEFGHJLNPQRSTUWXYZ";
        return pick(r, new String[] {"N", "E", "SW", "SE", "W", "NW", "EC"}) + (1 + r.nextInt(19))
            + " " + r.nextInt(10) + letters.charAt(r.nextInt(letters.length()))
            + letters.charAt(r.nextInt(letters.length()));
      }

      @Override
      String bban(Random r) {
        return pick(r, new String[] {"WEST", "NWBK", "BARC", "LOYD", "MIDL", "HBUK"})
            + digits(r, 6) + digits(r, 8);
      }
    },
    DE("EUR",
        new String[] {"Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße",
            "Lindenallee", "Goethestraße"},
        new String[] {"Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Leipzig"}) {
      @Override
      String phone(Random r) {
        // The Bundesnetzagentur keeps 030 23125 xxx for film and television.
        return "+49 30 23125 " + digits(r, 3);
      }

      @Override
      String postcode(Random r) {
        return String.format(Locale.ROOT, "%05d", 10000 + r.nextInt(89999));
      }

      @Override
      String bban(Random r) {
        return pick(r, new String[] {"37040044", "10070000", "50010517", "20041111"})
            + digits(r, 10);
      }
    },
    FR("EUR",
        new String[] {"Rue de la Paix", "Avenue Victor Hugo", "Rue du Moulin",
            "Boulevard Voltaire", "Place de la République"},
        new String[] {"Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille"}) {
      @Override
      String phone(Random r) {
        // ARCEP reserves 01 99 00 xx xx for fiction.
        return "+33 1 99 00 " + digits(r, 2) + " " + digits(r, 2);
      }

      @Override
      String postcode(Random r) {
        return String.format(Locale.ROOT, "%02d%03d", 1 + r.nextInt(95), r.nextInt(1000));
      }

      @Override
      String bban(Random r) {
        String bank = pick(r, new String[] {"30006", "30004", "20041", "10278"});
        String branch = digits(r, 5);
        String account = digits(r, 11);
        return bank + branch + account + Ibans.ribKey(bank, branch, account);
      }
    };

    final String currency;
    final String[] streets;
    final String[] cities;

    Country(String currency, String[] streets, String[] cities) {
      this.currency = currency;
      this.streets = streets;
      this.cities = cities;
    }

    abstract String phone(Random r);

    abstract String postcode(Random r);

    abstract String bban(Random r);
  }

  enum DocumentType {
    PASSPORT("passport") {
      @Override
      String number(Random r) {
        return "P" + digits(r, 7);
      }
    },
    ID_CARD("id_card") {
      @Override
      String number(Random r) {
        return "ID" + digits(r, 8);
      }
    },
    DRIVING_LICENCE("driving_licence") {
      @Override
      String number(Random r) {
        return "DL" + digits(r, 9);
      }
    };

    final String json;

    DocumentType(String json) {
      this.json = json;
    }

    abstract String number(Random r);
  }

  private static final String[] FIRST_NAMES = {
      "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
      "Hedy", "Tim", "Radia", "Donald", "Katherine", "John", "Sophie", "Niklaus", "Joan", "Claude",
      "Zoë", "José", "Françoise", "Jürgen", "Amélie", "Björn", "Inês", "Łukasz", "Chloé", "Mateo",
      "Priya", "Wei", "Aisha", "Olu", "Yuki", "Omar", "Fatima", "Lars", "Elena", "Tomás"};

  private static final String[] LAST_NAMES = {
      "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
      "Allen", "Dijkstra", "Lamarr", "Berners-Lee", "Perlman", "Knuth", "Johnson", "McCarthy",
      "Wilson", "Wirth", "Clarke", "Shannon", "Müller", "García", "Dubois", "Schmidt", "Martin",
      "Nowak", "Rossi", "Okafor", "Tanaka", "Haddad", "Jensen", "Ivanova", "O'Brien", "Silva",
      "Kowalski", "Nguyen", "Patel", "Fischer", "Laurent", "Moreau"};

  private static final String[] EMAIL_DOMAINS = {"example.com", "example.org", "example.net"};

  private static final String[] KYC_STATUSES = {"verified", "pending", "rejected"};

  private static final String[] ACCOUNT_STATUSES = {"active", "suspended", "closed"};

  private static final String[] OTHER_CURRENCIES = {"EUR", "GBP", "USD", "CHF"};

  private static final String[] NOTES = {
      "called about card", "asked to raise card limit", "reported lost card, replacement sent",
      "disputed a merchant charge", "address change requested", "KYC documents re-uploaded",
      "complained about transfer delay", "asked about interest rates", "locked out, 2FA reset",
      "requested account statement", ""};
}
