// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import NIOPosix

/// Hashes and checks passwords on NIO's blocking thread pool, never on an event loop: each
/// Argon2id call takes tens of milliseconds and (at `interactive`) 64 MiB, and the pool's
/// fixed size bounds how many run at once.
struct PasswordHasher: Sendable {
    let strength: PasswordHash.Strength

    func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { [strength] in
            try PasswordHash.hash(password, strength: strength)
        }
    }

    func verify(_ password: String, against stored: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { PasswordHash.verify(password, against: stored) }
    }
}
