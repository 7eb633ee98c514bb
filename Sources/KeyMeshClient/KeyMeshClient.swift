// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

/// A device talking end to end through a Matrix homeserver (`keymesh serve` or any
/// spec-compliant one): it registers or logs in, keeps its keys published, opens Olm sessions,
/// and sends and receives encrypted to-device messages.
///
/// First slice of issue 5: state lives in memory (the sealed local store comes next), and every
/// device whose self-signature verifies is sent to (trust policies come with the store).
public actor KeyMeshClient {
    /// A logged-in device.
    public struct Session: Sendable, Equatable {
        public let userID: String
        public let deviceID: String
        public let accessToken: String
    }

    /// How many one-time keys the client keeps on the server.
    public static let oneTimeKeyTarget = 50

    private let connection: HomeserverConnection
    public private(set) var session: Session?
    public nonisolated let account: OlmAccount
    /// Olm sessions by the other device's Curve25519 key, most recently used first.
    private var olmSessions: [String: [OlmSession]] = [:]
    /// Verified device identities by user, from `/keys/query`.
    private var devices: [String: [String: DeviceIdentity]] = [:]
    private var tracker = DeviceListTracker()
    private var nextBatch: String?
    private var deviceKeysPublished = false

    public init(homeserver: URL, transport: any HTTPTransport = URLSessionTransport(), account: OlmAccount = OlmAccount()) {
        connection = HomeserverConnection(baseURL: homeserver, transport: transport)
        self.account = account
    }

    // MARK: Accounts

    /// Registers `username` (user-interactive auth with `m.login.dummy`) and logs this device in.
    @discardableResult
    public func register(username: String, password: String, deviceName: String? = nil) async throws -> Session {
        var body: JSONObject = ["username": .string(username), "password": .string(password)]
        if let deviceName { body["initial_device_display_name"] = .string(deviceName) }
        do {
            return try adopt(try await connection.call("POST", "register", body: body))  // a server that asks for no auth
        } catch ClientError.server(status: 401, _, _) {
            // the m.login.dummy stage, completed at once (servers accept it without a session)
            body["auth"] = ["type": "m.login.dummy"]
            return try adopt(try await connection.call("POST", "register", body: body))
        }
    }

    /// Logs in with a password (a new device unless `deviceID` names an existing one).
    @discardableResult
    public func login(username: String, password: String, deviceID: String? = nil) async throws -> Session {
        var body: JSONObject = ["type": "m.login.password", "identifier": ["type": "m.id.user", "user": .string(username)],
                                "password": .string(password)]
        if let deviceID { body["device_id"] = .string(deviceID) }
        return try adopt(try await connection.call("POST", "login", body: body))
    }

    /// Logs out: the server deletes this device and its keys.
    public func logout() async throws {
        _ = try await connection.call("POST", "logout", token: try requireSession().accessToken, body: [:])
        session = nil
    }

    private func adopt(_ answer: JSONObject) throws -> Session {
        guard let user = answer["user_id"]?.stringValue, let device = answer["device_id"]?.stringValue,
              let token = answer["access_token"]?.stringValue
        else { throw ClientError.malformedResponse("login answer without user_id, device_id or access_token") }
        let new = Session(userID: user, deviceID: device, accessToken: token)
        session = new
        return new
    }

    private func requireSession() throws -> Session {
        guard let session else { throw ClientError.notLoggedIn }
        return session
    }

    /// This device's identity keys.
    public func identity() throws -> DeviceIdentity {
        let session = try requireSession()
        guard let me = DeviceIdentity(parsing: account.deviceKeys(userID: session.userID, deviceID: session.deviceID),
                                      userID: session.userID, deviceID: session.deviceID)
        else { throw ClientError.malformedResponse("own device keys") }
        return me
    }

    // MARK: Keys

    /// Uploads signed device keys, one-time keys up to the target, and a fallback key.
    public func publishKeys() async throws {
        let session = try requireSession()
        _ = account.generateOneTimeKeys(count: Self.oneTimeKeyTarget)
        _ = account.generateFallbackKey()
        try await upload([
            "device_keys": .object(account.deviceKeys(userID: session.userID, deviceID: session.deviceID)),
            "one_time_keys": .object(account.signedOneTimeKeys(userID: session.userID, deviceID: session.deviceID)),
            "fallback_keys": .object(account.signedFallbackKeys(userID: session.userID, deviceID: session.deviceID)),
        ])
        deviceKeysPublished = true
    }

    /// Uploads, then marks the keys published (only after the server accepted them).
    private func upload(_ body: JSONObject) async throws {
        _ = try await connection.call("POST", "keys/upload", token: try requireSession().accessToken, body: body)
        account.markKeysAsPublished()
    }

    /// Tops one-time keys up to the target and replaces a fallback key the server handed out.
    private func maintainKeys(counts: JSONObject, unusedFallback: [String]) async throws {
        let session = try requireSession()
        guard deviceKeysPublished else { return try await publishKeys() }  // the first sync bootstraps
        var body = JSONObject()
        let count = Int(counts["signed_curve25519"]?.intValue ?? 0)
        if count < Self.oneTimeKeyTarget {
            _ = account.generateOneTimeKeys(count: Self.oneTimeKeyTarget - count)
            body["one_time_keys"] = .object(account.signedOneTimeKeys(userID: session.userID, deviceID: session.deviceID))
        }
        if !unusedFallback.contains("signed_curve25519") {
            _ = account.generateFallbackKey()
            body["fallback_keys"] = .object(account.signedFallbackKeys(userID: session.userID, deviceID: session.deviceID))
        }
        if !body.isEmpty { try await upload(body) }
    }

    /// The user's devices whose keys verify, querying the server when the list is unknown or outdated.
    public func devices(of userID: String) async throws -> [DeviceIdentity] {
        tracker.track([userID])
        if tracker.isOutdated(userID) || devices[userID] == nil {
            let query = tracker.beginQuery(for: [userID])
            let answer = try await connection.call("POST", "keys/query", token: try requireSession().accessToken,
                                                   body: ["device_keys": .object(JSONObject([(userID, JSONValue.array([]))]))])
            var found: [String: DeviceIdentity] = [:]
            for (deviceID, value) in answer["device_keys"]?.objectValue?[userID]?.objectValue ?? [:] {
                if let object = value.objectValue, let device = DeviceIdentity(parsing: object, userID: userID, deviceID: deviceID) {
                    found[deviceID] = device
                }
            }
            devices[userID] = found
            tracker.finishQuery(query)
        }
        return (devices[userID] ?? [:]).values.sorted { $0.deviceID < $1.deviceID }
    }

    // MARK: Sending

    /// Encrypts `content` (event `type`) for every device of `userID` except this one, opening
    /// Olm sessions with claimed one-time keys where needed, and sends it. Returns the devices
    /// reached; devices whose claimed key does not verify are skipped.
    @discardableResult
    public func send(to userID: String, type: String, content: JSONObject) async throws -> [DeviceIdentity] {
        let session = try requireSession()
        let me = try identity()
        // recipients check the plaintext against our published keys: publish them first
        if !deviceKeysPublished { try await publishKeys() }
        let targets = try await devices(of: userID).filter { $0.curve25519 != me.curve25519 }
        try await openSessions(with: targets.filter { olmSessions[$0.curve25519.base64]?.isEmpty ?? true })
        var messages = JSONObject()
        var reached: [DeviceIdentity] = []
        for device in targets {
            guard var olm = olmSessions[device.curve25519.base64]?.first else { continue }
            let plaintext = try OlmEnvelope.plaintext(type: type, content: content, sender: session.userID,
                                                      senderEd25519: me.ed25519, recipient: device)
            let message = try olm.encrypt(plaintext)
            olmSessions[device.curve25519.base64]?[0] = olm
            var perUser = messages[userID]?.objectValue ?? [:]
            perUser[device.deviceID] = .object(OlmEnvelope.content(message, senderKey: me.curve25519, recipient: device))
            messages[userID] = .object(perUser)
            reached.append(device)
        }
        guard !reached.isEmpty else { return [] }
        let txnID = "km" + Base64.encode(SystemRandom().bytes(count: 12)).filter { $0.isLetter || $0.isNumber }
        _ = try await connection.call("PUT", "sendToDevice/m.room.encrypted/\(txnID)", token: session.accessToken,
                                      body: ["messages": .object(messages)])
        return reached
    }

    /// Claims one key per device and opens an outbound session on each key whose signature verifies.
    private func openSessions(with targets: [DeviceIdentity]) async throws {
        guard !targets.isEmpty else { return }
        var request = JSONObject()
        for device in targets {
            var perUser = request[device.userID]?.objectValue ?? [:]
            perUser[device.deviceID] = "signed_curve25519"
            request[device.userID] = .object(perUser)
        }
        let answer = try await connection.call("POST", "keys/claim", token: try requireSession().accessToken,
                                               body: ["one_time_keys": .object(request)])
        for device in targets {
            guard let keys = answer["one_time_keys"]?.objectValue?[device.userID]?.objectValue?[device.deviceID]?.objectValue,
                  let (_, value) = keys.first(where: { _ in true }), let object = value.objectValue,
                  (try? JSONSigner.verify(object, entity: device.userID, keyID: .ed25519(device.deviceID), publicKey: device.ed25519)) != nil,
                  let key = object["key"]?.stringValue.flatMap({ try? Curve25519PublicKey(base64: $0) })
            else { continue }
            let olm = try account.outboundSession(identityKey: device.curve25519, oneTimeKey: key)
            olmSessions[device.curve25519.base64, default: []].insert(olm, at: 0)
        }
    }

    // MARK: Receiving

    /// One `/sync`: keeps keys topped up, follows device-list changes, and returns the
    /// to-device messages that decrypted and passed every plaintext check. The sync token
    /// advances only after the batch is processed.
    public func sync(timeout: Duration = .zero) async throws -> [ReceivedMessage] {
        let session = try requireSession()
        var query: [String: String] = [:]
        if let nextBatch { query["since"] = nextBatch }
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        if ms > 0 { query["timeout"] = String(ms) }
        let answer = try await connection.call("GET", "sync", token: session.accessToken, query: query)
        let changed = (answer["device_lists"]?.objectValue?["changed"]?.arrayValue ?? []).compactMap(\.stringValue)
        tracker.markOutdated(changed)
        try await maintainKeys(counts: answer["device_one_time_keys_count"]?.objectValue ?? [:],
                               unusedFallback: (answer["device_unused_fallback_key_types"]?.arrayValue ?? []).compactMap(\.stringValue))
        var received: [ReceivedMessage] = []
        for event in (answer["to_device"]?.objectValue?["events"]?.arrayValue ?? []).compactMap(\.objectValue) {
            guard event["type"]?.stringValue == "m.room.encrypted", let sender = event["sender"]?.stringValue,
                  let content = event["content"]?.objectValue
            else { continue }
            if let message = try? await decrypt(content, sender: sender) { received.append(message) }
        }
        if let next = answer["next_batch"]?.stringValue { nextBatch = next }
        return received
    }

    /// Decrypts one Olm event and checks its plaintext (matrix-e2e.md §4.8, §4.9).
    func decrypt(_ content: JSONObject, sender: String) async throws -> ReceivedMessage {
        let me = try identity()
        let (senderKey, message) = try OlmEnvelope.incoming(content, ourKey: me.curve25519)
        let plaintext = try decryptOlm(message, from: senderKey)
        var senderDevice = try await devices(of: sender).first { $0.curve25519 == senderKey }
        if senderDevice == nil {  // a device we have not heard of yet: ask again once
            tracker.markOutdated([sender])
            senderDevice = try await devices(of: sender).first { $0.curve25519 == senderKey }
        }
        guard let senderDevice else { throw OlmEnvelope.Rejection.unknownSenderDevice }
        let (type, body) = try OlmEnvelope.check(plaintext, eventSender: sender, senderDevice: senderDevice, me: me)
        return ReceivedMessage(sender: senderDevice, type: type, content: body)
    }

    /// Finds the session for `message` (or creates one from a pre-key message) and decrypts;
    /// stored state changes only on success.
    private func decryptOlm(_ message: OlmMessage, from senderKey: Curve25519PublicKey) throws -> [UInt8] {
        var candidates = olmSessions[senderKey.base64] ?? []
        if case .preKey(let preKey) = message, let index = candidates.firstIndex(where: { $0.matches(preKey) }) {
            var olm = candidates[index]
            let plaintext = try olm.decrypt(message)
            candidates.remove(at: index)
            olmSessions[senderKey.base64] = [olm] + candidates
            return plaintext
        }
        if case .preKey = message {
            let (olm, plaintext) = try account.inboundSession(identityKey: senderKey, message: message)
            olmSessions[senderKey.base64, default: []].insert(olm, at: 0)
            return plaintext
        }
        for (index, candidate) in candidates.enumerated() {
            var olm = candidate
            guard let plaintext = try? olm.decrypt(message) else { continue }
            candidates.remove(at: index)
            olmSessions[senderKey.base64] = [olm] + candidates
            return plaintext
        }
        throw OlmEnvelope.Rejection.undecryptable
    }
}
