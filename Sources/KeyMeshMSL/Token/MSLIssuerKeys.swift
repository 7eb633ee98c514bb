// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The keys a service issues master tokens under (docs/MSL.md §8): a key id written into every
/// ciphertext envelope, an AES-128 key and an HMAC-SHA256 key. Printing shows the key id only.
public struct MSLIssuerKeys: Sendable, CustomStringConvertible {
    public static let encryptionKeyLength = 16
    public static let hmacKeyLength = 32

    public let keyID: String
    public let encryptionKey: SecretBytes
    public let hmacKey: SecretBytes
    /// `hmacKey`, keyed once for signing and checking tokens.
    let signer: MSLTokenSigner

    /// Keys of exactly 16 and 32 bytes under a non-empty key id without white space or NUL.
    /// - Throws: `MSL_PARSE_ERROR` otherwise.
    public init(keyID: String, encryptionKey: SecretBytes, hmacKey: SecretBytes) throws(MSLError) {
        guard !keyID.isEmpty, keyID.utf8.count <= 256,
              !keyID.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F })
        else { throw MSLError(.mslParseError, "issuer key id must be 1-256 bytes without spaces or controls") }
        guard encryptionKey.count == Self.encryptionKeyLength, hmacKey.count == Self.hmacKeyLength else {
            throw MSLError(.mslParseError, "issuer keys must be 16 and 32 bytes")
        }
        self.keyID = keyID
        self.encryptionKey = encryptionKey
        self.hmacKey = hmacKey
        signer = MSLTokenSigner(key: hmacKey)
    }

    /// Parses `KID ENCHEX:HMACHEX` (docs/MSL.md §8); the key id and the keys may also be on two
    /// lines. Surrounding white space is ignored.
    public static func parse(_ text: String) throws(MSLError) -> MSLIssuerKeys {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard fields.count == 2 else { throw MSLError(.mslParseError, "expected KID ENCHEX:HMACHEX") }
        let keys = try parseKeyPair(fields[1])
        return try MSLIssuerKeys(keyID: String(fields[0]), encryptionKey: keys.0, hmacKey: keys.1)
    }

    /// Parses `ENCHEX:HMACHEX` (hex of 16 and 32 bytes), as `--msl-keys` and `--psk` give them.
    public static func parseKeyPair(_ text: some StringProtocol) throws(MSLError) -> (SecretBytes, SecretBytes) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, var enc = Hex.decode(parts[0]), var mac = Hex.decode(parts[1]) else {
            throw MSLError(.mslParseError, "expected ENCHEX:HMACHEX")
        }
        defer { SecretBytes.wipe(&enc); SecretBytes.wipe(&mac) }
        guard enc.count == encryptionKeyLength, mac.count == hmacKeyLength else {
            throw MSLError(.mslParseError, "keys must be 16 and 32 bytes")
        }
        return (SecretBytes(enc), SecretBytes(mac))
    }

    /// Fresh random keys under `keyID`.
    public static func random(keyID: String, using random: some RandomSource = SystemRandom()) throws(MSLError) -> MSLIssuerKeys {
        try MSLIssuerKeys(keyID: keyID, encryptionKey: random.secret(count: encryptionKeyLength),
                          hmacKey: random.secret(count: hmacKeyLength))
    }

    /// The `KID ENCHEX:HMACHEX` line for the keys file. Hazardous: it holds the secrets.
    public func unsafeExportLine() -> String {
        "\(keyID) \(Hex.encode(encryptionKey.unsafeExportSecret())):\(Hex.encode(hmacKey.unsafeExportSecret()))"
    }

    public var description: String { "MSLIssuerKeys(keyID: \(keyID), redacted)" }
}
