// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why key material could not be used.
public enum KeyError: Error, Equatable, Sendable {
    /// The key or signature had the wrong number of bytes.
    case invalidLength(expected: Int, got: Int)
    /// The key or signature was not valid base64.
    case invalidBase64
    /// An X25519 agreement produced the all-zero output (a low-order or malicious public key).
    case nonContributoryKey
    /// The bytes are not a usable key of this type.
    case invalidKey
}
