import Storage

// The tables with row ids (rules, runs, alert events, analytics results, gaps): copied by natural key.

extension StoreMigration {
    /// Copies the rows of `table` that the destination lacks by natural key (a key the source holds n times and the
    /// destination k times is written n − k times: its last n − k source rows by id).
    ///
    /// - Parameter references: for a table with a ``StoredTable/reference``, source row ids of the referenced table →
    ///   the destination's ids of the same rows (a reference to a row the destination lacks becomes NULL).
    func copyRows(of table: StoredTable, mappingReferences references: [Int64: Int64]?, budget: inout BatchBudget,
                  progress: (MigrationProgress) -> Void) async throws -> MigrationProgress {
        let started = ContinuousClock.now
        let source = self.source
        let batchSize = rowsPerBatch
        var state = MigrationProgress(part: .table(table.name), total: try await reading { try await source.rowCount(of: table) })
        var present: [[StoredValue]: Int] = [:]
        for row in try await writing({ try await destination.naturalKeys(of: table) }) { present[row.values, default: 0] += 1 }
        var next = try await reading { try await source.rows(of: table, afterID: nil, limit: batchSize) }
        while let last = next.last {
            try Task.checkCancellation()
            let page = next
            async let following = reading { try await source.rows(of: table, afterID: last.id, limit: batchSize) }
            var missing: [[StoredValue]] = []
            for row in page {
                let key = table.naturalKey.map { row.values[$0] }
                if let count = present[key], count > 0 {
                    present[key] = count - 1
                    continue
                }
                var values = row.values
                if let reference = table.reference, let references, case .integer(let id) = values[reference.column] {
                    values[reference.column] = references[id].map(StoredValue.integer) ?? .null
                }
                missing.append(values)
            }
            // A batch is a write: pages the destination already holds (an earlier run's) cost nothing.
            if !missing.isEmpty {
                guard budget.spend() else { return state }
                try await writing { try await destination.insertRows(missing, into: table) }
            }
            next = try await following
            state.add(rows: page.count, copied: missing.count, elapsed: Self.seconds(since: started))
            progress(state)
        }
        return Self.finish(state, since: started, progress: progress)
    }

    /// Source row ids of `table` → the destination's ids of the rows with the same natural key (the n-th source row of
    /// a key to the n-th destination row of it, by id).
    func rowIDMap(of table: StoredTable) async throws -> [Int64: Int64] {
        var destinationIDs: [[StoredValue]: [Int64]] = [:]
        for row in try await writing({ try await destination.naturalKeys(of: table) }) { destinationIDs[row.values, default: []].append(row.id) }
        var used: [[StoredValue]: Int] = [:]
        var map: [Int64: Int64] = [:]
        for row in try await reading({ try await source.naturalKeys(of: table) }) {
            let n = used[row.values, default: 0]
            if let ids = destinationIDs[row.values], n < ids.count {
                map[row.id] = ids[n]
                used[row.values] = n + 1
            }
        }
        return map
    }
}
