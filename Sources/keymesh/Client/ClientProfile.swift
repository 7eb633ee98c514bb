// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshClient
import KeyMeshCrypto

/// A profile folder: `store.sqlite` (the sealed client store), `store.key` (32 random bytes,
/// mode 0600) and `server` (the homeserver URL it registered with).
struct ClientProfile {
    static let defaultFolder = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.keymesh/default"

    let folder: String
    let client: KeyMeshClient

    /// Opens the profile (creating the folder and key when `creating`).
    init(folder: String, server: String?, creating: Bool, storeKeyHex: String?) throws {
        self.folder = folder
        let files = FileManager.default
        if !files.fileExists(atPath: folder + "/store.sqlite") {
            guard creating else { throw CLIError("no profile at \(folder): run `keymesh client register` or `login` first") }
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let key = try Self.storeKey(folder: folder, hex: storeKeyHex)
        let savedServer = try? String(contentsOfFile: folder + "/server", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let serverText = server ?? savedServer ?? "http://127.0.0.1:8008"
        guard let url = URL(string: serverText), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw CLIError("not an http(s) URL: \(serverText)")
        }
        let store = try ClientStore(.sqlite(path: folder + "/store.sqlite"), key: key)
        client = try KeyMeshClient(homeserver: url, store: store)
        if serverText != savedServer { try Data((serverText + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/server")) }
    }

    /// The store key: KEYMESH_STORE_KEY (64 hex characters) or the profile's key file, made on first use.
    private static func storeKey(folder: String, hex: String?) throws -> SealingKey {
        if let hex {
            guard let bytes = Hex.decode(hex), bytes.count == 32 else { throw CLIError("KEYMESH_STORE_KEY must be 64 hex characters") }
            return try SealingKey(SecretBytes(bytes))
        }
        let path = folder + "/store.key"
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else { throw CLIError("\(path) is not a 32-byte key") }
            return try SealingKey(SecretBytes(data))
        }
        let secret = SystemRandom().secret(count: 32)
        guard FileManager.default.createFile(atPath: path, contents: Data(secret.unsafeExportSecret()),
                                             attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write \(path)") }
        return try SealingKey(secret)
    }
}

/// A mistake of the person at the terminal: printed as one line, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
