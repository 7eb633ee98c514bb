// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshStore

/// Operator registration with a shared secret, on Synapse's wire format so its tooling
/// (`register_new_matrix_user`) works: `GET /_synapse/admin/v1/register` hands out a nonce;
/// `POST` the same path with `nonce`, `username`, `password`, `admin` and `mac`, the hex
/// HMAC-SHA1 under the secret of `nonce \0 username \0 password \0 ("admin"|"notadmin")`.
/// Works whatever `--registration` says; off unless a secret is configured. A nonce is good
/// once, for an hour.
struct AdminRegisterController<Context: RequestContext>: Sendable {
    let state: ServerState
    let account: AccountController<Context>
    static var path: String { "/_synapse/admin/v1/register" }

    func addRoutes(to router: Router<Context>) {
        router.get(RouterPath(Self.path)) { _, _ in
            _ = try sharedSecret()  // 400 when shared-secret registration is off
            let nonce = AccessToken.randomURLSafe(bytes: 24)
            try await state.store.putAuthSession(AuthSession(id: nonce, purpose: "admin_register", userID: nil,
                                                             createdAt: ClientAPI.now()))
            return JSONResponse.make(["nonce": .string(nonce)])
        }
        router.post(RouterPath(Self.path)) { request, _ in try await register(request) }
    }

    func sharedSecret() throws(MatrixError) -> String {
        guard let secret = state.config.registrationSharedSecret, !secret.isEmpty else {
            throw MatrixError(.badRequest, "M_UNKNOWN", "Shared secret registration is not enabled")
        }
        return secret
    }

    func register(_ request: Request) async throws -> Response {
        let secret = try sharedSecret()
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let nonce = try body.string("nonce")
        let username = try body.string("username")
        let password = try body.string("password")
        let admin = try body.optionalBool("admin") ?? false
        let mac = try body.string("mac")
        guard let session = try await state.store.authSession(nonce), session.purpose == "admin_register",
              ClientAPI.now() - session.createdAt < InteractiveAuth.lifetime
        else { throw MatrixError.invalidParam("Unknown or expired nonce") }
        let message = Array(nonce.utf8) + [0] + Array(username.utf8) + [0] + Array(password.utf8) + [0]
            + Array((admin ? "admin" : "notadmin").utf8)
        guard HMACSHA1.isValid(hexTag: mac, key: Array(secret.utf8), message: message) else {
            throw MatrixError.forbidden("HMAC incorrect")
        }
        guard try await state.store.consumeAuthSession(nonce) else { throw MatrixError.invalidParam("Nonce already used") }
        let userID = try state.users.newUserID(username)
        try AccountController<Context>.checkPassword(password)
        do {
            try await state.store.createUser(userID, passwordHash: try await state.hasher.hash(password))
        } catch AccountStoreError.userExists {
            throw MatrixError(.badRequest, "M_USER_IN_USE", "User ID already taken")
        }
        return JSONResponse.make(try await account.openDevice(userID: userID, deviceID: nil, displayName: nil))
    }
}
