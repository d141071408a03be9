import Market

/// How the rows of one file are read, fixed by its kind and its first data row.
enum RowLayout: Equatable {
    /// Trades: `columns` per row, time in field `timeIndex`, buyer-maker flag in `makerIndex`.
    case trades(columns: Int, aggregate: Bool)
    /// Klines of `interval`, `columns` per row (at least 9 are read).
    case klines(columns: Int, interval: Timeframe)

    var columns: Int {
        switch self {
        case .trades(let columns, _), .klines(let columns, _): return columns
        }
    }

    var kind: ImportKind {
        switch self {
        case .trades(_, let aggregate): return aggregate ? .aggTrades : .trades
        case .klines(_, let interval): return .klines(interval)
        }
    }

    /// The layout for `kind` (nil: guessed) given the first data row.
    ///
    /// - Throws: ``RowProblem`` when the row does not fit any layout of that kind.
    static func resolve(kind: ImportKind?, firstRow line: UnsafeBufferPointer<UInt8>) throws(RowProblem) -> RowLayout {
        let n = CSVFields.count(in: line)
        var kind = kind
        if kind == nil {
            switch n {
            case 6: kind = .trades
            case 7:
                // Spot trades end with two booleans; futures aggTrades end with time, boolean.
                var fields = CSVFields(line)
                for _ in 0..<5 { fields.skip() }
                kind = CSVFields.bool(fields.next()) != nil ? .trades : .aggTrades
            case 8: kind = .aggTrades
            case 11, 12: kind = .klines(nil)
            default: throw RowProblem.unknownKind
            }
        }
        switch kind {
        case .trades:
            guard n == 6 || n == 7 else { throw RowProblem.columns(expected: 6, found: n) }
            return .trades(columns: n, aggregate: false)
        case .aggTrades:
            guard n == 7 || n == 8 else { throw RowProblem.columns(expected: 7, found: n) }
            return .trades(columns: n, aggregate: true)
        case .klines(let interval):
            guard n >= 11 else { throw RowProblem.columns(expected: 12, found: n) }
            if let interval { return .klines(columns: n, interval: interval) }
            // close_time = open_time + interval − 1 ms
            var fields = CSVFields(line)
            let open = CSVFields.int64(fields.next())
            for _ in 0..<5 { fields.skip() }
            let close = CSVFields.int64(fields.next())
            guard let open, let close else { throw RowProblem.field("open_time/close_time", "") }
            let (span, overflow) = normalizedMilliseconds(close).subtractingReportingOverflow(normalizedMilliseconds(open))
            guard !overflow, span >= 0, span < Int64.max else { throw RowProblem.field("open_time/close_time", "\(open)/\(close)") }
            let width = span + 1
            guard width % 1000 == 0, let interval = try? Timeframe(parsing: "\(width / 1000)s") else {
                throw RowProblem.unknownKind
            }
            return .klines(columns: n, interval: interval)
        case nil:
            throw RowProblem.unknownKind
        }
    }

    // MARK: - Rows

    /// Reads a trade row.
    static func tick(_ line: UnsafeBufferPointer<UInt8>, columns: Int, aggregate: Bool,
                     symbol: Symbol, times: ClosedRange<Timestamp>) throws(RowProblem) -> Tick {
        let n = CSVFields.count(in: line)
        guard n == columns else { throw RowProblem.columns(expected: columns, found: n) }
        var fields = CSVFields(line)
        let idField = fields.next()
        guard let id = CSVFields.int64(idField) else { throw RowProblem.field(aggregate ? "agg_trade_id" : "id", CSVFields.text(idField)) }
        guard Tick.plausibleTradeIDs.contains(id) else {
            throw RowProblem.idOutOfRange(aggregate ? "agg_trade_id" : "id", id)
        }
        let priceField = fields.next()
        guard let price = CSVFields.double(priceField), price > 0 else { throw RowProblem.field("price", CSVFields.text(priceField)) }
        let quantityField = fields.next()
        guard let quantity = CSVFields.double(quantityField), quantity >= 0 else {
            throw RowProblem.field(aggregate ? "quantity" : "qty", CSVFields.text(quantityField))
        }
        fields.skip()                    // quote_qty, or first_trade_id
        if aggregate { fields.skip() }   // last_trade_id
        let timeField = fields.next()
        guard let time = CSVFields.int64(timeField) else {
            throw RowProblem.field(aggregate ? "transact_time" : "time", CSVFields.text(timeField))
        }
        let timestamp = Timestamp(milliseconds: normalizedMilliseconds(time))
        guard times.contains(timestamp) else { throw RowProblem.timeOutOfRange(aggregate ? "transact_time" : "time", time, times) }
        let makerField = fields.next()
        guard let maker = CSVFields.bool(makerField) else { throw RowProblem.field("is_buyer_maker", CSVFields.text(makerField)) }
        return Tick(symbol: symbol, tradeID: id, timestamp: timestamp, price: price, quantity: quantity, isBuyerMaker: maker)
    }

