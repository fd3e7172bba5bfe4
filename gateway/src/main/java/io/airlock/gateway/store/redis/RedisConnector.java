package io.airlock.gateway.store.redis;

import io.airlock.gateway.config.SecretValues;
import io.airlock.policy.config.RedisConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One Redis deployment as the stores see it: async commands, a pub/sub connection and the key
 * names. Standalone and Sentinel go through {@link RedisClient}, Cluster through {@link
 * RedisClusterClient}; both hand out {@link RedisClusterAsyncCommands}, so the stores have one code
 * path.
 *
 * <p>Fail fast, never queue (DESIGN.md "Known traps"): Lettuce's defaults buffer commands without
 * limit while disconnected and time out after 60 s, which would turn a Redis outage into stale
 * answers given late. Here a command issued while disconnected fails at once, every command has
 * {@code commandTimeout}, the in-flight queue is bounded, and the connection reconnects by itself.
 *
 * <p>Every stage completes on a Lettuce I/O thread. Callers continue on their own thread (the
 * gateway: {@code Future.fromCompletionStage(stage, context)}) and never block in a callback.
 */
public final class RedisConnector implements AutoCloseable {
  /** Beyond this many commands in flight, new ones fail instead of piling up. */
  static final int REQUEST_QUEUE_SIZE = 10_000;

  static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(30);

