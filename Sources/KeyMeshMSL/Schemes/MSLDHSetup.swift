// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CLibCrypto

extension MSLDHKeyPair {
    /// A `DH` object for `parameters`: OpenSSL's named group for the built-in set, else p and g
    /// set explicitly (no q, so OpenSSL draws `bits(p) − 1`-bit exponents; docs/MSL.md §5.1).
    /// Nil if OpenSSL fails; the caller owns the result.
    static func makeDH(_ parameters: MSLDHParameters) -> OpaquePointer? {
        if let nid = parameters.namedGroupNID { return DH_new_by_nid(nid) }
        guard let dh = DH_new() else { return nil }
        guard let p = MSLBigNum(bytes: parameters.prime), let g = MSLBigNum(bytes: parameters.generator) else {
            DH_free(dh)
            return nil
        }
        let pPointer = p.release()
        let gPointer = g.release()
        // DH_set0_pqg takes ownership only when it succeeds.
        guard DH_set0_pqg(dh, pPointer, nil, gPointer) == 1 else {
            p.restore(pPointer)
            g.restore(gPointer)
            DH_free(dh)
            return nil
        }
        return dh
    }

    /// Installs a fixed private exponent (vectors only), which must be in 1 … p − 2.
    static func setPrivate(_ exponent: [UInt8], on dh: OpaquePointer, below pMinus1: MSLBigNum) throws(MSLError) {
        let magnitude = MSLDHWire.strip(exponent)
        guard !magnitude.isEmpty, let value = MSLBigNum(bytes: magnitude), value.compare(pMinus1) < 0 else {
            throw MSLError(.invalidPrivateKey, "DH private exponent must be in 1 … p − 2")
        }
        let pointer = value.release()
        // DH_set0_key takes ownership only when it succeeds.
        guard DH_set0_key(dh, nil, pointer) == 1 else {
            value.restore(pointer)
            ERR_clear_error()
            throw MSLError(.invalidPrivateKey, "OpenSSL refused the DH private exponent")
        }
    }
}
