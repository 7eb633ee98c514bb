// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import ArgumentParser
import Foundation
import KeyMeshStore
import KeyMeshStorePostgres
import KeyMeshStoreSQLite
import Logging

/// `keymesh store copy`: a stopped SQLite deployment into PostgreSQL, in one transaction,
/// verified, safe to run again (docs/STORE.md "Moving from SQLite to PostgreSQL").
struct StoreCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a stopped SQLite deployment into PostgreSQL, verify the row counts, print them.",
        discussion: """
            Stop every `keymesh serve` on the SQLite file first. The copy is one PostgreSQL transaction: \
            it commits only if afterwards every table of the target holds exactly the source's rows; \
            otherwise nothing is written, the counts are printed and the exit status is 2. Running it \
            again copies nothing and verifies again. A target holding data the source does not explain \
            (other rows, other values, a later stream position) is refused.
            """)

    @Option(help: "The SQLite deployment: sqlite:PATH (the keymesh.sqlite file of its data directory).")
    var from: String

    @Option(help: "The PostgreSQL database: postgres://USER@HOST:PORT/DATABASE[?sslmode=disable|prefer|require] (KEYMESH_DATABASE). A password is taken from KEYMESH_DATABASE (the URL in the environment), --to-password-file, KEYMESH_DATABASE_PASSWORD_FILE, KEYMESH_DATABASE_PASSWORD or PGPASSWORD, never from this flag.")
    var to: String?

    @Option(help: "File holding the PostgreSQL password; a trailing newline is ignored (KEYMESH_DATABASE_PASSWORD_FILE).")
    var toPasswordFile: String?

    @Option(help: "Rows read and written at a time (1…\(StoreCopyLimits.maxPageSize)).")
    var pageSize = StoreCopyLimits.defaultPageSize

    func validate() throws {
        guard (1...StoreCopyLimits.maxPageSize).contains(pageSize) else {
            throw ValidationError("--page-size must be 1…\(StoreCopyLimits.maxPageSize)")
        }
    }

    func run() async throws {
        try await CLIOutput.reportingErrors {
            let (path, target) = try locations(environment: ProcessInfo.processInfo.environment)
            let source = try SQLiteStore(path: path)
            var logger = Logger(label: "keymesh.store.copy")
            logger.logLevel = .warning
            // two: the store keeps one connection LISTENing for wake-ups (docs/STORE.md "Wake-ups across instances")
            let store = try await PostgresStore(target, maxConnections: 2, logger: logger)
            let clock = ContinuousClock()
            let started = clock.now
            let report: StoreCopyReport
            do {
                report = try await store.importRows(from: source, pageSize: pageSize)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
            Self.write(Self.lines(report, elapsed: clock.now - started))
            if !report.committed { throw ExitCode(2) }
        }
    }

    /// The source file (which must exist: opening a missing one would create an empty store)
    /// and the target, its password resolved as `keymesh serve --database` resolves it.
    func locations(environment: [String: String]) throws -> (String, PostgresLocation) {
        guard case .sqlite(let path) = try StoreLocation.parse(from, fromFlag: true) else {
            throw ValidationError("--from must be sqlite:PATH (copies go from SQLite to PostgreSQL)")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no SQLite store at \(path)") }
        let target = try StoreLocation.resolve(flag: to, environment: environment, passwordFile: toPasswordFile,
                                               defaultSQLitePath: "")
        guard case .postgres(let postgres) = target else {
            throw ValidationError("--to (or KEYMESH_DATABASE) must be a postgres:// URL")
        }
        return (path, postgres)
    }

    /// One line per table (`table source target`), the stream positions, then the verdict.
    static func lines(_ report: StoreCopyReport, elapsed: Duration) -> [String] {
        let width = max(24, (report.tables.map(\.table.count).max() ?? 0) + 2)
        func pad(_ text: String, _ count: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, count - text.count))
            return left ? text + fill : fill + text
        }
        var lines = [pad("table", width, left: true) + pad("source", 10) + pad("target", 10)]
        for line in report.tables {
            lines.append(pad(line.table, width, left: true) + pad("\(line.source)", 10) + pad("\(line.target)", 10))
        }
        lines.append("stream position: source \(report.sourcePosition), target before \(report.targetPositionBefore), target now \(report.targetPosition)")
        let copied = report.tables.reduce(0) { $0 + $1.copied }
        let present = report.tables.reduce(0) { $0 + $1.present }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if report.committed {
            lines.append("verified: \(copied) rows copied, \(present) already there, in \(String(format: "%.1f", seconds)) s")
        } else {
            lines.append("MISMATCH: nothing was written (the copy was rolled back)")
            lines += report.problems.map { "- \($0)" }
        }
        return lines
    }

    private static func write(_ lines: [String]) {
        FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    }
}
