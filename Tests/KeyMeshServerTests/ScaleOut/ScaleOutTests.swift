// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Testing

/// Three `keymesh serve` processes on one PostgreSQL database (docs/DEPLOY.md, docs/STORE.md
/// "PostgreSQL"): claims, wake-ups across instances, matrix-nio clients on different instances,
/// and SIGKILL of one instance under load. The suites below run one after another: each starts
/// three servers, and the wake-up delays they measure mean little on two cores shared with
/// another cluster.
@Suite("Scale-out: keymesh serve instances on one PostgreSQL", .serialized)
enum ScaleOutTests {}
