// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI

extension KeyMeshClient {
    /// Whether this device holds the user's cross-signing secrets.
    public var hasCrossSigningKeys: Bool { state.crossSigning != nil }

    /// Our master key (base64), if this device holds the cross-signing secrets.
    public var ownMasterKey: String? { state.crossSigning?.master.publicKey.base64 }

    /// Creates the user's cross-signing keys, uploads them, and signs this device with the
    /// self-signing key (docs/CROSS-SIGNING.md). The secrets are committed to the store before
    /// the upload, so a crash cannot leave the server with keys nobody holds.
    /// - Parameter password: the account password, for servers that ask for user-interactive
    ///   auth (replacing existing keys always does).
    public func bootstrapCrossSigning(password: String? = nil) async throws {
        try await exclusively {
            let session = try requireSession()
            if !state.keysPublished { try await publishKeysNow() }
            let previous = state.crossSigning
            let keys = CrossSigningKeys(userID: session.userID)
            state.crossSigning = keys
            pending.append(.crossSigning(keys))
            try commitPending()
            do {
                try await uploadCrossSigningKeys(keys, password: password)
            } catch let refusal as ClientError {
                if case .server = refusal {  // refused for sure: the keys we hold stay the server's ones
                    state.crossSigning = previous
                    try store.commit([.crossSigning(previous)])
                }
                throw refusal
            }
            let signed = try keys.signDevice(account.deviceKeys(userID: session.userID, deviceID: session.deviceID))
            try await uploadSignatures([(session.userID, session.deviceID, signed)])
            state.trust.pinnedMasters[session.userID] = keys.master.publicKey.base64
            pending.append(.trust(state.trust))
            state.tracker.markOutdated([session.userID])
            pending.append(.tracker(state.tracker))
        }
    }

    /// The user's master key (base64), for people to compare out of band before ``verify(_:masterKey:)``.
    public func masterKey(of userID: String) async throws -> String? {
        try await exclusively {
            state.tracker.markOutdated([userID])
            try await refreshKeys(for: [userID])
            return state.userKeys[userID]?["master_key"]?.objectValue
                .flatMap { CrossSigningPublicKey(parsing: $0, userID: userID, usage: .master) }?.id
        }
    }

    /// Verifies another user: signs their master key with our user-signing key and uploads the
    /// signature, so every device of ours trusts their cross-signed devices.
    /// - Parameter masterKey: the key (base64) the person confirmed out of band; the call fails
    ///   if the server now shows a different one.
    /// - Throws: ``ClientError/noCrossSigningKeys`` before ``bootstrapCrossSigning(password:)``,
    ///   ``ClientError/cannotVerify(_:)`` if the user has no master key or another one.
    public func verify(_ userID: String, masterKey expected: String) async throws {
        try await exclusively {
            guard let keys = state.crossSigning else { throw ClientError.noCrossSigningKeys }
            state.tracker.markOutdated([userID])
            try await refreshKeys(for: [userID])
            guard let object = state.userKeys[userID]?["master_key"]?.objectValue,
                  let master = CrossSigningPublicKey(parsing: object, userID: userID, usage: .master)
            else { throw ClientError.cannotVerify("\(userID) has no master key") }
            guard master.id == expected.replacingOccurrences(of: " ", with: "") else {
                throw ClientError.cannotVerify("the master key of \(userID) is not the one confirmed")
            }
            // sign the key object without the signatures others made (the server merges them)
            var bare = object
            bare["signatures"] = nil
            try await uploadSignatures([(userID, master.id, try keys.signUser(masterKey: bare))])
            state.trust.pinnedMasters[userID] = master.id
            pending.append(.trust(state.trust))
            // our new signature shows in the next query of them, and of us (the user-signing key)
            state.tracker.markOutdated([userID, keys.userID])
            pending.append(.tracker(state.tracker))
        }
    }

    /// Marks one device verified by hand (its Ed25519 key compared out of band).
    public func verifyDevice(_ device: DeviceIdentity) async throws {
        try await exclusively {
            state.trust.verifiedDevices[device.userID, default: [:]][device.deviceID] = device.ed25519.base64
            pending.append(.trust(state.trust))
        }
    }

    /// `/keys/device_signing/upload`, completing user-interactive auth with the password if asked.
    /// - Parameter includeMaster: false when only the self-signing and user-signing keys change
    ///   (a rotation keeps the master key; Synapse 1.163 answers 500 to a re-upload of the same one).
    func uploadCrossSigningKeys(_ keys: CrossSigningKeys, password: String?, includeMaster: Bool = true) async throws {
        let session = try requireSession()
        var body = try keys.uploadBody()
        if !includeMaster { body["master_key"] = nil }
        guard case .authRequired(let flows) = try await connection.callWithAuth("POST", "keys/device_signing/upload",
                                                                                token: session.accessToken, body: body)
        else { return }
        guard let password else { throw ClientError.server(status: 401, errcode: "M_FORBIDDEN", message: "the server wants the account password") }
        var auth: JSONObject = ["type": "m.login.password", "password": .string(password),
                                "identifier": ["type": "m.id.user", "user": .string(session.userID)]]
        if let id = flows["session"]?.stringValue { auth["session"] = .string(id) }
        body["auth"] = .object(auth)
        _ = try await connection.call("POST", "keys/device_signing/upload", token: session.accessToken, body: body)
    }

    func uploadSignatures(_ items: [(userID: String, keyID: String, object: JSONObject)]) async throws {
        let answer = try await connection.call("POST", "keys/signatures/upload", token: try requireSession().accessToken,
                                               body: CrossSigningKeys.signaturesUploadBody(items))
        if let failures = answer["failures"]?.objectValue, !failures.isEmpty {
            throw ClientError.server(status: 200, errcode: "M_INVALID_SIGNATURE", message: "signature refused: \(failures)")
        }
    }
}
