// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Limits of the unauthenticated account endpoints (docs/SECURITY.md "Limits"): each password
/// hash costs tens of milliseconds and, at `interactive`, 64 MiB, so `/register` and `/login`
/// are rate-limited per client address, failed logins per target user, and the Argon2id
/// computations running at once are capped process-wide with a bounded queue behind them.
/// Refusals are 429 `M_LIMIT_EXCEEDED` with the `retry_after_ms` after which a retry can pass.
public struct AuthLimits: Sendable, Equatable {
    /// A token bucket: `perSecond` a second, up to `burst` saved. `perSecond` 0 turns it off.
    public struct Rate: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double

        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }

        public static let off = Rate(perSecond: 0, burst: 0)
    }

    /// `POST /register` (UIA challenges included) and the admin-registration nonce and
    /// registration, per client address.
    public var registerPerAddress = Rate(perSecond: 1, burst: 50)
    /// `POST /login`, per client address.
    public var loginPerAddress = Rate(perSecond: 1, burst: 50)
    /// Failed `POST /login` attempts per target user id (from any address): a password
    /// guesser spread over many addresses still gets this many guesses.
    public var failedLoginsPerUser = Rate(perSecond: 0.1, burst: 10)
    /// Password hashes (Argon2id) computed at once, process-wide.
    public var passwordHashConcurrency = 4
    /// Password hashes waiting for a slot; beyond this a request is refused with 429.
    public var passwordHashQueue = 64

    public init() {}

    /// No rate limit at all (tests); the hash cap stays.
    public static var unlimitedRates: AuthLimits {
        var limits = AuthLimits()
        limits.registerPerAddress = .off
        limits.loginPerAddress = .off
        limits.failedLoginsPerUser = .off
        return limits
    }
}
