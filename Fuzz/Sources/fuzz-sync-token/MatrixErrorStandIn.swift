// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Stands in for KeyMeshServer's MatrixError, so SyncToken.swift compiles here unchanged.
struct MatrixError: Error {
    let message: String
    static func invalidParam(_ message: String) -> MatrixError { MatrixError(message: message) }
}
