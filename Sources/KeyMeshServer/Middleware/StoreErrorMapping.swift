// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshStore

extension MatrixError {
    /// The Matrix error for a store refusal (``StoreError``), or nil for any other error.
    /// ``MatrixErrorMiddleware`` applies it to everything a handler throws, so a refusal found
    /// inside a write transaction needs no mapping at each call site.
    init?(storeError error: any Error) {
        switch error as? StoreError {
        case .deviceNotFound?:
            // the token's device was deleted while the request was in flight: the token is dead
            self.init(.unauthorized, "M_UNKNOWN_TOKEN", "Unknown access token", extra: ["soft_logout": false])
        case .invalidText(let what)?:
            self = .invalidParam("\(what) must not contain NUL")
        case .limitExceeded(let what, let limit)?:
            self.init(.contentTooLarge, "M_TOO_LARGE", "Limit exceeded: at most \(limit) \(what)")
        case .limitReached(let what, let limit)?:
            self = .forbidden("Limit reached: at most \(limit) \(what)")
        case nil:
            return nil
        }
    }
}
