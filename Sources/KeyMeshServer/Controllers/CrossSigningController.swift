// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshStore

/// `POST /keys/device_signing/upload` and `POST /keys/signatures/upload` (docs/SERVER.md "Endpoints",
/// docs/CROSS-SIGNING.md "Server"). `/keys/query` shows the results through ``CrossSigningView``.
struct CrossSigningController<Context: RequestContext>: Sendable {
    let state: ServerState

    func addRoutes(to router: Router<Context>) {
        for group in ClientAPI.groups(router) {
            group.post("keys/device_signing/upload") { request, _ in try await uploadKeys(request) }
            group.post("keys/signatures/upload") { request, _ in try await uploadSignatures(request) }
        }
    }

    /// Uploads master, self-signing and user-signing keys. No UIA for a user without a master
    /// key, or when every key sent equals the stored one (a retry, MSC3967); otherwise the
    /// password (`m.login.password`). SSK and USK must be signed by the new or stored master key.
    func uploadKeys(_ request: Request) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let user = requester.userID
        var sent: [CrossSigningUsage: CrossSigningKey] = [:]
        for usage in CrossSigningUsage.allCases {
            if let object = try body.optionalObject(usage.rawValue + "_key") {
                let key = try CrossSigningKey(object, usage: usage, userID: user)
                try Identifier.check(key.id, "\(usage.rawValue)_key key id")
                let limit = state.config.keys.maxDeviceKeysBytes
                guard key.json.utf8.count <= limit else {
                    throw KeyUpload.tooLarge("\(usage.rawValue)_key is larger than \(limit) bytes")
                }
                sent[usage] = key
            }
        }
        let stored = try await state.store.crossSigningKeys(of: [user])[user] ?? [:]
        let master = sent[.master] ?? stored[.master].flatMap { CrossSigningKey.stored($0, usage: .master, userID: user) }
        guard let master else { throw MatrixError.missingParam("No master key: upload master_key first (or with the others)") }
        for usage in [CrossSigningUsage.selfSigning, .userSigning] {
            guard let key = sent[usage] else { continue }
            do {
                try JSONSigner.verify(key.object, entity: user, keyID: .ed25519(master.id), publicKey: master.publicKey)
            } catch {
                throw MatrixError(.badRequest, "M_INVALID_SIGNATURE", "\(usage.rawValue)_key is not signed by the master key")
            }
        }
        let deviceIDs = Set(try await state.store.devices(of: user).map(\.device.deviceID))
        if let clash = sent.values.first(where: { deviceIDs.contains($0.id) }) {
            throw MatrixError.forbidden("The \(clash.usage.rawValue) key's public key is one of your device ids")
        }
        let unchanged = sent.allSatisfy { stored[$0.key] == $0.value.json }
        if stored[.master] != nil, !unchanged {
            try await state.interactiveAuth.complete(try body.optionalObject("auth"), purpose: "device_signing",
                                                     stage: .password, userID: user)
        }
        if !unchanged {
            // one transaction, refused if the requesting device was deleted meanwhile
            try await state.store.putCrossSigningKeys(by: requester.device, keys: sent.mapValues(\.json))
            await state.deviceListChanged(requester.userID)
        }
        return JSONResponse.make([:])
    }

    /// Uploads signatures; every refused item goes to `failures`, the rest are stored.
    func uploadSignatures(_ request: Request) async throws -> Response {
        let requester = try await state.authenticator.require(request)
        let body = try await RequestJSON.object(request, limit: state.config.maxRequestBytes)
        let me = requester.userID
        let items = try body.objectMembers(at: "body")
        var targets: [(user: String, id: String, object: JSONObject)] = []
        for (user, perUser) in items {
            try Identifier.check(user, "signed user id")
            for (id, value) in perUser {
                try Identifier.check(id, "\(user) key or device id")
                guard let object = value.objectValue else { throw MatrixError.badJSON("\(user).\(id) must be an object") }
                guard targets.count < state.config.keys.maxSignatureTargets else {
                    throw MatrixError(.contentTooLarge, "M_TOO_LARGE",
                                      "At most \(state.config.keys.maxSignatureTargets) signed objects per upload")
                }
                targets.append((user, id, object))
            }
        }
        let users = Array(Set(targets.map(\.user)).union([me]))
        let crossSigning = try await state.store.crossSigningKeys(of: users)
        let deviceKeys = try await state.store.deviceKeys(Dictionary(users.map { ($0, [String]()) }, uniquingKeysWith: { first, _ in first }))
        let mine = crossSigning[me] ?? [:]
        let selfSigning = mine[.selfSigning].flatMap { CrossSigningKey.stored($0, usage: .selfSigning, userID: me) }
        let userSigning = mine[.userSigning].flatMap { CrossSigningKey.stored($0, usage: .userSigning, userID: me) }

        var accepted: [StoredSignature] = []
        var failures: [String: JSONObject] = [:]
        func fail(_ user: String, _ id: String, _ errcode: String, _ message: String) {
            failures[user, default: [:]][id] = ["errcode": .string(errcode), "error": .string(message)]
        }
        for (user, id, object) in targets {
            let targetMaster = crossSigning[user]?[.master].flatMap { CrossSigningKey.stored($0, usage: .master, userID: user) }
            // what the signed object must be: the stored device, or the stored master key
            let storedJSON: String?
            var signers: [(keyID: String, key: Ed25519PublicKey)] = []
            if user == me, let device = deviceKeys[me]?[id] {
                storedJSON = device
                if let selfSigning { signers = [("ed25519:\(selfSigning.id)", selfSigning.publicKey)] }
            } else if user == me, let targetMaster, targetMaster.id == id {
                storedJSON = crossSigning[me]?[.master]
                // own master key: signed by the user's own devices
                for (deviceID, json) in deviceKeys[me] ?? [:] {
                    if let deviceObject = (try? JSONParser.parse(json))?.objectValue,
                       let key = try? KeyUpload.ed25519Key(in: deviceObject, deviceID: deviceID) {
                        signers.append(("ed25519:\(deviceID)", key))
                    }
                }
            } else if user != me, let targetMaster, targetMaster.id == id {
                storedJSON = crossSigning[user]?[.master]
                if let userSigning { signers = [("ed25519:\(userSigning.id)", userSigning.publicKey)] }
            } else {
                fail(user, id, "M_NOT_FOUND", "Unknown device")
                continue
            }
            guard let storedJSON, let storedObject = (try? JSONParser.parse(storedJSON))?.objectValue,
                  CrossSigningKey.identity(storedObject) == CrossSigningKey.identity(object)
            else {
                fail(user, id, "M_INVALID_SIGNATURE", "Key does not match")
                continue
            }
            let offered = object["signatures"]?.objectValue?[me]?.objectValue ?? [:]
            var found = false
            var bad = false
            for (keyID, key) in signers {
                guard let signature = offered[keyID]?.stringValue else { continue }
                do {
                    try JSONSigner.verify(object, entity: me, keyID: KeyID(keyID) ?? .ed25519(""), publicKey: key)
                    accepted.append(StoredSignature(signer: me, keyID: keyID, targetUser: user, targetID: id, signature: signature))
                    found = true
                } catch {
                    bad = true
                }
            }
            if !found {
                fail(user, id, "M_INVALID_SIGNATURE", bad ? "Invalid signature" : "No signature by a key allowed to sign this")
            }
        }
        if !accepted.isEmpty {
            try await state.store.addSignatures(by: requester.device, accepted)
            await state.deviceListChanged(requester.userID)
        }
        var failureObject = JSONObject()
        for (user, perUser) in failures { failureObject[user] = .object(perUser) }
        return JSONResponse.make(["failures": .object(failureObject)])
    }
}
