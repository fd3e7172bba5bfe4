package io.airlock.policy.mask;

/**
 * Where masked bytes go. The masker reuses the array it passes in, so an implementation must copy
 * or consume {@code b[off, off + len)} before returning.
 */
@FunctionalInterface
public interface ByteSink {
  void write(byte[] b, int off, int len);
}
