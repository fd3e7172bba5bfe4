package io.airlock.policy.revocation;

/** Read-only access to this node's current revocation snapshot; never blocks, never does I/O. */
@FunctionalInterface
public interface RevocationView {
  RevocationSnapshot current();
}
