// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI

/// `GET /pushrules/` and `GET /pushrules/global/`: the user's push rules, always an empty global
/// ruleset. KeyMesh has no rooms and sends no notifications, so no rule could ever match.
///
/// The endpoint must answer: matrix-js-sdk (Element) fetches push rules before its first
/// `/sync` and retries for ever while that fails, so without it Element never starts. An
/// empty ruleset is spec-shaped (every kind is optional); the SDK fills in its own defaults.
/// Rules cannot be changed: the write endpoints stay unknown (docs/SERVER.md "Endpoints").
struct PushRulesController<Context: RequestContext>: Sendable {
    let state: ServerState

    /// An empty ruleset: every rule kind, no rules.
    static var ruleset: JSONObject {
        ["content": [], "override": [], "room": [], "sender": [], "underride": []]
    }

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.get("pushrules") { request, _ in
                _ = try await state.authenticator.require(request)
                return JSONResponse.make(["global": .object(Self.ruleset)])
            }
            group.get("pushrules/global") { request, _ in
                _ = try await state.authenticator.require(request)
                return JSONResponse.make(Self.ruleset)
            }
        }
    }
}
