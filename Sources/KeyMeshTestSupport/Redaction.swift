// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// Checks that a value's printed forms leak no secret bytes (STYLE.md §9, redaction tests).
public enum Redaction {
    /// `description`, `debugDescription` (via `String(reflecting:)`) and `dump()` output, joined.
    public static func renderings(_ value: Any) -> String {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), dumped].joined(separator: "\n")
    }

    /// How `secret` shows up in `text`: as hex, as base64, or as a 16-character base64 prefix.
    /// - Returns: the forms found; empty when nothing leaked.
    public static func leaks(of secret: [UInt8], in text: String) -> [String] {
        var found: [String] = []
        if text.contains(secret.hex) { found.append("hex") }
        if text.contains(Base64.encode(secret)) { found.append("base64") }
        if text.contains(Base64.encode(secret).prefix(16)) { found.append("base64 prefix") }
        return found
    }
}
