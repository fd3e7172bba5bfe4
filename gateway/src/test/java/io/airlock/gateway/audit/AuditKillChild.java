package io.airlock.gateway.audit;

import io.airlock.policy.config.AuditConfig;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The process {@link AuditKillTest} kills: 64 clients append in {@code sync} durability as fast
 * as they can and print {@code ack <seq> <hash>} for every acknowledged record, after the
 * acknowledgement, like a load client counting the 200s it received.
 */
public final class AuditKillChild {
  private AuditKillChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    AuditConfig config = new AuditConfig(dir, AuditConfig.Durability.SYNC, 512, 65_536, 1000);
    AuditLog log = AuditLog.open(config, "kill", Clock.systemUTC(), AuditMirror.NONE);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    for (int c = 0; c < 64; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                for (long i = 0; ; i++) {
                  AuditReceipt r;
                  try {
                    r =
                        log.append(AuditTypes.ACCESS, Map.of("client", "c-" + client, "i", i))
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get();
                  } catch (Exception e) {
                    continue; // not acknowledged: nothing to print
                  }
                  synchronized (out) {
                    out.println("ack " + r.seq() + " " + r.hash());
                    out.flush();
                  }
                }
              });
      t.start();
    }
    Thread.currentThread().join(); // until killed
  }
}
