import GRDB

extension StoredValue {
    /// The value to bind in an SQLite statement (booleans as 0 and 1, as GRDB stores them).
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let value): return value.databaseValue
        case .real(let value): return value.databaseValue
        case .text(let value): return value.databaseValue
        case .boolean(let value): return value.databaseValue
        }
    }

    /// The stored `value` of a column of `type`.
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)`` when the stored value does not fit the column's type.
    init(_ value: DatabaseValue, as type: StoredTable.ColumnType, column: String) throws {
        if value.isNull {
            self = .null
            return
        }
        let converted: StoredValue?
        switch type {
        case .integer: converted = Int64.fromDatabaseValue(value).map(StoredValue.integer)
        case .real: converted = Double.fromDatabaseValue(value).map(StoredValue.real)
        case .text: converted = String.fromDatabaseValue(value).map(StoredValue.text)
        case .boolean: converted = Bool.fromDatabaseValue(value).map(StoredValue.boolean)
        }
        guard let converted else {
            throw StoreError.sqlite(operation: "reading column \(column)", message: "stored value \(value) is not of type \(type)")
        }
        self = converted
    }
}
