// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshStore

/// Accounts and sessions: `POST /register` (UIA `m.login.dummy`), `GET`/`POST /login`
/// (`m.login.password`), `POST /logout`, `POST /logout/all` and `GET /account/whoami`
/// (docs/SERVER.md "Endpoints").
///
/// `/register` and `/login` are rate-limited per client address, failed logins per target
/// user, and their password hashes go through the capped ``PasswordHasher`` of ``AuthGuards``.
struct AccountController<Context: RequestContext>: Sendable {
    let state: ServerState
    let guards: AuthGuards
    /// The issuer of admin-registration nonces (``AdminRegisterController``).
    let adminNonce = AdminNonce()

    init(state: ServerState) {
        self.state = state
        guards = AuthGuards(config: state.config)
    }

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.post("register") { request, context in try await register(request, context: context) }
            group.get("login") { _, _ in
                JSONResponse.make(["flows": [["type": "m.login.password"]]])
            }
            group.post("login") { request, context in try await login(request, context: context) }
            group.post("logout") { request, _ in try await logout(request, everyDevice: false) }
            group.post("logout/all") { request, _ in try await logout(request, everyDevice: true) }
            group.get("account/whoami") { request, _ in
                let requester = try await state.authenticator.require(request)
                return JSONResponse.make(["user_id": .string(requester.userID),
                                          "device_id": .string(requester.device.deviceID), "is_guest": false])
            }
        }
    }

    func register(_ request: Request, context: Context) async throws -> Response {
        guard state.config.effectiveRegistration == .open else {
            throw MatrixError.forbidden("Registration is disabled on this server")
        }
        // every attempt counts, the UIA challenge too (it stores a session)
        try AuthGuards.charge(guards.registerPerAddress, context)
        if request.uri.queryParameters.get("kind") == "guest" {
            throw MatrixError(.forbidden, "M_GUEST_ACCESS_FORBIDDEN", "Guest access is disabled")
        }
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let username = try body.optionalString("username")
        let userID = try state.users.newUserID(username ?? Self.randomLocalpart())
        // tell the client a name is taken before it goes through the auth flow
        guard try await state.store.passwordHash(of: userID) == nil else {
            throw MatrixError(.badRequest, "M_USER_IN_USE", "User ID already taken")
        }
        let password = try body.string("password")
        try Self.checkPassword(password)
        let deviceID = try body.optionalString("device_id")
        let displayName = try body.optionalString("initial_device_display_name")
        try Self.checkDevice(deviceID, displayName)  // before the account exists: no half-made accounts
        let inhibitLogin = try body.optionalBool("inhibit_login") ?? false
        try await state.interactiveAuth.complete(try body.optionalObject("auth"), purpose: "register", stage: .dummy)
        do {
            try await state.store.createUser(userID, passwordHash: try await state.hasher.hash(password))
        } catch AccountStoreError.userExists {
            throw MatrixError(.badRequest, "M_USER_IN_USE", "User ID already taken")
        }
        if inhibitLogin { return JSONResponse.make(["user_id": .string(userID)]) }
        return JSONResponse.make(try await openDevice(userID: userID, deviceID: deviceID, displayName: displayName))
    }

    func login(_ request: Request, context: Context) async throws -> Response {
        try AuthGuards.charge(guards.loginPerAddress, context)
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        guard try body.string("type") == "m.login.password" else {
            throw MatrixError(.badRequest, "M_UNKNOWN", "Unknown login type")
        }
        let user: String
        if let identifier = try body.optionalObject("identifier") {
            guard try identifier.string("type", at: "identifier.") == "m.id.user" else {
                throw MatrixError(.badRequest, "M_UNKNOWN", "Only m.id.user identifiers are supported")
            }
            user = try identifier.string("user", at: "identifier.")
        } else {
            user = try body.string("user")
        }
        let password = try body.string("password")
        let deviceID = try body.optionalString("device_id")
        let displayName = try body.optionalString("initial_device_display_name")
        // a guesser spread over many addresses still gets only so many tries at one user
        let target = state.users.loginUserID(user) ?? user
        if let wait = guards.failedLoginsPerUser.take(target) { throw RateLimiter.limited(retryAfterMs: wait) }
        let userID = state.users.loginUserID(user)
        var stored: String?
        if let userID { stored = try await state.store.passwordHash(of: userID) }
        let matches = if let stored { try await state.hasher.verify(password, against: stored) }
            else { try await state.hasher.verifyWithoutAccount(password) }
        guard let userID, matches else { throw MatrixError.forbidden("Invalid username or password") }
        guards.failedLoginsPerUser.refund(target)  // only failures count
        return JSONResponse.make(try await openDevice(userID: userID, deviceID: deviceID, displayName: displayName))
    }

    func logout(_ request: Request, everyDevice: Bool) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        // Logging out deletes the device and its keys (spec: POST /logout).
        let devices = everyDevice ? try await state.store.devices(of: requester.userID).map(\.device) : [requester.device]
        for device in devices { _ = try await state.store.deleteDevice(device) }
        await state.deviceListChanged(requester.userID)
        return JSONResponse.make([:])
    }

    /// Creates (or reuses) the device, issues a token, and returns the login response body.
    func openDevice(userID: String, deviceID: String?, displayName: String?) async throws -> JSONObject {
        try Self.checkDevice(deviceID, displayName)
        let deviceID = deviceID ?? Self.randomDeviceID()
        // device ids and cross-signing keys share the ed25519:<id> namespace (docs/CROSS-SIGNING.md)
        let crossSigning = try await state.store.crossSigningKeys(of: [userID])[userID] ?? [:]
        if crossSigning.contains(where: { CrossSigningKey.stored($0.value, usage: $0.key, userID: userID)?.id == deviceID }) {
            throw MatrixError.forbidden("Device id equals one of your cross-signing keys")
        }
        let token = AccessToken.generate()
        try await state.store.openDevice(DeviceRef(userID: userID, deviceID: deviceID), displayName: displayName,
                                         tokenHash: AccessToken.hash(token), maxDevices: state.config.maxDevicesPerUser)
        await state.deviceListChanged(userID)
        return ["user_id": .string(userID), "access_token": .string(token), "device_id": .string(deviceID),
                "home_server": .string(state.config.serverName)]
    }

    static func checkDevice(_ deviceID: String?, _ displayName: String?) throws(MatrixError) {
        if let deviceID { try DevicesController<Context>.checkDeviceID(deviceID) }
        if let displayName { try DevicesController<Context>.checkDisplayName(displayName) }
    }

    static func checkPassword(_ password: String) throws(MatrixError) {
        guard !password.isEmpty, password.utf8.count <= 512 else {
            throw MatrixError(.badRequest, "M_WEAK_PASSWORD", "Password must be 1 to 512 bytes")
        }
    }

    /// Ten capital letters, as Synapse makes device ids.
    static func randomDeviceID() -> String {
        String(SystemRandom().bytes(count: 10).map { Character(UnicodeScalar(UInt8(ascii: "A") + $0 % 26)) })
    }

    static func randomLocalpart() -> String {
        "u" + Hex.encode(SystemRandom().bytes(count: 8))
    }
}