  /**
   * Longest pause between reconnect attempts. Lettuce's default backs off to 30 s, so after a long
   * outage a node could stay stale (and answer 503) for half a minute after Redis is back; capped,
   * it recovers within this much of Redis answering again.
   */
  static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);

  private final RedisConfig config;
  private final RedisKeys keys;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final StatefulRedisPubSubConnection<String, String> pubSub;

  private RedisConnector(
      RedisConfig config,
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands,
      StatefulRedisPubSubConnection<String, String> pubSub) {
    this.config = config;
    this.keys = new RedisKeys(config.keyPrefix());
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.pubSub = pubSub;
  }

  /**
   * Connects the command and pub/sub connections. Fails (without retrying) when Redis does not
   * answer within {@code connectTimeout}; once connected, reconnecting is automatic.
   */
  public static CompletionStage<RedisConnector> connect(RedisConfig config) {
    Objects.requireNonNull(config, "config");
    RedisCredentialsProvider credentials;
    SslOptions ssl;
    try {
      credentials = credentials(config);
      ssl = ssl(config);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(new RedisUnavailableException(
          "cannot connect to Redis at " + config.redactedUris() + ": " + e.getMessage(), e));
    }
    List<RedisURI> uris = config.uris().stream().map(u -> uri(u, config, credentials)).toList();
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(config.commandTimeout());

    // own resources per connector (as Lettuce's create() would make), with a capped backoff
    ClientResources resources =
        DefaultClientResources.builder()
            .reconnectDelay(Delay.exponential(Duration.ofMillis(1), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build();
    CompletableFuture<RedisConnector> result;
    AbstractRedisClient client;
    if (config.cluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      cluster.setOptions(
          ClusterClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .autoReconnect(true)
              .timeoutOptions(timeouts)
              .socketOptions(socket)
              .requestQueueSize(REQUEST_QUEUE_SIZE)
              .sslOptions(ssl)
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                      .enableAllAdaptiveRefreshTriggers()
                      .build())
              .build());
      client = cluster;
      // the async connect needs the topology first (the blocking connect would load it itself)
      result =
          cluster
              .refreshPartitionsAsync()
              .toCompletableFuture()
              .thenCompose(x -> cluster.connectAsync(StringCodec.UTF8))
              .thenCompose(c -> connectEveryUpstream(cluster, c))
              .thenCompose(
                  c ->
                      cluster
                          .connectPubSubAsync(StringCodec.UTF8)
                          .<RedisConnector>thenApply(
                              p -> new RedisConnector(config, cluster, c, c.async(), p))
                          .whenComplete((ok, e) -> closeOnFailure(c, e)));
    } else {
      RedisClient single = RedisClient.create(resources);
      single.setOptions(
          ClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .autoReconnect(true)
              .timeoutOptions(timeouts)
              .socketOptions(socket)
              .requestQueueSize(REQUEST_QUEUE_SIZE)
              .sslOptions(ssl)
              .build());
      client = single;
      RedisURI uri = uris.get(0);
      result =
          single
              .connectAsync(StringCodec.UTF8, uri)
              .toCompletableFuture()
              .thenCompose(
                  c ->
                      single
                          .connectPubSubAsync(StringCodec.UTF8, uri)
                          .toCompletableFuture()
                          .<RedisConnector>thenApply(
                              p -> new RedisConnector(config, single, c, c.async(), p))
                          .whenComplete((ok, e) -> closeOnFailure(c, e)));
    }
    return result.exceptionallyCompose(
        e ->
            client
                .shutdownAsync(0, 1, TimeUnit.SECONDS)
                .handle((x, y) -> null)
                .thenCompose(x -> shutdown(client))
                .handle(
                    (x, y) -> {
                      throw new RedisUnavailableException(
                          "cannot connect to Redis at " + config.redactedUris() + why(unwrap(e)), unwrap(e));
                    }));
  }

  /**
   * What went wrong, for the start-up error: a failed TLS handshake names the check that failed
   * (untrusted chain, host not in the certificate), which Lettuce's "unable to connect" hides in
   * its causes. Exception messages here name hosts and certificates, never the password.
   */
  static String why(Throwable e) {
    Throwable deepest = e;
    boolean tls = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      tls |= t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException;
      deepest = t;
    }
    if (tls) {
      String m = String.valueOf(deepest.getMessage());
      return ": TLS handshake failed (" + m + "): " + (m.contains("certificate_required") || m.contains("bad_certificate")
          ? "the server wants a client certificate it trusts (redis.tls.certFile and redis.tls.keyFile)"
          : "the server's certificate must chain to redis.tls.caFile (or the JVM trust store) and name the host in redis.uri");
    }
    return deepest == e ? "" : ": " + deepest.getClass().getSimpleName() + ": " + deepest.getMessage();
  }

  private static RedisCredentialsProvider credentials(RedisConfig config) throws IOException {
    if (config.password().isEmpty()) {
      return null;
    }
    String password;
    try {
      password = SecretValues.read(config.password().get());
    } catch (IOException e) {
      throw new IOException("redis.passwordFile: " + config.password().get().describe() + " cannot be read ("
          + e.getClass().getSimpleName() + ")", e);
    }
    // a password file usually ends with a newline that is not part of the password
    String trimmed = password.replaceFirst("\\R+$", "");
    return new StaticCredentialsProvider(config.username().orElse(null), trimmed.toCharArray());
  }

  /**
   * TLS 1.2+ with the configured CA bundle and client certificate. Hostname verification is
   * Lettuce's {@code SslVerifyMode.FULL}, which {@link #uri} sets on every URI whatever it says.
   */
  private static SslOptions ssl(RedisConfig config) {
    SslOptions.Builder b = SslOptions.builder().jdkSslProvider().protocols("TLSv1.3", "TLSv1.2");
    config.tls().ifPresent(t -> {
      b.trustManager(t.caFile().toFile());
      if (t.certFile().isPresent() && t.keyFile().isPresent()) {
        b.keyManager(t.certFile().get().toFile(), t.keyFile().get().toFile(), null);
      }
    });
    return b.build();
  }

  /**
   * Opens the connection to every master now. Lettuce opens node connections on first use, and
   * with REJECT_COMMANDS a command whose node connection is still being opened is rejected: the
   * first request after start-up would fail for no reason.
   */
  private static CompletableFuture<StatefulRedisClusterConnection<String, String>>
      connectEveryUpstream(
          RedisClusterClient cluster, StatefulRedisClusterConnection<String, String> c) {
    List<CompletableFuture<?>> nodes = new ArrayList<>();
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        nodes.add(
            c.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort(), ConnectionIntent.WRITE));
      }
    }
    return CompletableFuture.allOf(nodes.toArray(CompletableFuture[]::new))
        .thenApply(x -> c)
        .whenComplete((ok, e) -> closeOnFailure(c, e));
  }

  /** The client does not shut down resources it was given: after the client, they go too. */
  private static CompletableFuture<Void> shutdown(AbstractRedisClient client) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    client.getResources().shutdown(0, 2, TimeUnit.SECONDS).addListener(f -> done.complete(null));
    return done;
  }

  private static void closeOnFailure(StatefulConnection<?, ?> c, Throwable e) {
    if (e != null) {
      c.closeAsync();
    }
  }

  private static RedisURI uri(String text, RedisConfig config, RedisCredentialsProvider credentials) {
    RedisURI uri = RedisURI.create(text);
    // the URI timeout bounds the connection handshake (HELLO, AUTH, SELECT), which is part of
    // connecting; commands get commandTimeout through TimeoutOptions
    uri.setTimeout(config.connectTimeout());
    if (credentials != null) {
      uri.setCredentialsProvider(credentials);
    }
    if (uri.isSsl()) {
      uri.setVerifyPeer(SslVerifyMode.FULL);
    }
    return uri;
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof java.util.concurrent.CompletionException
            || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  public RedisConfig config() {
    return config;
  }

  public RedisKeys keys() {
    return keys;
  }

  public boolean isCluster() {
    return config.cluster();
  }

  /** Pipelined async commands; on Cluster each command is routed to the slot's node. */
  public RedisClusterAsyncCommands<String, String> commands() {
    return commands;
  }

  /**
   * The subscriber connection (on Cluster a {@code StatefulRedisClusterPubSubConnection}). Lettuce
   * resubscribes its channels after a reconnect; what was published meanwhile is lost.
   */
  public StatefulRedisPubSubConnection<String, String> pubSub() {
    return pubSub;
  }

  public boolean isOpen() {
    return connection.isOpen() && pubSub.isOpen();
  }

  public CompletionStage<Void> closeAsync() {
    return CompletableFuture.allOf(connection.closeAsync(), pubSub.closeAsync())
        .handle((x, e) -> null)
        .thenCompose(x -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
        .handle((x, e) -> null)
        .thenCompose(x -> shutdown(client))
        .handle((x, e) -> null);
  }

  /** Blocks until closed: for shutdown paths and tests, never an event loop. */
  @Override
  public void close() {
    closeAsync().toCompletableFuture().join();
  }
}
