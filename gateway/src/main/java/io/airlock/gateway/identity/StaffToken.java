package io.airlock.gateway.identity;

import io.airlock.policy.staff.Staff;
import java.time.Instant;

/** A staff token issued by demo login, with who it names and when it stops working. */
public record StaffToken(String token, Staff staff, Instant expiresAt) {}
