// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI
import KeyMeshStore

/// What `/keys/query` shows of cross-signing to `viewer` (docs/CROSS-SIGNING.md): the queried
/// users' master and self-signing keys, the viewer's own user-signing key only, and uploaded
/// signatures merged into the objects they sign, filtered so that a viewer sees a signature
/// only if its signer is the key's own user or the viewer: nobody ever sees another user's
/// user-signing signatures.
struct CrossSigningView: Sendable {
    let viewer: String
    let keys: [String: [CrossSigningUsage: String]]
    /// Visible signatures by target user, then target id.
    let signatures: [String: [String: [StoredSignature]]]

    init(viewer: String, keys: [String: [CrossSigningUsage: String]], signatures: [StoredSignature]) {
        self.viewer = viewer
        self.keys = keys
        var visible: [String: [String: [StoredSignature]]] = [:]
        for signature in signatures where signature.signer == signature.targetUser || signature.signer == viewer {
            visible[signature.targetUser, default: [:]][signature.targetID, default: []].append(signature)
        }
        self.signatures = visible
    }

    /// `stored` (canonical JSON of `user`'s key `id`) with its visible signatures merged in.
    func merged(_ stored: String, user: String, id: String) -> [UInt8] {
        guard let extra = signatures[user]?[id], !extra.isEmpty,
              var object = (try? JSONParser.parse(stored))?.objectValue
        else { return Array(stored.utf8) }
        var all = object["signatures"]?.objectValue ?? [:]
        for signature in extra {
            var bySigner = all[signature.signer]?.objectValue ?? [:]
            bySigner[signature.keyID] = .string(signature.signature)
            all[signature.signer] = .object(bySigner)
        }
        object["signatures"] = .object(all)
        return JSONSplice.value(.object(object))
    }

    /// The `master_keys`, `self_signing_keys` and `user_signing_keys` members of the response.
    func members() -> [(key: String, value: [UInt8])] {
        func section(_ usage: CrossSigningUsage) -> [UInt8] {
            let users = keys.keys.sorted().filter { usage != .userSigning || $0 == viewer }
            return JSONSplice.object(users.compactMap { user in
                guard let json = keys[user]?[usage] else { return nil }
                let id = CrossSigningKey.stored(json, usage: usage, userID: user)?.id ?? ""
                return (key: user, value: merged(json, user: user, id: id))
            })
        }
        return [(key: "master_keys", value: section(.master)), (key: "self_signing_keys", value: section(.selfSigning)),
                (key: "user_signing_keys", value: section(.userSigning))]
    }
}
