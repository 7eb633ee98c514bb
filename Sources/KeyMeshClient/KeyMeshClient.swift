// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

/// A device talking end to end through a Matrix homeserver (`keymesh serve` or any
/// spec-compliant one): it registers or logs in, keeps its keys published, opens Olm sessions,
/// sends and receives encrypted to-device messages, and cross-signs.
///
/// All state lives in a ``ClientStore`` (sealed with the app's key) and is committed before the
/// client acts on it, so a client killed at any point and opened again on the same store goes
/// on where it was (docs/CLIENT.md, "Crash safety").
public actor KeyMeshClient {
    /// A logged-in device.
    public struct Session: Sendable, Equatable {
        public let userID: String
        public let deviceID: String
        public let accessToken: String
    }

    /// How many one-time keys the client keeps on the server.
    public static let oneTimeKeyTarget = 50
    /// The shortest time between two repairs of a wedged session with one device.
    public static let recoveryInterval: Int64 = 3600

    let connection: HomeserverConnection
    let store: ClientStore
    /// Which devices ``send(to:type:content:)`` encrypts for.
    public private(set) var trustPolicy: TrustPolicy

    // The committed state (mirrors the store) …
    public internal(set) var session: Session?
    public internal(set) var account: OlmAccount
    var state: ClientState
    /// The devices in ``ClientState/userKeys`` whose keys verify, by user and device id.
    var devices: [String: [String: DeviceIdentity]]
    /// Inbox ids handed to the app by the last sync (acknowledged by the next one).
    var delivered: [Int64] = []
    /// Encrypted P2P messages opened by the last syncs, for the flow waiting on them.
    var p2pInbox: [P2PReceived] = []
    /// The `authorize` under way: its session, the code shown, the joining device.
    var authorising: Authorising?
    /// How many rotations of the cross-signing secrets this device has taken in this process.
    public internal(set) var rotationsReceived = 0

    // … the changes of the operation under way, committed by `exclusively`
    var pending: [ClientWrite] = []
    private var gateBusy = false
    private var gateWaiters: [CheckedContinuation<Void, Never>] = []

    /// Opens a client on `store` (a new Olm account if the store holds none).
    /// - Parameters:
    ///   - homeserver: the server's base URL (e.g. `http://127.0.0.1:8008`).
    ///   - store: where the state lives; defaults to an in-memory store.
    ///   - trustPolicy: which devices to send to.
    /// - Throws: ``ClientError`` if the store cannot be read or opened with its key.
    public init(homeserver: URL, store: ClientStore? = nil, trustPolicy: TrustPolicy = .selfSigned,
                transport: any HTTPTransport = URLSessionTransport()) throws {
        connection = HomeserverConnection(baseURL: homeserver, transport: transport)
        let store = try store ?? ClientStore(.memory, key: SealingKey())
        self.store = store
        self.trustPolicy = trustPolicy
        let snapshot = try store.load()
        if let account = snapshot.account {
            self.account = account
        } else {
            account = OlmAccount()
            try store.commit([.account(account)])
        }
        session = snapshot.session
        state = snapshot.state
        devices = snapshot.state.userKeys.mapValues(Self.verifiedDevices)
    }

    /// Goes back to the last committed state (after a failed operation).
    private func restoreCommitted() {
        guard let snapshot = try? store.load() else { return }
        session = snapshot.session
        if let stored = snapshot.account { account = stored }
        state = snapshot.state
        devices = state.userKeys.mapValues(Self.verifiedDevices)
        delivered = delivered.filter { id in state.inbox.contains { $0.id == id } }
    }

    /// Runs a state-changing operation alone: it commits its ``pending`` writes on success, and
    /// on failure forgets them and goes back to the last committed state (docs/CLIENT.md).
    func exclusively<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if gateBusy { await withCheckedContinuation { gateWaiters.append($0) } } else { gateBusy = true }
        defer { if gateWaiters.isEmpty { gateBusy = false } else { gateWaiters.removeFirst().resume() } }
        do {
            let result = try await body()
            try commitPending()
            return result
        } catch {
            pending.removeAll()
            restoreCommitted()
            throw error
        }
    }

    /// Commits the writes so far (called before acting on them: sending, uploading keys).
    @discardableResult
    func commitPending() throws -> [Int64] {
        defer { pending.removeAll() }
        return try store.commit(pending)
    }

    func requireSession() throws -> Session {
        guard let session else { throw ClientError.notLoggedIn }
        return session
    }

    /// This device's identity keys.
    public func identity() throws -> DeviceIdentity {
        let session = try requireSession()
        return DeviceIdentity(userID: session.userID, deviceID: session.deviceID, curve25519: account.curve25519Key,
                              ed25519: account.ed25519Key)
    }

    /// Changes which devices ``send(to:type:content:)`` encrypts for.
    public func setTrustPolicy(_ policy: TrustPolicy) { trustPolicy = policy }

    /// A fresh rank for a session that was just used.
    func nextRank() -> Int64 {
        state.rank += 1
        return state.rank
    }
}
