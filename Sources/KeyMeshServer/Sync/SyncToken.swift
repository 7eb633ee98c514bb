// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// `next_batch` / `since` / `from` tokens: `s<stream position>`, opaque to clients.
enum SyncToken {
    static func make(_ position: Int64) -> String { "s\(position)" }

    /// - Throws: 400 `M_INVALID_PARAM` for anything that is not a token this server made.
    static func parse(_ text: String, parameter: String) throws(MatrixError) -> Int64 {
        guard text.hasPrefix("s"), text.count <= 20, let position = Int64(text.dropFirst()), position >= 0,
              text.dropFirst().allSatisfy({ ("0"..."9").contains($0) })
        else { throw .invalidParam("Invalid \(parameter) token") }
        return position
    }
}
