// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

extension KeyMeshClient {
    /// Encrypts `content` (event `type`) for every device of `userID` that the ``trustPolicy``
    /// allows, except this one, and sends it as `m.room.encrypted` to-device events. Sessions
    /// are opened where none exist by claiming a one-time key (a key whose signature does not
    /// verify is skipped).
    /// - Returns: the devices reached.
    @discardableResult
    public func send(to userID: String, type: String, content: JSONObject) async throws -> [DeviceIdentity] {
        try await exclusively {
            if !state.keysPublished { try await publishKeysNow() }  // recipients check our plaintext against our published keys
            return try await encryptAndSend(to: try await recipients(userID), type: type, content: content)
        }
    }

    /// One Olm message per device, opening sessions where needed. The advanced ratchets are
    /// committed before the request goes out: sending first and crashing before the commit
    /// would reuse a message key on the next send.
    func encryptAndSend(to targets: [DeviceIdentity], type: String, content: JSONObject) async throws -> [DeviceIdentity] {
        let session = try requireSession()
        let me = try identity()
        try await openSessions(with: targets.filter { state.olmSessions[$0.curve25519.base64]?.isEmpty ?? true })
        var messages: [String: JSONObject] = [:]
        var reached: [DeviceIdentity] = []
        for device in targets {
            let key = device.curve25519.base64
            guard var olm = state.olmSessions[key]?.first else { continue }
            let plaintext = try OlmEnvelope.plaintext(type: type, content: content, sender: session.userID,
                                                      senderEd25519: me.ed25519, recipient: device)
            let message = try olm.encrypt(plaintext)
            state.olmSessions[key]?[0] = olm
            pending.append(.olmSession(senderKey: key, olm, rank: nextRank()))
            messages[device.userID, default: [:]][device.deviceID] = .object(OlmEnvelope.content(message, senderKey: me.curve25519, recipient: device))
            reached.append(device)
        }
        try commitPending()
        guard !reached.isEmpty else { return [] }
        let txnID = "km" + Hex.encode(SystemRandom().bytes(count: 12))
        let body = JSONObject(messages.map { ($0.key, JSONValue.object($0.value)) })
        _ = try await connection.call("PUT", "sendToDevice/m.room.encrypted/\(txnID)", token: session.accessToken,
                                      body: ["messages": .object(body)])
        return reached
    }

    /// Claims one key per device and opens an outbound session on each key whose signature verifies.
    func openSessions(with targets: [DeviceIdentity]) async throws {
        guard !targets.isEmpty else { return }
        var request: [String: JSONObject] = [:]
        for device in targets { request[device.userID, default: [:]][device.deviceID] = "signed_curve25519" }
        let answer = try await connection.call("POST", "keys/claim", token: try requireSession().accessToken,
                                               body: ["one_time_keys": .object(JSONObject(request.map { ($0.key, JSONValue.object($0.value)) }))])
        for device in targets {
            guard let keys = answer["one_time_keys"]?.objectValue?[device.userID]?.objectValue?[device.deviceID]?.objectValue,
                  let (_, value) = keys.first(where: { _ in true }), let object = value.objectValue,
                  (try? JSONSigner.verify(object, entity: device.userID, keyID: .ed25519(device.deviceID), publicKey: device.ed25519)) != nil,
                  let key = object["key"]?.stringValue.flatMap({ try? Curve25519PublicKey(base64: $0) })
            else { continue }
            let olm = try account.outboundSession(identityKey: device.curve25519, oneTimeKey: key)
            state.olmSessions[device.curve25519.base64, default: []].insert(olm, at: 0)
            pending.append(.olmSession(senderKey: device.curve25519.base64, olm, rank: nextRank()))
        }
    }
}
