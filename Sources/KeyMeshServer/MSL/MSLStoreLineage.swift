// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshMSL
import KeyMeshStore

/// The lineage of one device's tokens in the server's store (docs/MSL.md §7): records an
/// issued token as the device's newest with the store's compare-and-set
/// (``MSLLineageStore/commitMSLToken(_:identity:token:replacing:)``), in one transaction.
struct MSLStoreLineage: MSLTokenLineage {
    let store: any MSLLineageStore
    let device: DeviceRef

    /// Records `issuance`; a renewal succeeds only if the token it renews is still the newest.
    /// - Throws: `MASTERTOKEN_SEQUENCE_NUMBER_OUT_OF_SYNC` (1009) if it is not (an older token,
    ///   or a racing renewal won); `MASTERTOKEN_IDENTITY_REVOKED` (1013) if the device was
    ///   deleted meanwhile; a store failure as it is (a 500). Nothing is stored then.
    func record(_ issuance: MSLIssuance, identity: String) async throws {
        let committed: Bool
        do {
            committed = try await store.commitMSLToken(device, identity: identity, token: Self.stamp(issuance.masterToken),
                                                       replacing: issuance.previous.map(Self.stamp))
        } catch StoreError.deviceNotFound {
            throw MSLError(.mastertokenIdentityRevoked, "the token's device was deleted")
        }
        guard committed else {
            throw MSLError(.mastertokenSequenceNumberOutOfSync, "the master token is not the newest of its lineage")
        }
    }

    /// ``MSLTokenLineage`` for engine callers: as ``record(_:identity:)``, but a store failure
    /// (which the server itself reports as a 500) becomes `MASTERTOKEN_REJECTED_BY_APP`.
    func commit(_ issuance: MSLIssuance, identity: String) async throws(MSLError) {
        do {
            try await record(issuance, identity: identity)
        } catch let error as MSLError {
            throw error
        } catch {
            throw MSLError(.mastertokenRejectedByApp, "the lineage store failed")
        }
    }

    static func stamp(_ token: MSLMasterToken) -> MSLTokenStamp {
        MSLTokenStamp(serialNumber: token.serialNumber, sequenceNumber: token.sequenceNumber, expiration: token.expiration)
    }
}
