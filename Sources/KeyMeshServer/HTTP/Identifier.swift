// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The one rule for identifiers that arrive from the wire: user ids, device ids, key
/// algorithms, key ids, event types and transaction ids (docs/SECURITY.md "Identifiers").
///
/// Each is 1 to 255 bytes of printable ASCII (0x21–0x7E), the grammar the Matrix spec gives
/// user ids, device ids and opaque ids. Inside ASCII, Swift `String ==` (canonical equivalence)
/// and SQLite's byte comparison agree, so two identifiers that are different bytes can never
/// meet as "equal" keys of a Swift dictionary; and NUL, which SQLite bindings cut at, never
/// reaches the store.
enum Identifier {
    /// The longest identifier accepted, in bytes.
    static let maxBytes = 255

    /// Whether `text` is a well-formed identifier.
    static func isValid(_ text: String) -> Bool {
        (1...maxBytes).contains(text.utf8.count) && text.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// Checks `text`; `what` names it in the error.
    /// - Throws: 400 `M_INVALID_PARAM`.
    static func check(_ text: String, _ what: String) throws(MatrixError) {
        guard isValid(text) else {
            throw .invalidParam("\(what) must be 1 to \(maxBytes) bytes of printable ASCII")
        }
    }
}
