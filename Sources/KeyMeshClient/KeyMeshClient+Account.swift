// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

extension KeyMeshClient {
    /// Registers `username` and logs this device in. Completes the server's user-interactive
    /// auth with `m.login.dummy`, echoing its `session`.
    /// - Throws: ``ClientError/server(status:errcode:message:)`` (e.g. `M_USER_IN_USE`).
    @discardableResult
    public func register(username: String, password: String, deviceName: String? = nil) async throws -> Session {
        try await exclusively {
            var body: JSONObject = ["username": .string(username), "password": .string(password)]
            if let deviceName { body["initial_device_display_name"] = .string(deviceName) }
            switch try await connection.callWithAuth("POST", "register", body: body) {
            case .done(let answer):
                return try adopt(answer)  // a server that asks for no auth
            case .authRequired(let flows):
                var auth: JSONObject = ["type": "m.login.dummy"]
                if let id = flows["session"]?.stringValue { auth["session"] = .string(id) }
                body["auth"] = .object(auth)
                return try adopt(try await connection.call("POST", "register", body: body))
            }
        }
    }

    /// Logs in with a password (a new device unless `deviceID` names an existing one).
    @discardableResult
    public func login(username: String, password: String, deviceID: String? = nil) async throws -> Session {
        try await exclusively {
            var body: JSONObject = ["type": "m.login.password", "identifier": ["type": "m.id.user", "user": .string(username)],
                                    "password": .string(password)]
            if let deviceID { body["device_id"] = .string(deviceID) }
            return try adopt(try await connection.call("POST", "login", body: body))
        }
    }

    /// Logs out: the server deletes this device and its keys, and the store forgets everything
    /// (a later login is a new device with a new Olm account).
    public func logout() async throws {
        try await exclusively {
            _ = try await connection.call("POST", "logout", token: try requireSession().accessToken, body: [:])
            forgetDevice()
        }
    }

    /// Forgets the device: a new Olm account, and no session, keys, sync token or messages.
    private func forgetDevice() {
        session = nil
        account = OlmAccount()
        state = ClientState()
        devices = [:]
        delivered = []
        pending += [.session(nil), .account(account)]
    }

    /// Takes the device a login or registration answered with. A store that was logged in
    /// already keeps only its account: the Olm account is per device.
    private func adopt(_ answer: JSONObject) throws -> Session {
        guard let user = answer["user_id"]?.stringValue, let device = answer["device_id"]?.stringValue,
              let token = answer["access_token"]?.stringValue
        else { throw ClientError.malformedResponse("login answer without user_id, device_id or access_token") }
        let new = Session(userID: user, deviceID: device, accessToken: token)
        if let old = session, old.userID != user || old.deviceID != device {
            forgetDevice()  // another device: nothing of the old one applies
        }
        session = new
        pending.append(.session(new))
        return new
    }
}
