// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// The newest token of an identity, as (serial, sequence, expiration) (docs/MSL.md §7).
public struct MSLLineageRecord: Sendable, Equatable {
    public let serialNumber: Int64
    public let sequenceNumber: Int64
    public let expiration: Int64

    public init(serialNumber: Int64, sequenceNumber: Int64, expiration: Int64) {
        self.serialNumber = serialNumber
        self.sequenceNumber = sequenceNumber
        self.expiration = expiration
    }

    public init(_ token: MSLMasterToken) {
        self.init(serialNumber: token.serialNumber, sequenceNumber: token.sequenceNumber, expiration: token.expiration)
    }

    /// Whether `token` is the token this record describes (§7 "same token").
    public func describes(_ token: MSLMasterToken) -> Bool { self == MSLLineageRecord(token) }
}

/// Where an issuer keeps each identity's newest token (docs/MSL.md §7).
public protocol MSLTokenLineage: Sendable {
    /// Compare-and-set: records `issuance.masterToken` as `identity`'s newest. For a renewal
    /// (`issuance.previous` set) the previous token must be the recorded newest, or there must
    /// be no record (a token from an instance that shares no state is accepted), else
    /// `MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_SYNC`. A new lineage always replaces the record.
    func commit(_ issuance: MSLIssuance, identity: String) async throws(MSLError)
}

/// An in-memory lineage for one process (`keymesh msl respond`, tests).
public actor MSLMemoryLineage: MSLTokenLineage {
    /// Keyed by the identity's exact UTF-8 bytes (docs/MSL.md §1).
    private var newest: [[UInt8]: MSLLineageRecord] = [:]

    public init() {}

    public func commit(_ issuance: MSLIssuance, identity: String) throws(MSLError) {
        let key = Array(identity.utf8)
        if let previous = issuance.previous, let record = newest[key], !record.describes(previous) {
            throw MSLError(.mastertokenSequenceNumberOutOfSync, "not the newest token of this identity")
        }
        newest[key] = MSLLineageRecord(issuance.masterToken)
    }

    /// The recorded newest token of `identity`.
    public func record(identity: String) -> MSLLineageRecord? { newest[Array(identity.utf8)] }
}
