// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshCrypto

/// Channel key files: the 32-byte Curve25519 secret as 64 lowercase hex characters and a newline,
/// mode 0600. Public keys on the command line are 64 hex characters too.
enum ChannelKeyFile {
    static func write(_ key: Curve25519SecretKey, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(path) exists; refusing to overwrite a key")
        }
        let text = Hex.encode(key.unsafeExportSecret().unsafeExportSecret()) + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
    }

    static func read(_ path: String) throws -> Curve25519SecretKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count == 32,
              let key = try? Curve25519SecretKey(secret: SecretBytes(bytes)) else {
            throw ValidationError("\(path) is not a channel key file (64 hex characters)")
        }
        return key
    }

    static func publicKey(_ hex: String) throws -> Curve25519PublicKey {
        guard let bytes = Hex.decode(hex.lowercased()), let key = try? Curve25519PublicKey(rawRepresentation: bytes) else {
            throw ValidationError("'\(hex)' is not a public key (64 hex characters)")
        }
        return key
    }
}

/// `host:port` on the command line.
struct HostPort {
    let host: String
    let port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { throw ValidationError("'\(text)' is not HOST:PORT") }
        host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }
}
