// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshCrypto
import KeyMeshMSL

/// The key options `keymesh msl respond` and `request` share (docs/MSL.md §10). These two
/// commands are interoperability test tools and take test keys as flag values; `keymesh serve`
/// never does (docs/MSL.md §8).
struct MSLTestKeyOptions: ParsableArguments {
    @Option(name: .customLong("msl-key-id"), help: "Key id of the issuer keys (written into each token's envelope).")
    var mslKeyID: String = "keymesh"

    @Option(name: .customLong("msl-keys"), help: "Issuer keys ENCHEX:HMACHEX (16 + 32 bytes; test keys only).")
    var mslKeys: String?

    @Option(name: .customLong("dh"), help: "A Diffie-Hellman parameter set ID=PHEX:GHEX (repeatable).")
    var dh: [String] = []

    /// The issuer keys named by `--msl-key-id` / `--msl-keys`, if given.
    func issuerKeys() throws -> MSLIssuerKeys? {
        guard let mslKeys else { return nil }
        let (enc, mac) = try MSLIssuerKeys.parseKeyPair(mslKeys)
        return try MSLIssuerKeys(keyID: mslKeyID, encryptionKey: enc, hmacKey: mac)
    }

    /// The built-in group and every `--dh` set (a repeated id replaces the earlier one).
    func dhParameters() throws -> [MSLDHParameters] {
        var sets = [MSLDHParameters.rfc3526Group14]
        for spec in dh {
            let parsed = try MSLDHParameters.parse(spec)
            sets.removeAll { $0.id.utf8.elementsEqual(parsed.id.utf8) }
            sets.append(parsed)
        }
        return sets
    }
}
