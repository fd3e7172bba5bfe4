package io.airlock.gateway.audit;

/** The in-process ring of a single node without Redis. */
class RingAuditFeedTest extends AuditFeedContract {
  @Override
  protected AuditFeed newFeed(long scanCap) {
    return new RingAuditFeed(10_000, scanCap);
  }

  @Override
  protected void awaitMirrored(AuditFeed feed, long count) {
    // mirror() appends before it returns
  }
}
