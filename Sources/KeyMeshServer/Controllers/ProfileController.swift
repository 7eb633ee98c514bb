// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI

/// `GET /profile/{userId}`, `/profile/{userId}/displayname` and `/profile/{userId}/avatar_url`
/// for the users of this server. KeyMesh keeps no profiles, so every user's display name is
/// their localpart (what Synapse sets at registration) and nobody has an avatar. Profiles
/// cannot be changed (`/capabilities` says so).
///
/// Unlike Synapse's default, a lookup needs an access token, so only account holders can ask
/// whether a user exists (docs/SECURITY.md "Deliberately allowed"). An unknown or remote user,
/// the avatar, and any other field are 404 `M_NOT_FOUND`, the spec's "no such profile field".
struct ProfileController<Context: RequestContext>: Sendable {
    let state: ServerState

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.get("profile/:userId") { request, context in
                let localpart = try await profileLocalpart(request, context)
                return JSONResponse.make(["displayname": .string(localpart)])
            }
            group.get("profile/:userId/:field") { request, context in
                let localpart = try await profileLocalpart(request, context)
                let field = try PathParameter.identifier(context, "field", "Profile field")
                guard field == "displayname" else { throw MatrixError.notFound("Profile field not found") }
                return JSONResponse.make(["displayname": .string(localpart)])
            }
        }
    }

    /// The localpart of the path's user, after checking the requester and that the user exists.
    private func profileLocalpart(_ request: Request, _ context: Context) async throws -> String {
        _ = try await state.authenticator.require(request)
        let userID = try PathParameter.identifier(context, "userId", "User id")
        guard state.users.isLocal(userID), try await state.store.passwordHash(of: userID) != nil else {
            throw MatrixError.notFound("Profile not found")
        }
        // isLocal: "@" + localpart + ":" + server name
        return String(userID.dropFirst().dropLast(state.users.serverName.count + 1))
    }
}
