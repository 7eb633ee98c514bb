// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshClient
import KeyMeshMatrixAPI

/// `keymesh client send --to @bob:localhost "text"`.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Encrypt a text for every device of a user and send it.",
        discussion: "Prints {\"sent\": [device ids]}. Exit status 1 if no device could be reached.")

    @OptionGroup var options: ClientOptions

    @Option(help: "The recipient's user id, e.g. @bob:localhost.")
    var to: String

    @Option(help: "Event type of the message.")
    var type = "m.text"

    @Option(help: "Which devices to send to: self-signed (any device with valid keys), cross-signed (signed by their owner's cross-signing key) or verified (verified by you).")
    var trust: TrustOption = .selfSigned

    @Argument(help: "The text.")
    var text: String

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let client = try await options.openCaughtUp().client
            await client.setTrustPolicy(trust.policy)
            try await client.markDeviceListsOutdated([to])  // a device added since the last query is reached too
            let reached = try await client.send(to: to, type: type, content: ["body": .string(text)])
            guard !reached.isEmpty else { throw CLIError("\(to) has no device this trust policy allows (or none at all)") }
            CLIOutput.printLine(["sent": .array(reached.map { .string($0.deviceID) })])
        }
    }
}

enum TrustOption: String, ExpressibleByArgument, CaseIterable {
    case selfSigned = "self-signed"
    case crossSigned = "cross-signed"
    case verified

    var policy: TrustPolicy {
        switch self {
        case .selfSigned: .selfSigned
        case .crossSigned: .crossSigned
        case .verified: .verified
        }
    }
}
