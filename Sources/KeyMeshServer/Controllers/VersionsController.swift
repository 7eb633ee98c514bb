// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird

/// `GET /_matrix/client/versions`: the spec versions KeyMesh speaks (docs/SERVER.md "Endpoints").
struct VersionsController<Context: RequestContext> {
    /// Versions advertised; the key and to-device endpoints KeyMesh serves are v3 (r0 aliases kept).
    static var versions: [String] { ["r0.6.1"] + (1...11).map { "v1.\($0)" } }

    struct Versions: ResponseEncodable {
        let versions: [String]
        let unstable_features: [String: Bool]
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/_matrix/client/versions") { _, _ in
            Versions(versions: Self.versions, unstable_features: [:])
        }
    }
}
