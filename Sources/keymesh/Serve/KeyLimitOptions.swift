// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshServer
import KeyMeshStore

/// The `keymesh serve` options for ``KeyLimits`` (docs/SECURITY.md "Limits"): each a flag and
/// an environment variable; a flag wins over its variable.
struct KeyLimitOptions: ParsableArguments {
    @Option(help: "Largest stored device_keys object or cross-signing key, in bytes; larger is 413 M_TOO_LARGE (KEYMESH_MAX_DEVICE_KEYS_BYTES; default 16384).")
    var maxDeviceKeysBytes: Int?

    @Option(help: "Largest one-time or fallback key object, in bytes; larger is 413 M_TOO_LARGE (KEYMESH_MAX_KEY_OBJECT_BYTES; default 4096).")
    var maxKeyObjectBytes: Int?

    @Option(help: "Unclaimed one-time keys kept per device; the oldest above it are deleted on upload (KEYMESH_MAX_ONE_TIME_KEYS; default 1000).")
    var maxOneTimeKeys: Int?

    @Option(help: "Fallback keys (algorithms) per device; more is 413 M_TOO_LARGE (KEYMESH_MAX_FALLBACK_KEYS; default 16).")
    var maxFallbackKeys: Int?

    @Option(help: "Users in one /keys/query; more is 413 M_TOO_LARGE (KEYMESH_MAX_QUERY_USERS; default 1000).")
    var maxQueryUsers: Int?

    @Option(help: "Devices asked for or answered in one /keys/query; more is 413 M_TOO_LARGE (KEYMESH_MAX_QUERY_DEVICES; default 10000).")
    var maxQueryDevices: Int?

    @Option(help: "Keys in one /keys/claim; more is 413 M_TOO_LARGE (KEYMESH_MAX_CLAIM_KEYS; default 1000).")
    var maxClaimKeys: Int?

    @Option(help: "Signed objects in one /keys/signatures/upload; more is 413 M_TOO_LARGE (KEYMESH_MAX_SIGNATURE_TARGETS; default 1000).")
    var maxSignatureTargets: Int?

    @Option(help: "Bytes of one account-data type's content; larger is 413 M_TOO_LARGE (KEYMESH_MAX_ACCOUNT_DATA_BYTES; default 65536).")
    var maxAccountDataBytes: Int?

    @Option(help: "Account-data types per user; a new type beyond it is 413 M_TOO_LARGE (KEYMESH_MAX_ACCOUNT_DATA_TYPES; default 100).")
    var maxAccountDataTypes: Int?

    /// Sets `config.keys` and `config.accountData` from the flags, then the environment; each
    /// value must be at least 1.
    func apply(to config: inout ServerConfig, environment: [String: String]) throws {
        let accountData: [(Int?, String, WritableKeyPath<AccountDataLimits, Int>)] = [
            (maxAccountDataBytes, "KEYMESH_MAX_ACCOUNT_DATA_BYTES", \.contentBytes),
            (maxAccountDataTypes, "KEYMESH_MAX_ACCOUNT_DATA_TYPES", \.typesPerUser),
        ]
        for (flag, variable, field) in accountData {
            config.accountData[keyPath: field] = try ServeSetting.integer(flag, variable, environment) ?? config.accountData[keyPath: field]
        }
        let fields: [(Int?, String, WritableKeyPath<KeyLimits, Int>)] = [
            (maxDeviceKeysBytes, "KEYMESH_MAX_DEVICE_KEYS_BYTES", \.maxDeviceKeysBytes),
            (maxKeyObjectBytes, "KEYMESH_MAX_KEY_OBJECT_BYTES", \.maxKeyObjectBytes),
            (maxOneTimeKeys, "KEYMESH_MAX_ONE_TIME_KEYS", \.maxOneTimeKeys),
            (maxFallbackKeys, "KEYMESH_MAX_FALLBACK_KEYS", \.maxFallbackKeys),
            (maxQueryUsers, "KEYMESH_MAX_QUERY_USERS", \.maxQueryUsers),
            (maxQueryDevices, "KEYMESH_MAX_QUERY_DEVICES", \.maxQueryDevices),
            (maxClaimKeys, "KEYMESH_MAX_CLAIM_KEYS", \.maxClaimKeys),
            (maxSignatureTargets, "KEYMESH_MAX_SIGNATURE_TARGETS", \.maxSignatureTargets),
        ]
        for (flag, variable, field) in fields {
            config.keys[keyPath: field] = try ServeSetting.integer(flag, variable, environment) ?? config.keys[keyPath: field]
        }
    }
}
