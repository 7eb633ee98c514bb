// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshStore

/// Who is calling: the device an access token belongs to.
struct Requester: Sendable {
    let device: DeviceRef
    /// The hash of the token used (the scope of to-device transaction ids).
    let tokenHash: String
    var userID: String { device.userID }
}

/// Finds the requester from `Authorization: Bearer <token>`. The `access_token` query
/// parameter, deprecated by the spec (v1.11), is not read: tokens in URLs end up in logs and
/// browser histories. 401 `M_MISSING_TOKEN` without a token, 401
/// `M_UNKNOWN_TOKEN` (with `soft_logout: false`) for a token the server does not know.
struct Authenticator: Sendable {
    let store: any AccountStore

    func require(_ request: Request) async throws -> Requester {
        guard let token = Self.token(in: request) else {
            throw MatrixError(.unauthorized, "M_MISSING_TOKEN", "Missing access token")
        }
        let hash = AccessToken.hash(token)
        guard let device = try await store.device(forTokenHash: hash) else {
            throw MatrixError(.unauthorized, "M_UNKNOWN_TOKEN", "Unknown access token", extra: ["soft_logout": false])
        }
        return Requester(device: device, tokenHash: hash)
    }

    static func token(in request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }
}
