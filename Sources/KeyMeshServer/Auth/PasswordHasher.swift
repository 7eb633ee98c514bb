// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import NIOPosix

/// Hashes and checks passwords on NIO's blocking thread pool, never on an event loop: each
/// Argon2id call takes tens of milliseconds and (at `interactive`) 64 MiB. A
/// ``PasswordHashGate`` caps how many run at once and how many wait (``AuthLimits``).
struct PasswordHasher: Sendable {
    let strength: PasswordHash.Strength
    let gate: PasswordHashGate

    init(strength: PasswordHash.Strength, limits: AuthLimits = AuthLimits()) {
        self.strength = strength
        gate = PasswordHashGate(concurrency: limits.passwordHashConcurrency, queue: limits.passwordHashQueue)
    }

    func hash(_ password: String) async throws -> String {
        try await gate.run { [strength] in
            try await NIOThreadPool.singleton.runIfActive { try PasswordHash.hash(password, strength: strength) }
        }
    }

    /// Spends what checking a password costs, then answers false: a login naming a user that
    /// does not exist takes as long as a wrong password, so its timing does not tell which user
    /// ids exist (docs/SECURITY.md "Threat model").
    func verifyWithoutAccount(_ password: String) async throws -> Bool {
        _ = try await hash(password)
        return false
    }

    func verify(_ password: String, against stored: String) async throws -> Bool {
        try await gate.run {
            try await NIOThreadPool.singleton.runIfActive { PasswordHash.verify(password, against: stored) }
        }
    }
}
