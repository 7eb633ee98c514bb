// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CSodium

/// Password storage with libsodium's `crypto_pwhash_str` (Argon2id, random salt, parameters
/// encoded in the result), verified with `crypto_pwhash_str_verify` (constant time).
///
/// Both calls are deliberately slow and memory-hungry; run them off the event loop.
public enum PasswordHash {
    /// How much work one hash costs.
    public enum Strength: String, Sendable, CaseIterable {
        /// libsodium's INTERACTIVE limits (2 passes, 64 MiB): the server default.
        case interactive
        /// libsodium's MODERATE limits (3 passes, 256 MiB).
        case moderate
        /// libsodium's minimum limits: for tests only, never for real passwords.
        case minimum

        var limits: (ops: UInt64, memory: Int) {
            switch self {
            case .interactive: (UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE), Int(crypto_pwhash_MEMLIMIT_INTERACTIVE))
            case .moderate: (UInt64(crypto_pwhash_OPSLIMIT_MODERATE), Int(crypto_pwhash_MEMLIMIT_MODERATE))
            case .minimum: (UInt64(crypto_pwhash_OPSLIMIT_MIN), Int(crypto_pwhash_MEMLIMIT_MIN))
            }
        }
    }

    /// Hashes `password` into a self-describing `$argon2id$…` string.
    /// - Throws: ``PasswordHashError/outOfMemory`` if libsodium cannot allocate the work area.
    public static func hash(_ password: String, strength: Strength = .interactive) throws(PasswordHashError) -> String {
        Sodium.initialize()
        let limits = strength.limits
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        let chars = Array(password.utf8CString)  // NUL-terminated, so never empty
        let status = crypto_pwhash_str(&out, chars, UInt64(chars.count - 1), limits.ops, limits.memory)
        guard status == 0 else { throw .outOfMemory }
        let end = out.firstIndex(of: 0) ?? out.endIndex
        return String(decoding: out[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches `stored` (a string from ``hash(_:strength:)``). A malformed
    /// `stored` string simply does not match.
    public static func verify(_ password: String, against stored: String) -> Bool {
        Sodium.initialize()
        let chars = Array(password.utf8CString)
        let storedChars = Array(stored.utf8CString)
        return crypto_pwhash_str_verify(storedChars, chars, UInt64(chars.count - 1)) == 0
    }
}

/// Why a password could not be hashed.
public enum PasswordHashError: Error, Equatable, Sendable {
    /// libsodium could not allocate the memory the chosen strength needs.
    case outOfMemory
}
