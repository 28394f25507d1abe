package io.sluice.nat44.api;

/** An inside address with sessions: the counts {@code show nat44 sessions} prints per host. */
public record UserInfo(int insideAddress, int dynamicSessions, int staticSessions) {
}
