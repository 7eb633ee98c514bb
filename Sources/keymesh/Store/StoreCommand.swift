// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser

/// `keymesh store …`: operations on a stopped deployment's store.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Operations on a KeyMesh store (docs/STORE.md).",
        subcommands: [StoreCopyCommand.self]
    )
}
