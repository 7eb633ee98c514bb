// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshServer

/// The `keymesh serve` options of the MSL issuer (docs/MSL.md §8, docs/SERVER.md "MSL issuer").
/// The issuer keys come from a file or an environment variable, never from a flag's value
/// (which the process list shows); the times are not secrets and are flags too.
struct MSLIssuerOptions: ParsableArguments {
    @Option(help: "File holding the MSL issuer keys, `KID ENCHEX:HMACHEX` (or the keys themselves in KEYMESH_MSL_KEYS; default: msl-issuer.key in the data directory, created with fresh keys on first start). Every instance of one service needs the same keys.")
    var mslKeysFile: String?

    @Option(help: "Seconds from issue until an MSL master token may be renewed (KEYMESH_MSL_RENEWAL_WINDOW; default 43200).")
    var mslRenewalWindow: Int?

    @Option(help: "Seconds from issue until an MSL master token expires, at least the renewal window (KEYMESH_MSL_LIFETIME; default 86400).")
    var mslLifetime: Int?

    /// The longest window or lifetime accepted: ten years.
    static let maximumSeconds = 10 * 365 * 86_400

    /// Sets `config.msl` from the flags, then the environment. Errors never show key material.
    func apply(to config: inout ServerConfig, environment: [String: String]) throws {
        do {
            if let path = mslKeysFile {
                config.msl.issuerKeys = try MSLKeyFile.read(path)
            } else if let text = environment["KEYMESH_MSL_KEYS"] {
                config.msl.issuerKeys = try MSLKeyFile.parse(text)
            }
        } catch let error as MSLKeyFileError {
            throw ValidationError(mslKeysFile == nil ? "KEYMESH_MSL_KEYS: \(error)" : "\(error)")
        }
        if let window = try ServeSetting.integer(mslRenewalWindow, "KEYMESH_MSL_RENEWAL_WINDOW", environment) {
            config.msl.renewalWindow = Int64(min(window, Self.maximumSeconds))
        }
        if let lifetime = try ServeSetting.integer(mslLifetime, "KEYMESH_MSL_LIFETIME", environment) {
            config.msl.lifetime = Int64(min(lifetime, Self.maximumSeconds))
        }
        guard config.msl.lifetime >= config.msl.renewalWindow else {
            throw ValidationError("the MSL lifetime (\(config.msl.lifetime) s) is shorter than the renewal window (\(config.msl.renewalWindow) s)")
        }
    }
}
