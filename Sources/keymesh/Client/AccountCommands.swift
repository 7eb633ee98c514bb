// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshClient
import KeyMeshMatrixAPI

/// `keymesh client register`: a new user, this profile its first device, cross-signing set up.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a user; the profile becomes its first device (keys published, cross-signing set up).")

    @OptionGroup var options: ClientOptions
    @OptionGroup var credentials: CredentialOptions

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let password = try credentials.password()
            let client = try options.open(creating: true).client
            try await client.register(username: credentials.localPart, password: password)
            try await client.publishKeys()
            try await client.bootstrapCrossSigning(password: password)
            try await CLIOutput.printIdentity(client)
        }
    }
}

/// `keymesh client login`: this profile becomes a device of an existing user.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in; the profile becomes a new device of the user (or stays the device it already is).")

    @OptionGroup var options: ClientOptions
    @OptionGroup var credentials: CredentialOptions

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let password = try credentials.password()
            let client = try options.open(creating: true).client
            let existing = await client.session
            try await client.login(username: credentials.localPart, password: password, deviceID: existing?.deviceID)
            try await client.publishKeys()
            let me = try await client.identity()
            // a user without cross-signing keys gets them; existing ones stay on the device that made them
            if try await client.masterKey(of: me.userID) == nil {
                try await client.bootstrapCrossSigning(password: password)
            }
            try await CLIOutput.printIdentity(client)
        }
    }
}

extension CredentialOptions {
    /// `alice` from `alice` or `@alice:server`.
    var localPart: String {
        guard user.hasPrefix("@"), let colon = user.firstIndex(of: ":") else { return user }
        return String(user[user.index(after: user.startIndex)..<colon])
    }
}
