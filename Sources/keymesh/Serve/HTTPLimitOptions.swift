// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import KeyMeshServer

/// The `keymesh serve` options for connection deadlines (``HTTPDeadlines``) and the limits of
/// the account endpoints (``AuthLimits``), docs/SECURITY.md: each a flag and an environment
/// variable; a flag wins over its variable.
struct HTTPLimitOptions: ParsableArguments {
    @Option(help: "Seconds a client may take to send a request's head (KEYMESH_HEAD_TIMEOUT; default 10).")
    var headTimeout: Double?

    @Option(help: "Seconds a client may take to send a request's body after its head (KEYMESH_BODY_TIMEOUT; default 30).")
    var bodyTimeout: Double?

    @Option(help: "Seconds a keep-alive connection may stay idle between requests (KEYMESH_IDLE_TIMEOUT; default 60).")
    var idleTimeout: Double?

    @Option(help: "POST /register (and admin registration) per second per client address; 0 = no limit (KEYMESH_REGISTER_RATE; default 1).")
    var registerRate: Double?

    @Option(help: "Registrations a client address may make at once before the rate applies (KEYMESH_REGISTER_BURST; default 50).")
    var registerBurst: Double?

    @Option(help: "POST /login per second per client address; 0 = no limit (KEYMESH_LOGIN_RATE; default 1).")
    var loginRate: Double?

    @Option(help: "Logins a client address may make at once before the rate applies (KEYMESH_LOGIN_BURST; default 50).")
    var loginBurst: Double?

    @Option(help: "Failed logins per second per target user, from any address; 0 = no limit (KEYMESH_FAILED_LOGIN_RATE; default 0.1).")
    var failedLoginRate: Double?

    @Option(help: "Failed logins per target user at once before the rate applies (KEYMESH_FAILED_LOGIN_BURST; default 10).")
    var failedLoginBurst: Double?

    @Option(help: "Password hashes (Argon2id) computed at once (KEYMESH_PASSWORD_HASH_CONCURRENCY; default 4).")
    var passwordHashConcurrency: Int?

    @Option(help: "Password hashes waiting for a slot; more get 429 (KEYMESH_PASSWORD_HASH_QUEUE; default 64).")
    var passwordHashQueue: Int?

    /// Sets `config.deadlines` and `config.authLimits` from the flags, then the environment.
    func apply(to config: inout ServerConfig, environment: [String: String]) throws {
        func seconds(_ flag: Double?, _ variable: String) throws -> Duration? {
            try ServeSetting.number(flag, variable, environment, minimum: 0.001).map { .milliseconds(Int64(($0 * 1000).rounded())) }
        }
        if let v = try seconds(headTimeout, "KEYMESH_HEAD_TIMEOUT") { config.deadlines.head = v }
        if let v = try seconds(bodyTimeout, "KEYMESH_BODY_TIMEOUT") { config.deadlines.body = v }
        if let v = try seconds(idleTimeout, "KEYMESH_IDLE_TIMEOUT") { config.deadlines.idle = v }
        let rates: [(Double?, String, WritableKeyPath<AuthLimits, Double>, Double)] = [
            (registerRate, "KEYMESH_REGISTER_RATE", \.registerPerAddress.perSecond, 0),
            (registerBurst, "KEYMESH_REGISTER_BURST", \.registerPerAddress.burst, 1),
            (loginRate, "KEYMESH_LOGIN_RATE", \.loginPerAddress.perSecond, 0),
            (loginBurst, "KEYMESH_LOGIN_BURST", \.loginPerAddress.burst, 1),
            (failedLoginRate, "KEYMESH_FAILED_LOGIN_RATE", \.failedLoginsPerUser.perSecond, 0),
            (failedLoginBurst, "KEYMESH_FAILED_LOGIN_BURST", \.failedLoginsPerUser.burst, 1),
        ]
        for (flag, variable, field, minimum) in rates {
            if let v = try ServeSetting.number(flag, variable, environment, minimum: minimum) { config.authLimits[keyPath: field] = v }
        }
        if let v = try ServeSetting.integer(passwordHashConcurrency, "KEYMESH_PASSWORD_HASH_CONCURRENCY", environment) {
            config.authLimits.passwordHashConcurrency = v
        }
        if let v = try ServeSetting.integer(passwordHashQueue, "KEYMESH_PASSWORD_HASH_QUEUE", environment, minimum: 0) {
            config.authLimits.passwordHashQueue = v
        }
    }
}
