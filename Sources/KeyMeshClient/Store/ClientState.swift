// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm
import KeyMeshP2P

/// A client's persisted state, as read from its store, apart from the logged-in session and
/// the Olm account (which ``KeyMeshClient`` exposes as its own properties).
struct ClientState {
    var crossSigning: CrossSigningKeys?
    var keysPublished = false
    var nextBatch: String?
    var tracker = DeviceListTracker()
    var trust = TrustRecords()
    /// By the other device's Curve25519 key, most recently used first.
    var olmSessions: [String: [OlmSession]] = [:]
    /// The highest session rank in use.
    var rank: Int64 = 0
    var userKeys: [String: JSONObject] = [:]
    var inbox: [ReceivedMessage] = []
    var recoveries: [String: Int64] = [:]
    var p2p = P2PDeviceState()
    /// The MSL master token of this device (docs/MSL.md §11).
    var msl: MSLTokenSession?
}

/// Everything in a store.
struct ClientSnapshot {
    var session: KeyMeshClient.Session?
    var account: OlmAccount?
    var state = ClientState()
}

extension ClientStore {
    /// Reads and opens everything.
    /// - Throws: `ClientError.wrongStoreKey` if a sealed value does not open with this key,
    ///   `ClientError.store` if the database is unreadable or a record is corrupt.
    func load() throws -> ClientSnapshot {
        do {
            return try database.read { db in try loadSnapshot(db) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.store("\(error)")
        }
    }

    private func loadSnapshot(_ db: Database) throws -> ClientSnapshot {
        var meta: [String: [UInt8]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, value FROM meta") {
            let value: Data = row["value"]
            meta[row["name"]] = [UInt8](value)
        }
        var snapshot = ClientSnapshot()
        var state = ClientState()
        if let sealed = meta["session"] {
            let object = try parseObject(try open(sealed, label: Self.label("session")), "session")
            guard let user = object["user_id"]?.stringValue, let device = object["device_id"]?.stringValue,
                  let token = object["access_token"]?.stringValue
            else { throw ClientError.store("corrupt session record") }
            snapshot.session = KeyMeshClient.Session(userID: user, deviceID: device, accessToken: token)
        }
        if let pickle = meta["account"] {
            do { snapshot.account = try OlmAccount(pickle: Pickle(bytes: pickle), key: key) } catch .authenticationFailure {
                throw ClientError.wrongStoreKey
            } catch { throw ClientError.store("corrupt account: \(error)") }
        }
        if let sealed = meta["cross_signing"], let user = snapshot.session?.userID {
            do { state.crossSigning = try CrossSigningKeys(sealed: sealed, key: key, userID: user) } catch .authenticationFailure {
                throw ClientError.wrongStoreKey
            } catch { throw ClientError.store("corrupt cross-signing keys") }
        }
        if let sealed = meta["p2p"] {
            let object = try parseObject(try open(sealed, label: Self.label("p2p")), "p2p")
            do { state.p2p = try P2PDeviceState(decoding: object) } catch { throw ClientError.store("corrupt P2P state: \(error)") }
        }
        if let sealed = meta["msl"] {
            let object = try parseObject(try open(sealed, label: Self.label("msl")), "msl")
            do { state.msl = try MSLTokenSession(decoding: object) } catch { throw ClientError.store("corrupt MSL token: \(error)") }
        }
        state.keysPublished = meta["keys_published"] == [1]
        state.nextBatch = meta["next_batch"].map { String(decoding: $0, as: UTF8.self) }
        if let json = meta["tracker"] { state.tracker = try JSONDecoder().decode(DeviceListTracker.self, from: Data(json)) }
        if let json = meta["trust"] { state.trust = try JSONDecoder().decode(TrustRecords.self, from: Data(json)) }

        for row in try Row.fetchAll(db, sql: "SELECT sender_key, pickle, last_used FROM olm_sessions ORDER BY last_used DESC") {
            let bytes: Data = row["pickle"]
            let session: OlmSession
            do { session = try OlmSession(pickle: Pickle(bytes: [UInt8](bytes)), key: key) } catch .authenticationFailure {
                throw ClientError.wrongStoreKey
            } catch { throw ClientError.store("corrupt Olm session: \(error)") }
            state.olmSessions[row["sender_key"], default: []].append(session)
            state.rank = max(state.rank, row["last_used"])
        }
        for row in try Row.fetchAll(db, sql: "SELECT user_id, query_json FROM user_keys") {
            let json: String = row["query_json"]
            state.userKeys[row["user_id"]] = try parseObject(Array(json.utf8), "user keys")
        }
        for row in try Row.fetchAll(db, sql: "SELECT id, sealed FROM inbox ORDER BY id") {
            let sealed: Data = row["sealed"]
            let plain = try open([UInt8](sealed), label: Self.inboxLabel)
            guard let message = ReceivedMessage(decoding: try parseObject(plain, "inbox"), id: row["id"]) else {
                throw ClientError.store("corrupt inbox message")
            }
            state.inbox.append(message)
        }
        for row in try Row.fetchAll(db, sql: "SELECT sender_key, at FROM recoveries") {
            state.recoveries[row["sender_key"]] = row["at"]
        }
        snapshot.state = state
        return snapshot
    }

    private func open(_ sealed: [UInt8], label: [UInt8]) throws -> [UInt8] {
        do { return try key.open(sealed, associatedData: label) } catch { throw ClientError.wrongStoreKey }
    }

    private func parseObject(_ bytes: [UInt8], _ what: String) throws -> JSONObject {
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else { throw ClientError.store("corrupt \(what) record") }
        return object
    }
}
