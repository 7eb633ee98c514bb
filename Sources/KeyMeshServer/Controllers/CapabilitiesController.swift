// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI

/// `GET /capabilities` (spec "Capabilities negotiation"): what a client may not do here.
///
/// Every capability the spec defines for an account is reported as disabled, because KeyMesh
/// has no endpoint for it: no password change, no profile edits, no third-party ids, no login
/// tokens. A capability left out means "assume it works" for `m.change_password`, so each is
/// stated explicitly. `m.room_versions` is optional in the spec and left out: there are no
/// rooms, so any version list would be untrue (docs/SERVER.md "Endpoints").
struct CapabilitiesController<Context: RequestContext>: Sendable {
    let state: ServerState

    static var capabilities: JSONObject {
        let disabled: JSONValue = ["enabled": false]
        return [
            "m.change_password": disabled,
            "m.set_displayname": disabled,
            "m.set_avatar_url": disabled,
            "m.3pid_changes": disabled,
            "m.get_login_token": disabled,
        ]
    }

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.get("capabilities") { request, _ in
                _ = try await state.authenticator.require(request)
                return JSONResponse.make(["capabilities": .object(Self.capabilities)])
            }
        }
    }
}
