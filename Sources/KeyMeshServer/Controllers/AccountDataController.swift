// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import KeyMeshStore

/// `PUT`/`GET /user/{userId}/account_data/{type}`: a user's global account data, kept for real
/// (``AccountDataStore``) because P2P device enrolment publishes per-user data there.
///
/// - Only a user's own data: another user id is 403 `M_FORBIDDEN` (as Synapse).
/// - `type` is an identifier (``Identifier``); the body must be a JSON object.
/// - At most `ServerConfig.accountData` per user (by default 64 KiB of canonical JSON per type
///   and 100 types); beyond is 413 `M_TOO_LARGE` and nothing is stored (docs/SECURITY.md "Limits").
/// - `m.push_rules` belongs to the push-rules API, so a client may not write it: 405
///   `M_BAD_JSON`, as the spec says for server-controlled types.
/// - A type never written is 404 `M_NOT_FOUND`.
/// - A write takes a stream position and wakes the user's `/sync` long-polls, which report it in
///   `account_data` (docs/SERVER.md "Account data").
struct AccountDataController<Context: RequestContext>: Sendable {
    let state: ServerState
    var limits: AccountDataLimits { state.config.accountData }

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.put("user/:userId/account_data/:type") { request, context in
                let requester = try await state.authenticator.require(request)
                _ = try PathParameter.ownUserID(context, requester: requester, action: "add account data")
                let type = try PathParameter.identifier(context, "type", "Account data type")
                guard type != "m.push_rules" else {
                    throw MatrixError(.methodNotAllowed, "M_BAD_JSON", "Cannot set m.push_rules through this API")
                }
                let content = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
                guard let bytes = try? CanonicalJSON.encode(.object(content)) else {
                    throw MatrixError.badJSON("Account data cannot be encoded")
                }
                try await state.store.putAccountData(requester.device, type: type,
                                                     contentJSON: String(decoding: bytes, as: UTF8.self), limits: limits)
                // every device of the user reports it in `/sync` `account_data`: wake their long-polls
                state.notifier.notify([requester.userID])
                return JSONResponse.make([:])
            }
            group.get("user/:userId/account_data/:type") { request, context in
                let requester = try await state.authenticator.require(request)
                let userID = try PathParameter.ownUserID(context, requester: requester, action: "get account data")
                let type = try PathParameter.identifier(context, "type", "Account data type")
                guard let json = try await state.store.accountData(of: userID, type: type) else {
                    throw MatrixError.notFound("Account data not found")
                }
                guard let content = try JSONResponse.stored(json).objectValue else {
                    throw StoredJSONError(underlying: .unexpectedEnd)
                }
                return JSONResponse.make(content)
            }
        }
    }
}
