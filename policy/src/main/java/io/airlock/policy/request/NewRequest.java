package io.airlock.policy.request;

import java.util.List;

/**
 * What an agent posts to ask for access, as parsed from JSON and not yet validated: any
 * component may be null (absent in the body). {@link ApprovalRules#create} checks it.
 *
 * @param durationMinutes null means the policy's default grant lifetime
 * @param unmask field class codes ({@code email}, {@code ssn}, ...); null means none
 * @param actions action codes ({@code read}, {@code write}); null means {@code [read]}
 */
public record NewRequest(
    String ticket,
    List<String> clients,
    String reason,
    Integer durationMinutes,
    List<String> unmask,
    List<String> actions) {}
