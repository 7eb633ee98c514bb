// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto

/// The signature over a master token's `tokendata` (docs/MSL.md §6): KeyMesh writes MSL's
/// version 1 envelope, the raw 32-byte HMAC-SHA256; it also reads version 2,
/// `{"version":2,"algorithm":"HmacSHA256","signature":binary}`.
enum MSLSignatureEnvelope {
    /// The version 1 signature of `data` under `key`.
    static func sign(_ data: [UInt8], key: SecretBytes) -> [UInt8] {
        HMACSHA256.mac(key: key, message: data)
    }

    /// The version 1 signature of `data` under the issuer's keyed HMAC.
    static func sign(_ data: [UInt8], keys: MSLIssuerKeys) -> [UInt8] {
        keys.signer.mac(data)
    }

    /// Whether `envelope` is a valid signature of `data` under `keys`, compared in constant time.
    /// An envelope that is not a well-formed version 2 object is taken as version 1 raw bytes.
    static func verify(_ envelope: [UInt8], data: [UInt8], keys: MSLIssuerKeys) -> Bool {
        ConstantTime.equals(rawSignature(envelope), keys.signer.mac(data))
    }

    /// The raw MAC an envelope carries: version 2's `signature`, else the bytes themselves.
    static func rawSignature(_ envelope: [UInt8]) -> [UInt8] {
        guard envelope.first == UInt8(ascii: "{"),
              let reader = try? MSLObjectReader(bytes: envelope, code: .signatureEnvelopeParseError),
              reader.has("version")
        else { return envelope }
        guard (try? reader.int("version")) == 2,
              let algorithm = try? reader.string("algorithm"), algorithm.mslEquals("HmacSHA256"),
              let signature = try? reader.binary("signature")
        else { return envelope }
        return signature
    }
}
