// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// What a copy of one store into another found and did (docs/STORE.md "Moving from SQLite to
/// PostgreSQL"). The target is verified inside the copy's transaction; ``committed`` says
/// whether the transaction was committed (every check passed) or rolled back (nothing written).
public struct StoreCopyReport: Sendable, Hashable {
    /// One table's rows.
    public struct TableCount: Sendable, Hashable {
        public let table: String
        /// Rows the source holds (1 for a one-row position table).
        public var source: Int
        /// Rows the target holds after the copy (1 for a one-row position table).
        public var target: Int
        /// Source rows written by this copy.
        public var copied: Int
        /// Source rows the target already held, identical in every column (a re-run).
        public var present: Int
        /// Source rows whose key the target already held with other values: the target holds
        /// data the source does not explain.
        public var differing: Int

        public init(table: String, source: Int = 0, target: Int = 0, copied: Int = 0, present: Int = 0, differing: Int = 0) {
            self.table = table
            self.source = source
            self.target = target
            self.copied = copied
            self.present = present
            self.differing = differing
        }
    }

    /// One line per table of ``StoreTable/all``, in that order.
    public var tables: [TableCount]
    /// The source's stream position (at least every position its rows hold).
    public var sourcePosition: Int64
    /// The target's stream position before the copy.
    public var targetPositionBefore: Int64
    /// The target's stream position after the copy: never below either.
    public var targetPosition: Int64
    /// Why the copy was refused, one sentence each; empty when it was verified.
    public var problems: [String]
    /// Whether the copy was committed.
    public var committed: Bool

    public init(tables: [TableCount] = [], sourcePosition: Int64 = 0, targetPositionBefore: Int64 = 0,
                targetPosition: Int64 = 0, problems: [String] = [], committed: Bool = false) {
        self.tables = tables
        self.sourcePosition = sourcePosition
        self.targetPositionBefore = targetPositionBefore
        self.targetPosition = targetPosition
        self.problems = problems
        self.committed = committed
    }

    /// Every table's count matches and nothing was refused.
    public var isVerified: Bool { problems.isEmpty && tables.allSatisfy { $0.source == $0.target && $0.differing == 0 } }

    /// The line for `table`, if the report has one.
    public func count(_ table: String) -> TableCount? { tables.first { $0.table.utf8.elementsEqual(table.utf8) } }
}

/// Why a copy between stores could not run (a refusal after verifying is a report, not an error).
public enum StoreCopyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value of the source does not fit its column (a type the schema does not allow).
    case unexpectedValue(table: String, column: String)
    /// The source gave a table outside ``StoreTable/all`` or out of order.
    case unexpectedTable(String)
    /// A store's tables or columns are not the ones the copy knows (another keymesh version).
    case schema(String)
    /// The page size is outside 1…``StoreCopyLimits/maxPageSize``.
    case pageSize(Int)

    public var description: String {
        switch self {
        case .unexpectedValue(let table, let column): "the source holds a value of the wrong type in \(table).\(column)"
        case .unexpectedTable(let table): "the source gave an unexpected table \(table)"
        case .schema(let why): why
        case .pageSize(let size): "page size \(size) is outside 1…\(StoreCopyLimits.maxPageSize)"
        }
    }
}

/// Limits of a copy: rows are read and written a page at a time, so memory stays bounded.
public enum StoreCopyLimits {
    public static let defaultPageSize = 10_000
    public static let maxPageSize = 100_000
}
