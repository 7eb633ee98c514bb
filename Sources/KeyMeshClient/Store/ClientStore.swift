// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import GRDB
import KeyMeshCrossSigning
import KeyMeshCrypto
import KeyMeshMatrixAPI
import KeyMeshOlm

/// Where a client keeps its state: the Olm account, Olm sessions, the logged-in device,
/// cross-signing secrets, tracked users and their device keys, the sync token and the inbox.
///
/// Every secret (the access token, the account, sessions, cross-signing seeds, the P2P keys,
/// decrypted messages) is sealed with the app's ``SealingKey`` before it reaches SQLite. Writes are
/// single transactions with `synchronous=FULL`, so a crash at any point leaves either the
/// state before an operation or the state after it; the client commits before it acts (see
/// docs/CLIENT.md, "Crash safety").
public final class ClientStore: Sendable {
    /// Where the database lives.
    public enum Location: Sendable {
        /// In memory: nothing survives the process (tests, throw-away devices).
        case memory
        /// A SQLite file (created if missing). Only one process may open it at a time.
        case sqlite(path: String)
    }

    let database: DatabaseQueue
    let key: SealingKey
    private let lock: ProfileLock?

    /// Opens (creating if needed) the store.
    /// - Throws: ``ClientError`` `.storeLocked` if another process has the file open, or
    ///   `.store` if SQLite fails.
    public init(_ location: Location, key: SealingKey) throws {
        self.key = key
        do {
            switch location {
            case .memory:
                lock = nil
                database = try DatabaseQueue()
            case .sqlite(let path):
                lock = try ProfileLock(path: path + ".lock")
                var configuration = Configuration()
                // secure_delete: a replaced record (a consumed P2P key, an old session) is overwritten on disk
                configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON") }
                database = try DatabaseQueue(path: path, configuration: configuration)
            }
            try ClientStoreSchema.migrator.migrate(database)
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.store("\(error)")
        }
    }

    // MARK: Writing

    /// Applies `writes` in one transaction. Returns the inbox ids of the `.inboxAdd` writes, in order.
    @discardableResult
    func commit(_ writes: [ClientWrite]) throws -> [Int64] {
        guard !writes.isEmpty else { return [] }
        do {
            return try database.write { db in try writes.compactMap { try apply($0, db) } }
        } catch {
            throw ClientError.store("\(error)")
        }
    }

    private func apply(_ write: ClientWrite, _ db: Database) throws -> Int64? {
        switch write {
        case .session(let session?):
            try putMeta(db, "session", sealed: try CanonicalJSON.encode([
                "user_id": .string(session.userID), "device_id": .string(session.deviceID),
                "access_token": .string(session.accessToken),
            ]))
        case .session(nil):
            for table in ["meta", "olm_sessions", "user_keys", "inbox", "recoveries"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        case .account(let account):
            try putMeta(db, "account", plain: account.pickle(with: key).bytes)
        case .crossSigning(let keys?):
            try putMeta(db, "cross_signing", plain: keys.sealed(with: key))
        case .crossSigning(nil):
            try db.execute(sql: "DELETE FROM meta WHERE name = 'cross_signing'")
        case .keysPublished(let published):
            try putMeta(db, "keys_published", plain: [published ? 1 : 0])
        case .nextBatch(let token):
            try putMeta(db, "next_batch", plain: Array(token.utf8))
        case .tracker(let tracker):
            try putMeta(db, "tracker", plain: Array(try JSONEncoder().encode(tracker)))
        case .trust(let records):
            try putMeta(db, "trust", plain: Array(try JSONEncoder().encode(records)))
        case .olmSession(let senderKey, let session, let rank):
            try db.execute(sql: "INSERT OR REPLACE INTO olm_sessions (sender_key, session_id, pickle, last_used) VALUES (?, ?, ?, ?)",
                           arguments: [senderKey, session.sessionID, Data(session.pickle(with: key).bytes), rank])
        case .userKeys(let userID, let object):
            let json = String(decoding: try CanonicalJSON.encode(.object(object)), as: UTF8.self)
            try db.execute(sql: "INSERT OR REPLACE INTO user_keys (user_id, query_json) VALUES (?, ?)", arguments: [userID, json])
        case .inboxAdd(let message):
            try db.execute(sql: "INSERT INTO inbox (sealed) VALUES (?)",
                           arguments: [Data(key.seal(try message.encoded(), associatedData: Self.inboxLabel))])
            return db.lastInsertedRowID
        case .inboxRemove(let ids):
            for id in ids { try db.execute(sql: "DELETE FROM inbox WHERE id = ?", arguments: [id]) }
        case .p2p(let p2p):
            try putMeta(db, "p2p", sealed: try CanonicalJSON.encode(.object(p2p.encoded())))
        case .msl(let token?):
            try putMeta(db, "msl", sealed: try CanonicalJSON.encode(.object(token.encoded())))
        case .msl(nil):
            try db.execute(sql: "DELETE FROM meta WHERE name = 'msl'")
        case .recovery(let senderKey, let at):
            try db.execute(sql: "INSERT OR REPLACE INTO recoveries (sender_key, at) VALUES (?, ?)", arguments: [senderKey, at])
        }
        return nil
    }

    private func putMeta(_ db: Database, _ name: String, sealed plaintext: [UInt8]) throws {
        try putMeta(db, name, plain: key.seal(plaintext, associatedData: Self.label(name)))
    }

    private func putMeta(_ db: Database, _ name: String, plain value: [UInt8]) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", arguments: [name, Data(value)])
    }

    static func label(_ name: String) -> [UInt8] { Array("keymesh.client.v1.\(name)".utf8) }
    static let inboxLabel = label("inbox")
}
