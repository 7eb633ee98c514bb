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
/// once, for an hour, at the process that issued it (``AdminNonce``: handing one out stores
/// nothing). Both methods are rate-limited per client address like `/register`.
struct AdminRegisterController<Context: RequestContext>: Sendable {
    let state: ServerState
    let account: AccountController<Context>
    static var path: String { "/_synapse/admin/v1/register" }
    /// The auth-session purpose that marks a nonce as used.
    static var usedNoncePurpose: String { "admin_register_used" }

    func addRoutes(to router: Router<Context>) {
        router.get(RouterPath(Self.path)) { _, context in
            _ = try sharedSecret()  // 400 when shared-secret registration is off
            try AuthGuards.charge(account.guards.registerPerAddress, context)
            return JSONResponse.make(["nonce": .string(account.adminNonce.issue(now: ClientAPI.now()))])
        }
        router.post(RouterPath(Self.path)) { request, context in
            _ = try sharedSecret()
            try AuthGuards.charge(account.guards.registerPerAddress, context)
            return try await register(request)
        }
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
        guard account.adminNonce.isValid(nonce, now: ClientAPI.now()) else {
            throw MatrixError.invalidParam("Unknown or expired nonce")
        }
        let message = Array(nonce.utf8) + [0] + Array(username.utf8) + [0] + Array(password.utf8) + [0]
            + Array((admin ? "admin" : "notadmin").utf8)
        guard HMACSHA1.isValid(hexTag: mac, key: Array(secret.utf8), message: message) else {
            throw MatrixError.forbidden("HMAC incorrect")
        }
        let userID = try state.users.newUserID(username)
        try AccountController<Context>.checkPassword(password)
        // a used nonce is remembered (for its lifetime) only once its registration is authorised
        guard try await state.store.authSession(nonce) == nil else { throw MatrixError.invalidParam("Nonce already used") }
        try await state.store.putAuthSession(AuthSession(id: nonce, purpose: Self.usedNoncePurpose, userID: userID,
                                                         createdAt: ClientAPI.now()))
        do {
            try await state.store.createUser(userID, passwordHash: try await state.hasher.hash(password))
        } catch AccountStoreError.userExists {
            throw MatrixError(.badRequest, "M_USER_IN_USE", "User ID already taken")
        }
        return JSONResponse.make(try await account.openDevice(userID: userID, deviceID: nil, displayName: nil))
    }
}
