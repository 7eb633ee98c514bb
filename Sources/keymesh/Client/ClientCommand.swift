// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation

/// `keymesh client …`: one device in a terminal, its state in a profile folder.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Talk end to end through a Matrix homeserver (keymesh serve, Synapse, …) from a terminal.",
        discussion: """
            A profile folder holds one device: its sealed store (store.sqlite), the store key \
            (store.key, mode 0600, unless KEYMESH_STORE_KEY gives 64 hex characters) and the server URL. \
            Start with `register` or `login`; then `send`, `listen`, `devices` and `verify`; `join` and `authorize` add a \
            device to an account (docs/P2P.md), `revoke` removes a lost one. \
            One process at a time may use a profile.
            """,
        subcommands: [RegisterCommand.self, LoginCommand.self, SendCommand.self, ListenCommand.self,
                      DevicesCommand.self, VerifyCommand.self, JoinCommand.self, AuthorizeCommand.self,
                      RevokeCommand.self]
    )
}

/// Options every client command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "Homeserver base URL (KEYMESH_SERVER; default: the one saved in the profile, else http://127.0.0.1:8008).")
    var server: String?

    @Option(help: "Profile folder holding this device (KEYMESH_PROFILE; default ~/.keymesh/default).")
    var profile: String?
}

/// Options of `register` and `login`.
struct CredentialOptions: ParsableArguments {
    @Option(help: "User name (the local part, e.g. alice) or full user id.")
    var user: String

    @OptionGroup var secret: PasswordOptions

    func password() throws -> String { try secret.password() }
}

/// Where the account password comes from: never a flag value (flags show in the process list).
struct PasswordOptions: ParsableArguments {
    @Option(help: "File holding the password, a trailing newline ignored (default: the KEYMESH_PASSWORD environment variable). Never the password itself: flags show in the process list.")
    var passwordFile: String?

    /// The password from `--password-file`, else `KEYMESH_PASSWORD`.
    /// - Throws: `ValidationError` if neither gives one.
    func password(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let passwordFile { return try SecretFile.read(passwordFile, what: "password") }
        guard let password = environment["KEYMESH_PASSWORD"], !password.isEmpty else {
            throw ValidationError("give the password in a file (--password-file) or in KEYMESH_PASSWORD")
        }
        return password
    }
}

extension ClientOptions {
    /// Opens the profile named by the flags or the environment.
    func open(creating: Bool = false) throws -> ClientProfile {
        let environment = ProcessInfo.processInfo.environment
        let folder = profile ?? environment["KEYMESH_PROFILE"] ?? ClientProfile.defaultFolder
        return try ClientProfile(folder: folder, server: server ?? environment["KEYMESH_SERVER"], creating: creating,
                                 storeKeyHex: environment["KEYMESH_STORE_KEY"])
    }

    /// Opens the profile and syncs once first: device lists are only as
    /// fresh as the last sync, and a profile may not have synced for days. Messages the sync
    /// brings stay in the inbox for `listen` (nothing in this process acknowledges them).
    /// `listen` itself must not catch up this way: its own first sync would acknowledge them.
    func openCaughtUp() async throws -> ClientProfile {
        let opened = try open()
        _ = try await opened.client.sync()
        return opened
    }
}
