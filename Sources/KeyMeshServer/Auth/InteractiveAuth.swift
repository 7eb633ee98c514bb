// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshStore

/// User-interactive authentication (spec "User-Interactive Authentication API"), with one stage
/// per purpose: `m.login.dummy` for registration, `m.login.password` for deleting a device.
/// Sessions live in the store, so any server process sharing the database can finish a flow
/// another one started; a session is consumed when its flow completes and expires after an hour.
struct InteractiveAuth: Sendable {
    enum Stage: String, Sendable {
        case dummy = "m.login.dummy"
        case password = "m.login.password"
    }

    static let lifetime: Int64 = 3600

    let store: any AccountStore
    let hasher: PasswordHasher
    let users: UserIDs

    /// Completes the flow for `purpose` from the request's `auth` member, or throws the 401
    /// challenge that starts (or continues) it. For `.password`, `userID` is the account whose
    /// password must be given.
    func complete(_ auth: JSONObject?, purpose: String, stage: Stage, userID: String? = nil) async throws {
        // an `auth` without `type` asks for the flows, as no `auth` does (matrix-nio starts that way)
        guard let auth, let type = try auth.optionalString("type", at: "auth.") else {
            throw try await challenge(purpose: purpose, stage: stage, userID: userID, error: nil)
        }
        let session = try auth.optionalString("session", at: "auth.")
        // The dummy stage proves nothing, so a client may complete it without first fetching a
        // session, as Synapse allows and matrix-nio's one-shot register relies on.
        if stage == .dummy, type == stage.rawValue, session == nil { return }
        guard let session, let stored = try await store.authSession(session), stored.purpose == purpose,
              stored.userID == userID,
              Int64(Date().timeIntervalSince1970) - stored.createdAt < Self.lifetime
        else {
            throw try await challenge(purpose: purpose, stage: stage, userID: userID,
                                      error: ("M_UNKNOWN", "Unknown or expired session"))
        }
        guard type == stage.rawValue else {
            throw failed(session, stage: stage, error: ("M_UNKNOWN", "Expected auth type \(stage.rawValue)"))
        }
        if stage == .password {
            guard let userID, try await passwordMatches(auth, userID: userID) else {
                throw failed(session, stage: stage, error: ("M_FORBIDDEN", "Invalid username or password"))
            }
        }
        guard try await store.consumeAuthSession(session) else {
            throw try await challenge(purpose: purpose, stage: stage, userID: userID,
                                      error: ("M_UNKNOWN", "Session already used"))
        }
    }

    /// Checks `password` against `userID`'s stored hash; the identifier, if given, must name that user.
    func passwordMatches(_ auth: JSONObject, userID: String) async throws -> Bool {
        let password = try auth.string("password", at: "auth.")
        if let identifier = try auth.optionalObject("identifier", at: "auth.") {
            guard let user = try identifier.optionalString("user", at: "auth.identifier."),
                  users.loginUserID(user) == userID else { return false }
        } else if let user = try auth.optionalString("user", at: "auth."), users.loginUserID(user) != userID {
            return false
        }
        guard let stored = try await store.passwordHash(of: userID) else { return false }
        return try await hasher.verify(password, against: stored)
    }

    private func challenge(purpose: String, stage: Stage, userID: String?,
                           error: (String, String)?) async throws -> MatrixError {
        let id = AccessToken.randomURLSafe(bytes: 18)
        try await store.putAuthSession(AuthSession(id: id, purpose: purpose, userID: userID,
                                                   createdAt: Int64(Date().timeIntervalSince1970)))
        return failed(id, stage: stage, error: error)
    }

    private func failed(_ session: String, stage: Stage, error: (String, String)?) -> MatrixError {
        let extra: JSONObject = [
            "flows": [["stages": [.string(stage.rawValue)]]],
            "params": [:],
            "session": .string(session),
            "completed": [],
        ]
        return MatrixError(.unauthorized, error?.0, error?.1 ?? "", extra: extra)
    }
}
