// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI

/// `GET /room_keys/version`: the current server-side key backup. KeyMesh keeps no room keys (it
/// has no rooms), so there is never a backup and the answer is the spec's "none": 404
/// `M_NOT_FOUND` "No current backup version", as Synapse answers before a backup is created.
/// Element and matrix-nio ask at start and carry on without one. A named version is unknown too.
struct RoomKeysController<Context: RequestContext>: Sendable {
    let state: ServerState

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.get("room_keys/version") { request, _ -> Response in
                _ = try await state.authenticator.require(request)
                throw MatrixError.notFound("No current backup version")
            }
            group.get("room_keys/version/:version") { request, _ -> Response in
                _ = try await state.authenticator.require(request)
                throw MatrixError.notFound("Unknown backup version")
            }
        }
    }
}
