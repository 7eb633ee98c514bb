// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import CLibCrypto
import KeyMeshCrypto

/// One side's Diffie-Hellman key pair in a parameter set, and the session-key derivation of
/// docs/MSL.md §5.1. Every big-number operation is OpenSSL's libcrypto (`DH_generate_key`,
/// `DH_compute_key`); the `DH` object is freed in `deinit`.
///
/// Sendable: after `init` the `DH` object is only read; OpenSSL guards its lazily built
/// Montgomery context with the object's own lock.
public final class MSLDHKeyPair: @unchecked Sendable {
    /// The set the pair belongs to.
    public let parameters: MSLDHParameters
    /// The public value in wire form: `00 ‖ minimal magnitude` (docs/MSL.md §5.1).
    public let publicValue: [UInt8]
    private let dh: OpaquePointer

    /// A fresh pair: OpenSSL draws the private exponent (its named-group length for the built-in
    /// set, `bits(p) − 1` random bits for a configured one).
    ///
    /// - Parameter parameters: The group, ``MSLDHParameters/rfc3526Group14`` or a configured set.
    /// - Throws: `UNKNOWN_KEYX_PARAMETERS_ID` if OpenSSL cannot set the group up,
    ///   `INVALID_PRIVATE_KEY` if it cannot make a key pair in it.
    public convenience init(parameters: MSLDHParameters) throws(MSLError) {
        try self.init(parameters: parameters, exponent: nil)
    }

    /// A pair with a fixed private exponent, for known-answer vectors only (docs/MSL.md §13).
    ///
    /// - Parameters:
    ///   - parameters: The group.
    ///   - privateExponent: Unsigned big-endian, leading zeros allowed, in 1 … p − 2.
    /// - Throws: `INVALID_PRIVATE_KEY` for an exponent out of range, else as ``init(parameters:)``.
    public convenience init(parameters: MSLDHParameters, privateExponent: [UInt8]) throws(MSLError) {
        try self.init(parameters: parameters, exponent: privateExponent)
    }

    private init(parameters: MSLDHParameters, exponent: [UInt8]?) throws(MSLError) {
        guard let dh = Self.makeDH(parameters) else {
            ERR_clear_error()
            throw MSLError(.unknownKeyxParametersID, "OpenSSL could not set up the DH group")
        }
        guard let pMinus1 = MSLBigNum(bytes: parameters.prime), pMinus1.subtract(1) else {
            DH_free(dh)
            throw MSLError(.unknownKeyxParametersID, "OpenSSL could not read p")
        }
        do throws(MSLError) {
            if let exponent { try Self.setPrivate(exponent, on: dh, below: pMinus1) }
            guard DH_generate_key(dh) == 1, let pub = DH_get0_pub_key(dh) else {
                ERR_clear_error()
                throw MSLError(.invalidPrivateKey, "OpenSSL could not make a DH key pair")
            }
            publicValue = MSLDHWire.encode(MSLBigNum.bytes(of: pub))
        } catch {
            DH_free(dh)
            throw error
        }
        self.dh = dh
        self.parameters = parameters
    }

    deinit { DH_free(dh) }

    /// p as OpenSSL holds it for this pair (tests compare the built-in constant with OpenSSL's).
    var groupPrime: [UInt8] { DH_get0_p(dh).map(MSLBigNum.bytes(of:)) ?? [] }

    /// The session keys shared with the holder of `peerPublicValue` (docs/MSL.md §5.1):
    /// `SHA-384(00 ‖ minimal Z)`, split 16 / 32. One `DH_compute_key`, nothing else costly.
    ///
    /// - Parameter peerPublicValue: The peer's `publickey` bytes; any number of leading zeros.
    /// - Returns: `Kenc = h[0..16)`, `Khmac = h[16..48)`.
    /// - Throws: `KEYX_INVALID_PUBLIC_KEY` for an empty value or one outside 2 … p − 2 (checked
    ///   before any exponentiation; for a safe prime such as group 14 this also excludes the
    ///   small subgroups {1} and {1, p − 1}), or one OpenSSL refuses.
    public func sessionKeys(peerPublicValue: [UInt8]) throws(MSLError) -> MSLSessionKeys {
        let peer = try checkedPeer(peerPublicValue)
        guard let peerPointer = peer.pointer else {
            throw MSLError(.keyxInvalidPublicKey, "peer DH value could not be read")
        }
        var z = [UInt8](repeating: 0, count: Int(DH_size(dh)))
        defer { SecretBytes.wipe(&z) }
        let length = z.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return DH_compute_key(base, peerPointer, dh)
        }
        guard length > 0, Int(length) <= z.count else {
            ERR_clear_error()
            throw MSLError(.keyxInvalidPublicKey, "OpenSSL refused the peer DH value")
        }
        return try MSLDHKeyDerivation.sessionKeys(sharedSecret: z[0..<Int(length)])
    }

    /// The peer value as a number in 2 … p − 2, else `KEYX_INVALID_PUBLIC_KEY`.
    private func checkedPeer(_ value: [UInt8]) throws(MSLError) -> MSLBigNum {
        try parameters.peerValue(value)
    }
}
