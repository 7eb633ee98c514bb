// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why a session is opened (docs/P2P.md §5): `join` asks to be authorised (§7), `rotation`
/// brings new secrets (§9).
public enum P2PPurpose: String, Sendable {
    case join
    case rotation
}

/// The `type` of a message (docs/P2P.md §4).
public enum P2PMessageType: String, Sendable, CaseIterable {
    case sessionrequest
    case sessionresponse
    case authproof
    case authgrant
    case rotation
    case abort

    /// Whether the message carries a plain `body` (the two establishment messages) rather than
    /// a `ciphertext`.
    public var isPlain: Bool { self == .sessionrequest || self == .sessionresponse }
}
