package io.airlock.gateway.audit;

import java.util.Arrays;

/**
 * The field names of one kind of record, sorted once. The data plane writes two records per
 * request; filling a {@link Fields} instead of a map spares the event loop building a map the
 * log would then deep-copy into a sorted one. The record written is the same as from {@link
 * AuditLog#append(String, java.util.Map)} with a map holding every name of the shape (a name
 * never put is written as {@code null}).
 */
public final class AuditShape {
  final String[] names;

  /** @throws IllegalArgumentException for a duplicate name or one the log sets itself */
  public AuditShape(String... names) {
    String[] sorted = names.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      if (AuditRecords.RESERVED.contains(sorted[i])) {
        throw new IllegalArgumentException("audit field '" + sorted[i] + "' is set by the audit log itself");
      }
      if (i > 0 && sorted[i].equals(sorted[i - 1])) {
        throw new IllegalArgumentException("audit field '" + sorted[i] + "' is named twice");
      }
    }
    this.names = sorted;
  }

  public Fields fields() {
    return new Fields(this);
  }

  /** One record's values; {@link AuditLog#append(String, Fields)} takes a copy. */
  public static final class Fields {
    final AuditShape shape;
    final Object[] values;

    private Fields(AuditShape shape) {
      this.shape = shape;
      this.values = new Object[shape.names.length];
    }

    /**
     * @throws IllegalArgumentException for a name not in the shape or a value that is not plain
     *     JSON (as {@link AuditLog#append(String, java.util.Map)})
     */
    public Fields put(String name, Object value) {
      String[] names = shape.names;
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name)) {
          values[i] = AuditRecords.copyValue(name, value);
          return this;
        }
      }
      throw new IllegalArgumentException("audit field '" + name + "' is not one of " + Arrays.toString(names));
    }
  }
}
