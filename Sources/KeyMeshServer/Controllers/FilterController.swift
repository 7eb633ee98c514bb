// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird
import KeyMeshMatrixAPI

/// `POST /user/{userId}/filter` and `GET /user/{userId}/filter/{filterId}`: sync filters, which
/// Element uploads before its first `/sync`. The id is the filter itself (``Filter``), so
/// nothing is stored. Only a user's own filters: 403 `M_FORBIDDEN` for another user id.
struct FilterController<Context: RequestContext>: Sendable {
    let state: ServerState

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.post("user/:userId/filter") { request, context in
                let requester = try await state.authenticator.require(request)
                _ = try PathParameter.ownUserID(context, requester: requester, action: "create filters")
                let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
                return JSONResponse.make(["filter_id": .string(try Filter.id(for: body))])
            }
            group.get("user/:userId/filter/:filterId") { request, context in
                let requester = try await state.authenticator.require(request)
                _ = try PathParameter.ownUserID(context, requester: requester, action: "get filters")
                let id = try PathParameter.decoded(context, "filterId", "Filter id")
                guard let filter = Filter.filter(id: id) else { throw MatrixError.notFound("No such filter") }
                return JSONResponse.make(filter)
            }
        }
    }
}
