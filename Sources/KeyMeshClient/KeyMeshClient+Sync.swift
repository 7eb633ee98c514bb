// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

extension KeyMeshClient {
    /// One `/sync`: keeps keys topped up, follows device-list changes, decrypts to-device
    /// messages, and returns the inbox: every message that decrypted and passed the checks of
    /// docs/CLIENT.md "Receiving" and that the app has not acknowledged.
    ///
    /// The batch's state (sessions, the account, new messages) and its `next_batch` are
    /// committed in one transaction before anything is returned. The messages returned are
    /// acknowledged by the next call (or by ``acknowledge(_:)``); until then a restarted client
    /// returns them again.
    /// - Parameter timeout: how long the server may hold the request open waiting for events.
    public func sync(timeout: Duration = .zero) async throws -> [ReceivedMessage] {
        let (since, answer) = try await fetchSync(timeout: timeout)
        return try await exclusively {
            if !delivered.isEmpty {
                pending.append(.inboxRemove(delivered))
                state.inbox.removeAll { delivered.contains($0.id) }
                delivered = []
            }
            if state.nextBatch == since {  // else another sync took this batch meanwhile
                try await process(answer, initial: since == nil)
            }
            delivered = state.inbox.map(\.id)
            return state.inbox
        }
    }

    /// One `/sync` for a P2P flow: like ``sync(timeout:)`` but acknowledges nothing of the
    /// app's inbox (the app still gets those messages from its own next sync).
    func pollP2P(timeout: Duration) async throws {
        let (since, answer) = try await fetchSync(timeout: timeout)
        try await exclusively {
            if state.nextBatch == since { try await process(answer, initial: since == nil) }
        }
    }

    /// The `/sync` request; the long poll runs outside the gate, so sends are not held up by it.
    private func fetchSync(timeout: Duration) async throws -> (since: String?, answer: JSONObject) {
        let session = try requireSession()
        let since = state.nextBatch
        var query: [String: String] = [:]
        if let since { query["since"] = since }
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        if ms > 0 { query["timeout"] = String(ms) }
        return (since, try await connection.call("GET", "sync", token: session.accessToken, query: query))
    }

    /// Acknowledges messages now: they are deleted from the inbox and never returned again.
    public func acknowledge(_ messages: [ReceivedMessage]) async throws {
        try await exclusively {
            let ids = Set(messages.map(\.id))
            state.inbox.removeAll { ids.contains($0.id) }
            delivered.removeAll { ids.contains($0) }
            pending.append(.inboxRemove(Array(ids)))
        }
    }

    private func process(_ answer: JSONObject, initial: Bool) async throws {
        let changed = (answer["device_lists"]?.objectValue?["changed"]?.arrayValue ?? []).compactMap(\.stringValue)
        if initial { state.tracker.markAllOutdated() }  // an initial sync reports no changes
        state.tracker.markOutdated(changed)
        pending.append(.tracker(state.tracker))
        try await maintainKeys(counts: answer["device_one_time_keys_count"]?.objectValue ?? [:],
                               unusedFallback: (answer["device_unused_fallback_key_types"]?.arrayValue ?? []).compactMap(\.stringValue))
        var received: [ReceivedMessage] = []
        var wedged: [(sender: String, key: Curve25519PublicKey)] = []
        var p2pEvents: [(sender: String, content: JSONObject)] = []
        for event in (answer["to_device"]?.objectValue?["events"]?.arrayValue ?? []).compactMap(\.objectValue) {
            if event["type"]?.stringValue == Self.p2pEventType, let sender = event["sender"]?.stringValue,
               let content = event["content"]?.objectValue {
                p2pEvents.append((sender, content))
                continue
            }
            guard event["type"]?.stringValue == "m.room.encrypted", let sender = event["sender"]?.stringValue,
                  let content = event["content"]?.objectValue
            else { continue }
            do {
                let message = try await decrypt(content, sender: sender)
                if !Self.internalTypes.contains(message.type) { received.append(message) }
            } catch OlmEnvelope.Rejection.undecryptable(let senderKey) {
                wedged.append((sender, senderKey))
            } catch is OlmEnvelope.Rejection {
                continue  // forged, misaddressed or malformed: dropped (docs/CLIENT.md)
            }
        }
        // before the token moves: a crash re-delivers them, and every P2P step is safe to repeat
        try await handleP2P(p2pEvents)
        if let next = answer["next_batch"]?.stringValue {
            state.nextBatch = next
            pending.append(.nextBatch(next))
        }
        pending += received.map { .inboxAdd($0) }
        let ids = try commitPending()
        state.inbox += zip(received, ids).map { ReceivedMessage(id: $1, sender: $0.sender, type: $0.type, content: $0.content) }
        for (sender, key) in wedged { try await recover(sender: sender, key: key) }
    }

