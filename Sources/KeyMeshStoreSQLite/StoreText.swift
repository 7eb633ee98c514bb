// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore

/// Text the account and event tables bind, checked before it reaches SQLite: GRDB binds a
/// Swift string up to its first NUL, so `"@alice:hs\0x"` would be stored, or looked up, as
/// `"@alice:hs"` (docs/SECURITY.md "Identifiers"). The store refuses such text instead. The
/// same rule as `StoredText` and `SQLiteStore.bind` of the key tables, checked once per call
/// before the transaction, with the field named in the error.
enum StoreText {
    /// - Throws: ``StoreError/invalidText(_:)`` naming `what` if any of `texts` holds NUL.
    static func check(_ what: String, _ texts: String?...) throws {
        for text in texts {
            if let text, text.utf8.contains(0) { throw StoreError.invalidText(what) }
        }
    }

    /// Checks both parts of a device reference.
    static func check(_ device: DeviceRef) throws {
        try check("user and device ids", device.userID, device.deviceID)
    }
}
