// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird

/// The client-server API prefixes every controller serves: `v3`, and `r0` for clients that
/// still call it (docs/SERVER.md "Endpoints").
enum ClientAPI {
    static let prefixes = ["/_matrix/client/v3", "/_matrix/client/r0"]

    /// The groups to add a controller's routes to, one per prefix.
    static func groups<Context: RequestContext>(_ router: Router<Context>) -> [RouterGroup<Context>] {
        prefixes.map { router.group(RouterPath($0)) }
    }

    /// Seconds since 1970.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