    /// Event types the client handles itself and does not hand to the app.
    static let internalTypes: Set<String> = ["m.dummy"]

    /// Repairs a wedged session (a message no session of ours decrypts, e.g. after the sender
    /// lost its state): opens a new session with the sender's device and sends `m.dummy` over
    /// it, so the sender's next message uses the new one (docs/CLIENT.md "Wedged sessions"). At most once
    /// per ``recoveryInterval`` per device, so a peer cannot make us claim keys in a loop.
    func recover(sender: String, key: Curve25519PublicKey) async throws {
        let now = Int64(Date().timeIntervalSince1970)
        if let last = state.recoveries[key.base64], now - last < Self.recoveryInterval { return }
        state.tracker.markOutdated([sender])
        guard let device = try await refreshedDevices(sender).first(where: { $0.curve25519 == key }) else { return }
        state.recoveries[key.base64] = now
        pending.append(.recovery(senderKey: key.base64, at: now))
        try await openSessions(with: [device])
        _ = try await encryptAndSend(to: [device], type: "m.dummy", content: [:])
    }

    /// Decrypts one Olm event and checks its plaintext (docs/CLIENT.md "Receiving"). Changes
    /// the in-memory sessions and queues them for the next commit.
    func decrypt(_ content: JSONObject, sender: String) async throws -> ReceivedMessage {
        let me = try identity()
        let (senderKey, message) = try OlmEnvelope.incoming(content, ourKey: me.curve25519)
        let plaintext = try decryptOlm(message, from: senderKey)
        var senderDevice = try await refreshedDevices(sender).first { $0.curve25519 == senderKey }
        if senderDevice == nil {  // a device we have not heard of yet: ask again once
            state.tracker.markOutdated([sender])
            senderDevice = try await refreshedDevices(sender).first { $0.curve25519 == senderKey }
        }
        guard let senderDevice else { throw OlmEnvelope.Rejection.unknownSenderDevice }
        let (type, body) = try OlmEnvelope.check(plaintext, eventSender: sender, senderDevice: senderDevice, me: me)
        return ReceivedMessage(id: 0, sender: senderDevice, type: type, content: body)
    }

    /// Finds the session for `message` (or creates one from a pre-key message) and decrypts;
    /// the session changes only on success.
    private func decryptOlm(_ message: OlmMessage, from senderKey: Curve25519PublicKey) throws -> [UInt8] {
        let key = senderKey.base64
        var candidates = state.olmSessions[key] ?? []
        func use(_ olm: OlmSession, replacing index: Int?) {
            if let index { candidates.remove(at: index) }
            state.olmSessions[key] = [olm] + candidates
            pending.append(.olmSession(senderKey: key, olm, rank: nextRank()))
        }
        if case .preKey(let preKey) = message {
            if let index = candidates.firstIndex(where: { $0.matches(preKey) }) {
                var olm = candidates[index]
                guard let plaintext = try? olm.decrypt(message) else { throw OlmEnvelope.Rejection.undecryptable(senderKey) }
                use(olm, replacing: index)
                return plaintext
            }
            guard let (olm, plaintext) = try? account.inboundSession(identityKey: senderKey, message: message) else {
                throw OlmEnvelope.Rejection.undecryptable(senderKey)
            }
            use(olm, replacing: nil)
            pending.append(.account(account))  // its one-time key is gone
            return plaintext
        }
        for (index, candidate) in candidates.enumerated() {
            var olm = candidate
            guard let plaintext = try? olm.decrypt(message) else { continue }
            use(olm, replacing: index)
            return plaintext
        }
        throw OlmEnvelope.Rejection.undecryptable(senderKey)
    }
}
