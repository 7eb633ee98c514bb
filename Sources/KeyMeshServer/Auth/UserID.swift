// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Matrix user ids of this server: `@<localpart>:<serverName>` (spec appendix "User
/// Identifiers"). Localparts of new users are limited to `a-z 0-9 . _ = - / +`, and a whole
/// id to 255 bytes.
struct UserIDs: Sendable {
    let serverName: String

    /// The full id for a new user's requested name. Names are lower-cased, as Synapse does.
    /// - Throws: 400 `M_INVALID_USERNAME` for an empty, malformed or too long name.
    func newUserID(_ username: String) throws(MatrixError) -> String {
        let localpart = username.lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._=-/+".utf8)
        guard !localpart.isEmpty, localpart.utf8.allSatisfy(allowed.contains) else {
            throw MatrixError(.badRequest, "M_INVALID_USERNAME", "User ID may contain only a-z, 0-9, . _ = - / +")
        }
        let userID = "@\(localpart):\(serverName)"
        guard userID.utf8.count <= 255 else {
            throw MatrixError(.badRequest, "M_INVALID_USERNAME", "User ID is longer than 255 bytes")
        }
        return userID
    }

    /// The full id a login names: a bare localpart or `@local:server`. Nil if it is not ours.
    /// Only the localpart is case-folded, as Synapse does (new localparts are lower-case); the
    /// server name must be ours exactly, and keeps its case.
    func loginUserID(_ user: String) -> String? {
        guard user.hasPrefix("@") else { return "@\(user.lowercased()):\(serverName)" }
        let rest = user.dropFirst()
        guard let colon = rest.firstIndex(of: ":"), rest[rest.index(after: colon)...].utf8.elementsEqual(serverName.utf8) else { return nil }
        return "@\(rest[..<colon].lowercased()):\(serverName)"
    }

    /// Whether `userID` belongs to this server.
    func isLocal(_ userID: String) -> Bool {
        userID.hasPrefix("@") && userID.hasSuffix(":\(serverName)")
    }
}
