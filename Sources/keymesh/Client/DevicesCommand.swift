// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshClient
import KeyMeshCrossSigning
import KeyMeshMatrixAPI

/// `keymesh client devices @user`: the user's devices with their trust.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List a user's devices, their fingerprints and how far each is trusted.",
        discussion: """
            One JSON line per device: {"device_id", "fingerprint" (Ed25519), "trust"}. Trust is \
            cross-signed-verified (the chain from your master key reaches it), cross-signed (signed by its owner, \
            whom you have not verified), verified-by-hand, or unverified (with the reason).
            """)

    @OptionGroup var options: ClientOptions

    @Argument(help: "The user id, e.g. @bob:localhost (default: yourself).")
    var user: String?

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let client = try await options.openCaughtUp().client
            let me = try await client.identity()
            let userID = user ?? me.userID
            try await client.markDeviceListsOutdated([userID, me.userID])  // fresh: the person asked for them now
            let devices = try await client.devices(of: userID)
            let trust = try await client.trust(of: userID)
            if trust.identityChanged {
                FileHandle.standardError.write(Data("warning: the master key of \(userID) changed since it was first seen\n".utf8))
            }
            for device in devices {
                var line: JSONObject = ["device_id": .string(device.deviceID), "fingerprint": .string(device.fingerprint)]
                switch trust.devices[device.deviceID] ?? .unverified(reason: "not in the answer") {
                case .crossSignedTrusted: line["trust"] = "cross-signed-verified"
                case .signedByUntrustedIdentity(let reason): line["trust"] = "cross-signed"; line["reason"] = .string(reason)
                case .locallyVerified: line["trust"] = "verified-by-hand"
                case .unverified(let reason): line["trust"] = "unverified"; line["reason"] = .string(reason)
                }
                CLIOutput.printLine(line)
            }
        }
    }
}
