// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshStore
import Logging

/// Everything `keymesh serve` can be told. Each field has a flag and an environment variable
/// (`keymesh serve --help` lists them); the defaults start a usable server with no set-up.
public struct ServerConfig: Sendable {
    /// Who may create accounts through `POST /register`.
    public enum Registration: String, Sendable, CaseIterable {
        /// Anyone, through the `m.login.dummy` flow.
        case open
        /// Only operators holding the shared secret (`/_synapse/admin/v1/register`).
        case sharedSecret = "shared-secret"
        /// Nobody.
        case closed
    }

    public var host = "127.0.0.1"
    public var port = 8008
    /// Folder for the SQLite database (`keymesh.sqlite`), created on first start.
    public var dataDirectory = "./data"
    /// The Matrix server name in user ids (`@alice:<serverName>`).
    public var serverName = "localhost"
    /// Nil means the default: open on a loopback address, shared-secret elsewhere.
    public var registration: Registration?
    /// The secret for operator registration (Synapse's `registration_shared_secret`); nil disables it.
    public var registrationSharedSecret: String?
    public var logLevel = Logger.Level.info
    /// One-time keys a user may claim per second (bursts of ten seconds' worth); 0 turns the limit off.
    public var claimRate: Double = 100
    /// How many keys a user may claim at once before the rate applies; nil = ten seconds' worth.
    public var claimBurst: Double?
    /// The largest request body accepted (413 `M_TOO_LARGE` beyond).
    public var maxRequestBytes = 1 << 20
    /// Argon2id cost of stored passwords.
    public var passwordStrength = PasswordHash.Strength.interactive
    /// How long one `/sync` may long-poll at most, whatever `timeout` asks.
    public var maxSyncTimeout: Duration = .seconds(60)
    /// Devices one user may have; a login or registration making one more is 403 `M_FORBIDDEN`.
    public var maxDevicesPerUser = 1000
    /// Undelivered to-device messages queued for one device; a send beyond is 413 `M_TOO_LARGE`.
    public var maxQueuedToDevice = 10_000
    /// Messages one `PUT /sendToDevice` may queue (after `*` is expanded); beyond is 413.
    public var maxToDevicePerRequest = 10_000
    /// Users one user may follow by querying their keys; beyond is 403 `M_FORBIDDEN`.
    public var maxFollowsPerUser = 10_000
    /// To-device transaction ids remembered per device (the newest).
    public var toDeviceTransactionIDs = 1000
    /// Device-list changes kept for `/sync` and `/keys/changes` (docs/STORE.md "Device-list history").
    public var deviceListHistory = 100_000
    /// The largest `content` of one to-device message, in bytes of canonical JSON (413 beyond).
    public var maxToDeviceBytes = 65_536
    /// Limits of the key endpoints (``KeyLimits``, docs/SECURITY.md "Limits").
    public var keys = KeyLimits()
    /// Account data a user may keep (``AccountDataLimits``, docs/SECURITY.md "Limits").
    public var accountData = AccountDataLimits.standard
    /// How long a client may take to send a request head, a body, and the next request
    /// (``HTTPDeadlines``, docs/SECURITY.md "Connections and deadlines").
    public var deadlines = HTTPDeadlines()
    /// Rate limits of the unauthenticated account endpoints and the password-hash cap (``AuthLimits``).
    public var authLimits = AuthLimits()
    /// The MSL issuer: its keys and token policy (``MSLSettings``, docs/SERVER.md "MSL issuer").
    public var msl = MSLSettings()

    public init() {}

    /// The database file inside ``dataDirectory``.
    public var databasePath: String { dataDirectory + "/keymesh.sqlite" }

    /// The registration mode in force.
    public var effectiveRegistration: Registration {
        registration ?? (Self.isLoopback(host) ? .open : .sharedSecret)
    }

    /// Whether `host` is a loopback address: `localhost`, an IPv4 address in 127.0.0.0/8, `::1`,
    /// or `::ffff:127.x.y.z`. The text must parse as an address: `127.evil.example` is a host
    /// name, which may resolve anywhere.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { $0.first == 127 }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        guard bytes.count == 16 else { return false }
        if bytes[0..<15].allSatisfy({ $0 == 0 }), bytes[15] == 1 { return true }  // ::1
        return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }
}
