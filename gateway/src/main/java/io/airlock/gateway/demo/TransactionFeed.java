package io.airlock.gateway.demo;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One client's transaction history as a JSON document, produced a batch at a time so a 100,000
 * entry history never sits in memory whole: the caller asks for the next part only when its
 * output can take it.
 *
 * <p>Not thread-safe; one feed serves one response.
 */
public final class TransactionFeed {

  /** Transactions per part: about 50 KB, under Netty's 64 KB write-buffer high-water mark. */
  static final int BATCH = 200;

  private final String clientId;
  private final int count;
  private final String currency;
  private final String cardLast4;
  private final List<Counterparty> counterparties;
  private final Random random;
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream(64 * 1024);
  private final JsonGenerator json;
  private long at;
  private int written;
  private boolean started;
  private boolean finished;

  TransactionFeed(String clientId, int clientNumber, long seed, int count, String currency,
      String cardLast4, long createdAt, List<Counterparty> counterparties) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    this.clientId = clientId;
    this.count = count;
    this.currency = currency;
    this.cardLast4 = cardLast4;
    this.counterparties = counterparties;
    // Random's seed scrambling is weak for neighbouring seeds; mixing keeps clients unalike.
    this.random = new Random(mix(seed + clientNumber * 0x9E3779B97F4A7C15L));
    this.at = createdAt;
    try {
      this.json = DemoData.JSON.createGenerator(sink, JsonEncoding.UTF8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String clientId() {
    return clientId;
  }

  public int count() {
    return count;
  }

  /** True once the part closing the document has been returned. */
  public boolean done() {
    return finished;
  }

  /**
   * The next part of the document: the first carries the opening, the last the closing; their
   * concatenation is one valid JSON document.
   *
   * @throws IllegalStateException after {@link #done()}
   */
  public byte[] next() {
    if (finished) {
      throw new IllegalStateException("feed for " + clientId + " is finished");
    }
    try {
      if (!started) {
        started = true;
        json.writeStartObject();
        json.writeStringField("clientId", clientId);
        json.writeArrayFieldStart("transactions");
      }
      int end = Math.min(count, written + BATCH);
      while (written < end) {
        writeTransaction(++written);
      }
      if (written == count) {
        json.writeEndArray();
        json.writeEndObject();
        json.close();
        finished = true;
      } else {
        json.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] part = sink.toByteArray();
    sink.reset();
    return part;
  }

  private void writeTransaction(int number) throws IOException {
    Counterparty party = counterparties.get(random.nextInt(counterparties.size()));
    at += 60 + random.nextInt(4 * 3600);
    long cents = party.minCents + random.nextInt(party.maxCents - party.minCents + 1);
    int roll = random.nextInt(100);

    json.writeStartObject();
    json.writeStringField("id", String.format(Locale.ROOT, "t-%06d", number));
    json.writeStringField("at", Instant.ofEpochSecond(at).toString());
    json.writeStringField("amount", DemoData.amount(party.credit ? cents : -cents));
    json.writeStringField("currency", currency);
    json.writeStringField("description", party.description);
    json.writeObjectFieldStart("counterparty");
    json.writeStringField("name", party.name);
    json.writeStringField("iban", party.iban);
    json.writeEndObject();
    json.writeStringField("cardLast4", cardLast4);
    json.writeStringField("status", roll < 93 ? "settled" : roll < 98 ? "pending" : "declined");
    json.writeEndObject();
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A merchant or payer shared by all clients, so the same names recur as in real statements. */
  record Counterparty(String name, String description, String iban, boolean credit,
      int minCents, int maxCents) {

    private static final Object[][] TEMPLATES = {
        {"Cafe", "Coffee", false, 250, 900},
        {"Corner Bakery", "Bakery", false, 180, 1500},
        {"FreshMart", "Groceries", false, 1200, 15000},
        {"City Transit", "Transport", false, 250, 4500},
        {"Streamly", "Subscription", false, 799, 1799},
        {"Bookworm", "Books", false, 900, 6000},
        {"Petrol Station", "Fuel", false, 3000, 9000},
        {"Trattoria Roma", "Restaurant", false, 2500, 12000},
        {"Skyways", "Flights", false, 8000, 95000},
        {"Home Energy", "Utilities", false, 4500, 18000},
        {"Telco One", "Mobile phone", false, 1500, 5500},
        {"Landlord Ltd", "Rent", false, 80000, 220000},
        {"Acme Corp", "Salary", true, 180000, 650000},
        {"Tax Office", "Tax refund", true, 5000, 90000},
        {"Friend", "Transfer received", true, 1000, 30000},
        {"Savings", "Transfer to savings", false, 5000, 100000},
    };

    static List<Counterparty> pool(Random random) {
      List<Counterparty> pool = new ArrayList<>(TEMPLATES.length);
      for (Object[] t : TEMPLATES) {
        DemoData.Country country = DemoData.pick(random, DemoData.Country.values());
        pool.add(new Counterparty((String) t[0], (String) t[1],
            DemoData.Ibans.random(country, random), (Boolean) t[2], (Integer) t[3],
            (Integer) t[4]));
      }
      return List.copyOf(pool);
    }
  }
}
