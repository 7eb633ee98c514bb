// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CLibCrypto

extension MSLDHParameters {
    /// A peer's public value as a number in 2 … p − 2, else `KEYX_INVALID_PUBLIC_KEY`
    /// (docs/MSL.md §5.1). No exponentiation: an issuer calls this before making its own key
    /// pair, so a bad value costs it nothing.
    func peerValue(_ value: [UInt8]) throws(MSLError) -> MSLBigNum {
        let magnitude = MSLDHWire.strip(value)
        guard !magnitude.isEmpty else { throw MSLError(.keyxInvalidPublicKey, "DH public value is empty or zero") }
        guard magnitude.count <= primeByteCount else {
            throw MSLError(.keyxInvalidPublicKey, "DH public value is larger than p")
        }
        guard let peer = MSLBigNum(bytes: magnitude), let pMinus1 = MSLBigNum(bytes: prime), pMinus1.subtract(1) else {
            throw MSLError(.keyxInvalidPublicKey, "DH public value could not be read")
        }
        guard peer.compare(word: 1) > 0, peer.compare(pMinus1) < 0 else {
            throw MSLError(.keyxInvalidPublicKey, "DH public value is outside 2 … p − 2")
        }
        return peer
    }
}
