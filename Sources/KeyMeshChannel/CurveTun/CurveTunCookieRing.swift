// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import Synchronization

/// What one curve_tun listener shares between its connections (docs/channel-protocol.md §9):
/// the minute keys that seal cookies, and the replay cache of client ephemeral keys `EC`
/// already accepted while a cookie for them can still open.
///
/// A cookie opens under the current or the previous minute key, so it lives 60–120 s. A
/// recorded Hello and Vouch replayed inside that time would otherwise open again (issue 12,
/// item 4). The cache keeps one set of accepted keys per minute-key generation: a key accepted
/// while generation `g` is current can only belong to a cookie sealed under `g` or `g − 1`, and
/// both are gone two rotations later, so the set is dropped exactly when its key drops out.
/// Nothing is forgotten while its cookie could still open.
///
/// Bounded: at most ``capacity`` keys in both sets together. When an accept would exceed it, the
/// ring rotates early (the oldest generation's key and set go together); in the worst case it
/// rotates twice, which refuses the cookies of handshakes still in flight (their clients retry)
/// but never forgets a key whose cookie still opens.
public final class CurveTunCookieRing: Sendable {
    /// The default bound on remembered client ephemeral keys: 65536 keys, about 6 MiB.
    public static let defaultCapacity = 65536

    private struct State {
        var keys: MinuteKeys
        var current: Set<Curve25519PublicKey> = []
        var previous: Set<Curve25519PublicKey> = []

        mutating func rotate(using random: some RandomSource) {
            keys = keys.rotated(using: random)
            previous = current
            current = []
        }
    }

    private let state: Mutex<State>
    private let random: any RandomSource
    /// At most this many accepted keys are remembered (both generations together).
    public let capacity: Int

    /// - Parameters:
    ///   - keys: the starting minute keys (a fresh random key by default).
    ///   - capacity: the bound on remembered keys; at least 1.
    public init(keys: MinuteKeys? = nil, capacity: Int = CurveTunCookieRing.defaultCapacity,
                random: some RandomSource = SystemRandom()) {
        state = Mutex(State(keys: keys ?? MinuteKeys(current: NaClSecretBox(using: random), previous: nil)))
        self.capacity = max(1, capacity)
        self.random = random
    }

    /// The minute keys now: cookies are sealed under `current` and opened under either.
    public var keys: MinuteKeys { state.withLock { $0.keys } }

    /// The number of client ephemeral keys remembered.
    public var rememberedCount: Int { state.withLock { $0.current.count + $0.previous.count } }

    /// A new generation: a fresh minute key becomes current, the oldest key and the keys accepted
    /// under it are forgotten together. The listener calls this every 60 s.
    public func rotate() {
        state.withLock { $0.rotate(using: random) }
    }

    /// Whether `clientEphemeral` was already accepted while a cookie for it can still open.
    public func hasAccepted(_ clientEphemeral: Curve25519PublicKey) -> Bool {
        state.withLock { $0.current.contains(clientEphemeral) || $0.previous.contains(clientEphemeral) }
    }

    /// Records `clientEphemeral` as accepted, once.
    /// - Returns: false when it was already accepted (a replay); the caller refuses the handshake.
    public func accept(_ clientEphemeral: Curve25519PublicKey) -> Bool {
        state.withLock { state in
            if state.current.contains(clientEphemeral) || state.previous.contains(clientEphemeral) { return false }
            while state.current.count + state.previous.count >= capacity {
                state.rotate(using: random)
            }
            state.current.insert(clientEphemeral)
            return true
        }
    }
}
