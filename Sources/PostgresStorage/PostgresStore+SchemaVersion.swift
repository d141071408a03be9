import PostgresNIO

extension PostgresStore {
    /// Checks that every schema migration the database has applied is one this build knows.
    ///
    /// ``connect(_:logger:)`` applies the migrations a database lacks but leaves ones it does not know alone; a
    /// copy into or out of such a database could miss columns or tables, so `pairbook migrate` refuses it.
    /// - Throws: ``PostgresStoreError/newerSchema(_:migrations:)``; ``PostgresStoreError/query(operation:message:)``.
    public func checkSchemaIsKnown() async throws {
        let known = Set(Self.migrations.map(\.name))
        var unknown: [String] = []
        do {
            for try await name in try await run("reading the schema version", "SELECT name FROM pairbook_migrations ORDER BY name")
                .decode(String.self) where !known.contains(name) {
                unknown.append(name)
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw PostgresStoreError.query(operation: "reading the schema version", message: Self.message(of: error))
        }
        if !unknown.isEmpty { throw PostgresStoreError.newerSchema(url.description, migrations: unknown) }
    }
}
