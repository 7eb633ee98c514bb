// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// What a cross-signing key is for: the `usage` of a cross-signing key object
/// (docs/CROSS-SIGNING.md). Matrix vocabulary shared by the trust code, the stores and the
/// server, so it lives in the lowest module they all depend on.
public enum CrossSigningUsage: String, Sendable, CaseIterable, Hashable {
    case master
    case selfSigning = "self_signing"
    case userSigning = "user_signing"
}
