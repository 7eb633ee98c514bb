// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// Names and limits of `org.keymesh.p2p.v1` (docs/P2P.md §2, §10).
public enum P2PProtocol {
    /// The event type of every message, the record's `algorithm` and the prefix of every KDF input.
    public static let name = "org.keymesh.p2p.v1"
    /// The account data type of a device's pool record (docs/P2P.md §2).
    public static func poolAccountDataType(deviceID: String) -> String { "\(name).pool.\(deviceID)" }
    /// The largest message, in bytes of JSON (docs/P2P.md §4).
    public static let maxMessageBytes = 64 * 1024
    /// The deepest JSON nesting of a message (the top-level object is depth 1).
    public static let maxDepth = 16
    /// A session's lifetime in milliseconds (docs/P2P.md §10).
    public static let sessionLifetime: Int64 = 10 * 60 * 1000
    /// An initiator nominates only keys that stay valid at least this long (docs/P2P.md §3).
    public static let nominationMargin: Int64 = 60 * 1000
    /// The largest sequence number, 2^53 - 1 (docs/P2P.md §4).
    public static let maxSequence = UInt64(JSONValue.maxSafeInteger)

    /// The parser limits of a message (docs/P2P.md §4): 64 KiB, depth 16.
    static let jsonLimits = JSONParser.Limits(
        maxDepth: maxDepth, maxMembers: 4096, maxElements: 8192, maxStringBytes: maxMessageBytes,
        maxInputBytes: maxMessageBytes)
}
