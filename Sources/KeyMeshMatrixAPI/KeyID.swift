// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// A Matrix key identifier, `algorithm:id` (for example `ed25519:ALICEDEV`,
/// `signed_curve25519:AAAAAQ`). Prints as `algorithm:id`.
public struct KeyID: Hashable, Sendable, CustomStringConvertible {
    /// The algorithm part, before the first colon.
    public let algorithm: String
    /// The key or device identifier, after the first colon.
    public let id: String

    /// Builds an identifier from its parts.
    public init(algorithm: String, id: String) {
        self.algorithm = algorithm
        self.id = id
    }

    /// Parses `algorithm:id` at the first U+003A; `nil` if there is none or either part is empty.
    /// The split is by Unicode scalar: a colon followed by a combining mark forms one Swift
    /// `Character`, which `firstIndex(of: ":")` would miss.
    public init?(_ text: String) {
        let scalars = text.unicodeScalars
        guard let colon = scalars.firstIndex(of: ":") else { return nil }
        let algorithm = String(scalars[..<colon]), id = String(scalars[scalars.index(after: colon)...])
        guard !algorithm.isEmpty, !id.isEmpty else { return nil }
        self.init(algorithm: algorithm, id: id)
    }

    public var description: String { "\(algorithm):\(id)" }

    /// Byte-exact equality, like JSON member names: `ed25519:é` and `ed25519:e\u{301}` differ.
    public static func == (lhs: KeyID, rhs: KeyID) -> Bool {
        lhs.algorithm.utf8.elementsEqual(rhs.algorithm.utf8) && lhs.id.utf8.elementsEqual(rhs.id.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Array(algorithm.utf8))
        hasher.combine(Array(id.utf8))
    }

    /// `ed25519:<id>`.
    public static func ed25519(_ id: String) -> KeyID { KeyID(algorithm: "ed25519", id: id) }
    /// `curve25519:<id>`.
    public static func curve25519(_ id: String) -> KeyID { KeyID(algorithm: "curve25519", id: id) }
    /// `signed_curve25519:<id>`, the name of a signed one-time or fallback key.
    public static func signedCurve25519(_ id: String) -> KeyID { KeyID(algorithm: "signed_curve25519", id: id) }
}
