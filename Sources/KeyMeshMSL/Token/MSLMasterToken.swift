// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMatrixAPI

/// An MSL master token (docs/MSL.md §6): plaintext times and counters, session data encrypted
/// and signed under the issuer's keys, kept as the exact `tokendata` and `signature` bytes
/// received or issued so it is always written back unchanged.
public struct MSLMasterToken: Sendable {
    /// Seconds since 1970 from which the requester should renew.
    public let renewalWindow: Int64
    /// Seconds since 1970 at which the token expires.
    public let expiration: Int64
    /// 0 … 2^53, +1 per renewal, wrapping to 0 (docs/MSL.md §7).
    public let sequenceNumber: Int64
    /// 0 … 2^53, kept across renewals: names the lineage.
    public let serialNumber: Int64
    /// The signed bytes, exactly as received or issued.
    public let tokendata: [UInt8]
    /// The signature envelope bytes, exactly as received or issued.
    public let signature: [UInt8]
    /// The issuer key id whose HMAC key verified the signature; nil when unverified.
    public let verifiedKeyID: String?
    /// The decrypted session data; only for a verified token.
    public let session: MSLSessionData?

    /// Whether some held issuer key verified the signature (docs/MSL.md §6).
    public var isVerified: Bool { verifiedKeyID != nil }

    /// `{"tokendata": b64, "signature": b64}` of the original bytes (docs/MSL.md §6).
    public var json: JSONValue {
        ["tokendata": .string(MSLBase64.encode(tokendata)), "signature": .string(MSLBase64.encode(signature))]
    }

    init(renewalWindow: Int64, expiration: Int64, sequenceNumber: Int64, serialNumber: Int64,
         tokendata: [UInt8], signature: [UInt8], verifiedKeyID: String?, session: MSLSessionData?) {
        self.renewalWindow = renewalWindow
        self.expiration = expiration
        self.sequenceNumber = sequenceNumber
        self.serialNumber = serialNumber
        self.tokendata = tokendata
        self.signature = signature
        self.verifiedKeyID = verifiedKeyID
        self.session = session
    }
}

extension MSLMasterToken {
    /// Renewable when `renewalWindow ≤ now`; without a clock (`nil`), always (docs/MSL.md §7).
    public func isRenewable(now: Int64?) -> Bool {
        guard let now else { return true }
        return renewalWindow <= now
    }

    /// Expired when `expiration ≤ now`; without a clock (`nil`), never (docs/MSL.md §7).
    public func isExpired(now: Int64?) -> Bool {
        guard let now else { return false }
        return expiration <= now
    }

    /// Whether this token is newer than `other` (docs/MSL.md §7): equal sequence numbers → the
    /// later expiration; else the larger sequence number, unless the smaller one lies below
    /// `larger − 2^53 + 127`, in which case the counter wrapped and the smaller one is newer.
    public func isNewer(than other: MSLMasterToken) -> Bool {
        Self.isNewer(sequenceNumber: sequenceNumber, expiration: expiration,
                     than: other.sequenceNumber, expiration: other.expiration)
    }

    /// The §7 ordering on bare numbers (lineage records hold only these).
    public static func isNewer(sequenceNumber a: Int64, expiration ea: Int64,
                               than b: Int64, expiration eb: Int64) -> Bool {
        if a == b { return ea > eb }
        if a > b { return b >= a - MSLJSON.maxInteger + 127 }
        return a < b - MSLJSON.maxInteger + 127
    }

    /// Same serial number, sequence number and expiration (docs/MSL.md §7).
    public func isSameToken(_ other: MSLMasterToken) -> Bool {
        serialNumber == other.serialNumber && sequenceNumber == other.sequenceNumber && expiration == other.expiration
    }

    /// The next sequence number: +1, wrapping from 2^53 to 0 (docs/MSL.md §7).
    public static func nextSequenceNumber(after n: Int64) -> Int64 {
        n >= MSLJSON.maxInteger ? 0 : n + 1
    }
}
