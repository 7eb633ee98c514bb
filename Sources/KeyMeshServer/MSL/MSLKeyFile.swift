// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshCrypto
import KeyMeshMSL

/// The issuer key file of `keymesh serve` (docs/MSL.md §8): `KID ENCHEX:HMACHEX` on one line,
/// or the key id and `ENCHEX:HMACHEX` on two. Errors name the file, never its content.
public enum MSLKeyFile {
    /// The largest key file read (a key id and two hex keys fit many times over).
    static let maxBytes = 4096

    /// Parses the text of a key file or of `KEYMESH_MSL_KEYS`: the key id and `ENCHEX:HMACHEX`,
    /// separated by white space (a space or a line break).
    public static func parse(_ text: String) throws -> MSLIssuerKeys {
        do { return try MSLIssuerKeys.parse(text) } catch { throw MSLKeyFileError.malformed }
    }

    /// Reads the keys in the file at `path`.
    public static func read(_ path: String) throws -> MSLIssuerKeys {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw MSLKeyFileError.unreadable(path) }
        defer { try? handle.close() }
        guard let data = try handle.read(upToCount: maxBytes + 1), data.count <= maxBytes else {
            throw MSLKeyFileError.unreadable(path)
        }
        var bytes = [UInt8](data)
        defer { SecretBytes.wipe(&bytes) }
        do { return try parse(String(decoding: bytes, as: UTF8.self)) } catch { throw MSLKeyFileError.malformedFile(path) }
    }

    /// The keys in `path`, creating the file with fresh random keys (mode 0600) if it does not
    /// exist. Instances starting together on one data directory agree: the file is written
    /// under a temporary name and linked into place, which fails if another got there first,
    /// and then that one's keys are read.
    public static func readOrCreate(_ path: String) throws -> MSLIssuerKeys {
        if FileManager.default.fileExists(atPath: path) { return try read(path) }
        let keyID = "keymesh-" + Hex.encode(SystemRandom().bytes(count: 4))
        let keys = try MSLIssuerKeys.random(keyID: keyID)
        var line = Array((keys.unsafeExportLine() + "\n").utf8)
        defer { SecretBytes.wipe(&line) }
        let temporary = path + ".tmp-" + Hex.encode(SystemRandom().bytes(count: 8))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw MSLKeyFileError.cannotCreate(path) }
        defer { unlink(temporary) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == line.count, synced else { throw MSLKeyFileError.cannotCreate(path) }
        if link(temporary, path) != 0 {
            guard errno == EEXIST else { throw MSLKeyFileError.cannotCreate(path) }
            return try read(path)  // another instance created it first: use its keys
        }
        // the new name must survive a power cut too, or a restart would make other keys
        let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
        return keys
    }
}

/// Why the issuer keys could not be loaded. Never carries key material.
public enum MSLKeyFileError: Error, Equatable, CustomStringConvertible {
    case malformed
    case malformedFile(String)
    case unreadable(String)
    case cannotCreate(String)

    public var description: String {
        switch self {
        case .malformed: "the MSL issuer keys are not `KID ENCHEX:HMACHEX` (a 16-byte and a 32-byte key in hex)"
        case .malformedFile(let path): "the MSL issuer key file \(path) is not `KID ENCHEX:HMACHEX`"
        case .unreadable(let path): "cannot read the MSL issuer key file \(path)"
        case .cannotCreate(let path): "cannot create the MSL issuer key file \(path)"
        }
    }
}
