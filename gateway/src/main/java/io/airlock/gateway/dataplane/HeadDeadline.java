package io.airlock.gateway.dataplane;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slowloris: every request head on a connection must be complete within a fixed time, or the
 * connection is closed. The idle timeout restarts with every byte, so on its own it never ends a
 * client that dribbles a head one byte at a time, on a new connection or on a kept-alive one.
 *
 * <p>The clock for a head starts when the connection opens (first head), or at its first byte
 * (later heads), or, when that byte arrived while the previous response was still being written
 * (pipelining), when that response ends: a client is not blamed for the time the gateway took.
 * A kept-alive connection on which nothing arrives is idle, not slow: load balancers pool
 * connections and expect them to last, so only the idle timeout ends it.
 *
 * <p>It sits in the Netty pipeline because only there are the first byte of a head (before the
 * HTTP decoder) and a complete head (after it) both visible; Vert.x calls the request handler
 * only for complete heads, and only one at a time. No timer runs while heads arrive whole in one
 * read, as they do from every real client: the clock is checked when a read ends, and a timer
 * armed only if a head is still incomplete then. Confined to the connection's event loop.
 */
final class HeadDeadline extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(HeadDeadline.class);

  private final long timeoutNanos;
  /** Some bytes of a head arrived (or, on a new connection, are awaited) and the head is not complete. */
  private boolean headPending = true;
  /** The request before has been read to its end: the next byte starts a head. */
  private boolean betweenRequests = true;
  private long headStart = System.nanoTime();
  private long lastResponseEnd;
  /** Heads decoded whose final response has not been written yet. */
  private int responsesOwed;
  private ScheduledFuture<?> timer;

  private HeadDeadline(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /**
   * Puts the deadline on a new data-plane connection. Fails closed: a connection whose pipeline
   * does not look as expected (a Vert.x upgrade renamed its handlers) is refused, not left unbounded.
   */
  static void install(HttpConnection conn, Duration timeout) {
    ChannelPipeline pipeline =
        conn instanceof io.vertx.core.net.impl.ConnectionBase base ? base.channel().pipeline() : null;
    if (pipeline == null || pipeline.get("httpDecoder") == null || pipeline.get("handler") == null) {
      log.error("data-plane connection without the expected HTTP/1.1 pipeline; closing it (head deadline cannot be enforced)");
      conn.close();
      return;
    }
    HeadDeadline deadline = new HeadDeadline(timeout);
    pipeline.addBefore("httpDecoder", "headBytes", deadline.bytesIn());
    pipeline.addBefore("handler", "headDeadline", deadline);
  }

  /** Watches raw bytes, before the decoder, to see when a head starts. */
  private ChannelInboundHandlerAdapter bytesIn() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (betweenRequests && !headPending) {
          headPending = true;
          headStart = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      headPending = false;
      betweenRequests = false;
      responsesOwed++;
      cancel();
    }
    if (msg instanceof LastHttpContent) {
      betweenRequests = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    arm(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent && !informational) {
      responsesOwed = Math.max(0, responsesOwed - 1);
      lastResponseEnd = System.nanoTime();
      arm(ctx);
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  /** Arms the timer when a head is incomplete and it is the client's turn to send. */
  private void arm(ChannelHandlerContext ctx) {
    if (timer != null || !headPending || responsesOwed > 0 || !ctx.channel().isOpen()) {
      return;
    }
    long due = Math.max(headStart, lastResponseEnd) + timeoutNanos;
    timer = ctx.executor().schedule(() -> expire(ctx), Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (!headPending || responsesOwed > 0) {
      return;
    }
    long overdue = System.nanoTime() - (Math.max(headStart, lastResponseEnd) + timeoutNanos);
    if (overdue < 0) {
      arm(ctx);
      return;
    }
    log.debug("closing data-plane connection from {}: request head not complete within {} s",
        ctx.channel().remoteAddress(), TimeUnit.NANOSECONDS.toSeconds(timeoutNanos));
    ctx.channel().close();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
