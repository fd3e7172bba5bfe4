package io.airlock.gateway.dataplane;

import io.airlock.policy.mask.ByteSink;
import io.airlock.policy.mask.MaskingException;
import io.airlock.policy.mask.StreamingMasker;
import io.vertx.core.Handler;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;

/**
 * Masks a backend body chunk by chunk on the event loop. Flow control is the upstream's:
 * pause/resume/fetch pass straight through, so a slow agent slows the backend read and memory
 * stays bounded by the masker's token limits, never by the body size.
 */
final class MaskingReadStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> upstream;
  private final StreamingMasker masker;
  private final ChunkSink sink = new ChunkSink();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private boolean failed;

  MaskingReadStream(ReadStream<Buffer> upstream, StreamingMasker masker) {
    this.upstream = upstream;
    this.masker = masker;
  }

  @Override
  public MaskingReadStream handler(Handler<Buffer> h) {
    this.handler = h;
    if (h == null) {
      upstream.handler(null);
    } else {
      upstream.handler(this::onChunk);
    }
    return this;
  }

  private void onChunk(Buffer chunk) {
    if (failed) {
      return;
    }
    try {
      feed(chunk);
    } catch (MaskingException | RuntimeException e) {
      fail(e);
      return;
    }
    emit();
  }

  /**
   * Feeds the chunk's own bytes: Vert.x hands the body over as heap buffers, and the masker is done
   * with the array when feed returns (Jackson's non-blocking parser takes no new input before it
   * consumed the last), so the copy {@code getBytes()} would make is pure overhead.
   */
  private void feed(Buffer chunk) throws MaskingException {
    if (chunk instanceof BufferInternal internal) {
      ByteBuf buf = internal.getByteBuf();
      if (buf.hasArray()) {
        masker.feed(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes(), sink);
        return;
      }
    }
    byte[] bytes = chunk.getBytes();
    masker.feed(bytes, 0, bytes.length, sink);
  }

  private void onEnd(Void v) {
    if (failed) {
      return;
    }
    try {
      masker.finish(sink);
    } catch (MaskingException | RuntimeException e) {
      fail(e);
      return;
    }
    emit();
    if (endHandler != null) {
      endHandler.handle(null);
    }
  }

  private void emit() {
    Buffer out = sink.take();
    if (out != null && handler != null) {
      handler.handle(out);
    }
  }

  private void fail(Throwable e) {
    failed = true;
    upstream.handler(null);
    if (exceptionHandler != null) {
      exceptionHandler.handle(e);
    }
  }

  @Override
  public MaskingReadStream exceptionHandler(Handler<Throwable> h) {
    this.exceptionHandler = h;
    upstream.exceptionHandler(
        h == null
            ? null
            : e -> {
              if (!failed) {
                fail(e);
              }
            });
    return this;
  }

  @Override
  public MaskingReadStream pause() {
    upstream.pause();
    return this;
  }

  @Override
  public MaskingReadStream resume() {
    upstream.resume();
    return this;
  }

  @Override
  public MaskingReadStream fetch(long amount) {
    upstream.fetch(amount);
    return this;
  }

  @Override
  public MaskingReadStream endHandler(Handler<Void> h) {
    this.endHandler = h;
    upstream.endHandler(h == null ? null : this::onEnd);
    return this;
  }

  /** Collects what one feed emitted into a single buffer, so each chunk in is at most one chunk out. */
  private static final class ChunkSink implements ByteSink {
    private Buffer pending;

    @Override
    public void write(byte[] b, int off, int len) {
      if (len == 0) {
        return;
      }
      if (pending == null) {
        pending = Buffer.buffer(Math.max(len, 256));
      }
      pending.appendBytes(b, off, len);
    }

    Buffer take() {
      Buffer b = pending;
      pending = null;
      return b;
    }
  }
}