    /// Reads a kline row into a bar of `interval`.
    static func bar(_ line: UnsafeBufferPointer<UInt8>, columns: Int, interval: Timeframe,
                    times: ClosedRange<Timestamp>) throws(RowProblem) -> Bar {
        let n = CSVFields.count(in: line)
        guard n == columns else { throw RowProblem.columns(expected: columns, found: n) }
        var fields = CSVFields(line)
        func number(_ name: String) throws(RowProblem) -> Double {
            let field = fields.next()
            guard let value = CSVFields.double(field), value >= 0 else { throw RowProblem.field(name, CSVFields.text(field)) }
            return value
        }
        let openField = fields.next()
        guard let rawOpen = CSVFields.int64(openField) else { throw RowProblem.field("open_time", CSVFields.text(openField)) }
        let openTime = Timestamp(milliseconds: normalizedMilliseconds(rawOpen))
        guard times.contains(openTime) else { throw RowProblem.timeOutOfRange("open_time", rawOpen, times) }
        guard interval.barOpen(containing: openTime) == openTime else {
            throw RowProblem.misaligned(openTime: openTime, interval: interval)
        }
        let open = try number("open")
        let high = try number("high")
        let low = try number("low")
        let close = try number("close")
        let volume = try number("volume")
        fields.skip()                  // close_time
        let quoteVolume = try number("quote_volume")
        let countField = fields.next()
        guard let count = CSVFields.int64(countField), count >= 0 else { throw RowProblem.field("count", CSVFields.text(countField)) }
        let takerBuy = try number("taker_buy_volume")
        guard low <= high else { throw RowProblem.field("low", "above high") }
        return Bar(openTime: openTime, open: open, high: high, low: low, close: close, volume: volume,
                   quoteVolume: quoteVolume, trades: count, takerBuyVolume: takerBuy)
    }

    /// Binance times are ms; newer spot dumps use µs (16 digits). Values are scaled down to ms.
    static func normalizedMilliseconds(_ value: Int64) -> Int64 {
        if value >= 100_000_000_000_000_000 { return value / 1_000_000 }  // ns
        if value >= 100_000_000_000_000 { return value / 1000 }           // µs
        return value
    }
}

/// What is wrong with a row, before the file and line are attached.
enum RowProblem: Error {
    case columns(expected: Int, found: Int)
    case field(String, String)
    case misaligned(openTime: Timestamp, interval: Timeframe)
    /// A time (as written in the file) outside the accepted range.
    case timeOutOfRange(String, Int64, ClosedRange<Timestamp>)
    /// A trade id outside ``Market/Tick/plausibleTradeIDs``.
    case idOutOfRange(String, Int64)
    case unknownKind

    var message: String {
        switch self {
        case .columns(let expected, let found): return "expected \(expected) columns, found \(found)"
        case .field(let name, let text): return "bad \(name) '\(text)'"
        case .misaligned(let openTime, let interval):
            return "open_time \(openTime.iso8601()) is not aligned to \(interval)"
        case .timeOutOfRange(let name, let value, let range):
            return "\(name) \(value) is outside \(range.lowerBound.iso8601())…\(range.upperBound.iso8601())"
        case .idOutOfRange(let name, let value):
            return "\(name) \(value) is outside \(Tick.plausibleTradeIDs.lowerBound)…\(Tick.plausibleTradeIDs.upperBound)"
        case .unknownKind: return "cannot tell the kind of dump from this row"
        }
    }
}
