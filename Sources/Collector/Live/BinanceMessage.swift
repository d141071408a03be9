import Market

/// One WebSocket frame from a Binance USD-M futures market stream, classified.
///
/// Decoding understands `trade` (`e,E,T,s,t,p,q,X,m`) and `aggTrade` (`e,E,s,a,p,q,f,l,T,m`) events,
/// sent directly or wrapped in a combined-stream envelope `{"stream":…,"data":…}`; keys are matched by
/// name, not position. Everything else a stream can carry (depth, bookTicker, kline events, REST
/// depth snapshots, subscription replies) is ``ignored(_:)``. Frames that are not a JSON object, or
/// trade events with missing or unparseable fields, or with an implausible time or id, throw ``BinanceMessageError``.
public enum BinanceMessage: Sendable, Equatable {
    /// A market trade (`trade` with `X == "MARKET"`, or any `aggTrade`), ready to record.
    ///
    /// For `aggTrade` events the tick's `tradeID` is the aggregate id `a`.
    case trade(Tick)
    /// A `trade` event whose order type `X` is not `MARKET` (insurance fund, ADL).
    ///
    /// Not recorded, but its trade id continues the symbol's id sequence, so gap detection needs it.
    case nonMarketTrade(symbol: Symbol, tradeID: Int64, timestamp: Timestamp)
    /// A well-formed frame that is not a trade.
    case ignored(IgnoredKind)

    /// What kind of non-trade frame was skipped.
    public enum IgnoredKind: String, Sendable, Hashable, CaseIterable {
        /// `depthUpdate` events.
        case depth
        /// `bookTicker` events.
        case bookTicker
        /// `kline` / `continuous_kline` events.
        case kline
        /// A REST depth snapshot line (`lastUpdateId`, no event type).
        case snapshot
        /// A reply to a SUBSCRIBE/LIST request (`{"result":…,"id":…}`).
        case reply
        /// Any other event type, or an object without an event type.
        case unknown
    }
}

/// Why a frame could not be decoded.
public enum BinanceMessageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The frame is not a JSON object (or is truncated); `offset` is the byte where parsing stopped.
    case invalidJSON(offset: Int)
    /// A trade event lacks a required field or has one of the wrong type.
    case missingField(event: String, field: String)
    /// A field is present but its value cannot be used (bad number, bad symbol).
    case invalidValue(event: String, field: String)

    public var description: String {
        switch self {
        case .invalidJSON(let offset): "not a JSON object (stopped at byte \(offset))"
        case .missingField(let event, let field): "\(event) event without a valid '\(field)' field"
        case .invalidValue(let event, let field): "\(event) event with an invalid '\(field)' value"
        }
    }
}

/// Decodes Binance stream frames without Foundation or `Codable`: one forward pass over the bytes.
///
/// Cost: O(frame length), no allocation for trade frames of known symbols (symbols are cached,
/// at most ``maximumCachedSymbols``). About ten times faster than `JSONDecoder` on the real
/// captures (see the collector bench). Not thread-safe: keep one decoder per connection.
///
/// ```swift
/// var decoder = BinanceMessageDecoder()
/// let message = try decoder.decode(Array(line.utf8))
/// if case .trade(let tick) = message { … }
/// ```
public struct BinanceMessageDecoder: Sendable {
    /// Symbols kept for reuse; beyond this the cache is cleared (a stream carries a bounded set).
    public static let maximumCachedSymbols = 4096

    private var symbols: [String: Symbol] = [:]
    private let wallClock: @Sendable () -> Timestamp

    /// - Parameter wallClock: UTC now; a trade time outside ``Market/Timestamp/plausibleMarketTimes(now:)``
    ///   (2017-01-01 to now + 1 day) makes the frame malformed, as does an id outside ``Market/Tick/plausibleTradeIDs``.
    public init(wallClock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.wallClock = wallClock
    }

    /// Decodes one frame given as bytes.
    ///
    /// - Throws: ``BinanceMessageError`` when the frame is malformed.
    public mutating func decode(_ bytes: some Collection<UInt8>) throws(BinanceMessageError) -> BinanceMessage {
        let result: Result<BinanceMessage, BinanceMessageError>? = bytes.withContiguousStorageIfAvailable { buffer in
            decodeResult(buffer)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { decodeResult($0) }.get()
    }

    /// Decodes one frame given as text.
    ///
    /// - Throws: ``BinanceMessageError`` when the frame is malformed.
    public mutating func decode(_ text: String) throws(BinanceMessageError) -> BinanceMessage {
        var text = text
        return try text.withUTF8 { decodeResult($0) }.get()
    }

    /// Decodes one frame from raw memory (for NIO `ByteBuffer` views).
    ///
    /// - Throws: ``BinanceMessageError`` when the frame is malformed.
    public mutating func decode(_ buffer: UnsafeRawBufferPointer) throws(BinanceMessageError) -> BinanceMessage {
        try decodeResult(buffer.assumingMemoryBound(to: UInt8.self)).get()
    }

    private mutating func decodeResult(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<BinanceMessage, BinanceMessageError> {
        var scanner = JSONScanner(buffer)
        do {
            let fields = try scanner.scanEnvelope()
            return classify(fields, buffer: buffer)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Classification

    private mutating func classify(_ f: EventFields, buffer: UnsafeBufferPointer<UInt8>) -> Result<BinanceMessage, BinanceMessageError> {
        guard let event = f.event else {
            if f.hasLastUpdateID { return .success(.ignored(.snapshot)) }
            if f.hasResult { return .success(.ignored(.reply)) }
            return .success(.ignored(.unknown))
        }
        let name = buffer.slice(event)
        if name.elementsEqual("trade".utf8) {
            return decodeTrade(f, buffer: buffer, aggregate: false)
        } else if name.elementsEqual("aggTrade".utf8) {
            return decodeTrade(f, buffer: buffer, aggregate: true)
        } else if name.elementsEqual("depthUpdate".utf8) {
            return .success(.ignored(.depth))
        } else if name.elementsEqual("bookTicker".utf8) {
            return .success(.ignored(.bookTicker))
        } else if name.elementsEqual("kline".utf8) || name.elementsEqual("continuous_kline".utf8) {
            return .success(.ignored(.kline))
        }
        return .success(.ignored(.unknown))
    }

    private mutating func decodeTrade(_ f: EventFields, buffer: UnsafeBufferPointer<UInt8>, aggregate: Bool)
        -> Result<BinanceMessage, BinanceMessageError>
    {
        let event = aggregate ? "aggTrade" : "trade"
        guard let symbolRange = f.symbol else { return .failure(.missingField(event: event, field: "s")) }
        guard let symbol = symbol(buffer.slice(symbolRange)) else { return .failure(.invalidValue(event: event, field: "s")) }
        guard let id = aggregate ? f.aggregateID : f.tradeID else {
            return .failure(.missingField(event: event, field: aggregate ? "a" : "t"))
        }
        guard Tick.plausibleTradeIDs.contains(id) else { return .failure(.invalidValue(event: event, field: aggregate ? "a" : "t")) }
        guard let time = f.tradeTime else { return .failure(.missingField(event: event, field: "T")) }
        let timestamp = Timestamp(milliseconds: time)
        // An absurd time would trap in bar alignment later, or poison the bars of a far-away period.
        guard Timestamp.plausibleMarketTimes(now: wallClock()).contains(timestamp) else {
            return .failure(.invalidValue(event: event, field: "T"))
        }
        if !aggregate {
            guard let type = f.orderType else { return .failure(.missingField(event: event, field: "X")) }
            if !buffer.slice(type).elementsEqual("MARKET".utf8) {
                return .success(.nonMarketTrade(symbol: symbol, tradeID: id, timestamp: timestamp))
            }
        }
        guard let priceRange = f.price else { return .failure(.missingField(event: event, field: "p")) }
        guard let price = DecimalText.parse(buffer.slice(priceRange)), price > 0 else {
            return .failure(.invalidValue(event: event, field: "p"))
        }
        guard let quantityRange = f.quantity else { return .failure(.missingField(event: event, field: "q")) }
        guard let quantity = DecimalText.parse(buffer.slice(quantityRange)), quantity >= 0 else {
            return .failure(.invalidValue(event: event, field: "q"))
        }
        guard let maker = f.isBuyerMaker else { return .failure(.missingField(event: event, field: "m")) }
        return .success(.trade(Tick(symbol: symbol, tradeID: id, timestamp: timestamp, price: price,
                                    quantity: quantity, isBuyerMaker: maker)))
    }

    private mutating func symbol(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Symbol? {
        let key = String(decoding: bytes, as: UTF8.self)
        if let cached = symbols[key] { return cached }
        guard let parsed = try? Symbol(parsing: key), parsed.name == key else { return nil }
        if symbols.count >= Self.maximumCachedSymbols { symbols.removeAll(keepingCapacity: true) }
        symbols[key] = parsed
        return parsed
    }
}

// MARK: - Scanner

/// Byte ranges and numbers of the fields of one event object, filled in by ``JSONScanner``.
struct EventFields {
    var event: Range<Int>?
    var symbol: Range<Int>?
    var tradeID: Int64?
    var aggregateID: Int64?
    var tradeTime: Int64?
    var price: Range<Int>?
    var quantity: Range<Int>?
    var orderType: Range<Int>?
    var isBuyerMaker: Bool?
    var hasLastUpdateID = false
    var hasResult = false
}

extension UnsafeBufferPointer<UInt8> {
    @inline(__always) func slice(_ range: Range<Int>) -> Slice<UnsafeBufferPointer<UInt8>> { self[range] }
}

/// A forward-only JSON scanner specialised for Binance events: it reads the keys it knows and skips
/// every other value (nested arrays and objects included) without building anything.
struct JSONScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// Scans the top-level object: a combined-stream envelope (`stream` + `data`) or an event itself.
    mutating func scanEnvelope() throws(BinanceMessageError) -> EventFields {
        var fields = EventFields()
        var dataFields: EventFields?
        try scanObject { (scanner: inout JSONScanner, key: Range<Int>) throws(BinanceMessageError) in
            let k = scanner.bytes.slice(key)
            if k.elementsEqual("data".utf8) {
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: "{") {
                    var inner = EventFields()
                    try scanner.scanEventObject(into: &inner)
                    dataFields = inner
                } else {
                    try scanner.skipValue()
                }
            } else {
                try scanner.scanEventField(key: k, into: &fields)
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw .invalidJSON(offset: index) }
        return dataFields ?? fields
    }

    private mutating func scanEventObject(into fields: inout EventFields) throws(BinanceMessageError) {
        var local = EventFields()
        try scanObject { (scanner: inout JSONScanner, key: Range<Int>) throws(BinanceMessageError) in
            try scanner.scanEventField(key: scanner.bytes.slice(key), into: &local)
        }
        fields = local
    }

    /// Reads one field's value: known single-letter keys are captured, the rest skipped.
    private mutating func scanEventField(key: Slice<UnsafeBufferPointer<UInt8>>, into f: inout EventFields) throws(BinanceMessageError) {
        skipWhitespace()
        if key.count == 1, let letter = key.first {
            switch letter {
            case UInt8(ascii: "e"): f.event = try stringOrSkip()
            case UInt8(ascii: "s"): f.symbol = try stringOrSkip()
            case UInt8(ascii: "p"): f.price = try stringOrSkip()
            case UInt8(ascii: "q"): f.quantity = try stringOrSkip()
            case UInt8(ascii: "X"): f.orderType = try stringOrSkip()
            case UInt8(ascii: "t"): f.tradeID = try integerOrSkip()
            case UInt8(ascii: "a"): f.aggregateID = try integerOrSkip()
            case UInt8(ascii: "T"): f.tradeTime = try integerOrSkip()
            case UInt8(ascii: "m"): f.isBuyerMaker = try boolOrSkip()
            default: try skipValue()
            }
            return
        }
        if key.elementsEqual("lastUpdateId".utf8) {
            f.hasLastUpdateID = true
        } else if key.elementsEqual("result".utf8) {
            f.hasResult = true
        }
        try skipValue()
    }

    /// Walks an object, calling `body` with the scanner positioned after each key's colon.
    private mutating func scanObject(
        _ body: (inout JSONScanner, Range<Int>) throws(BinanceMessageError) -> Void
    ) throws(BinanceMessageError) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { throw .invalidJSON(offset: index) }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try scanString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw .invalidJSON(offset: index) }
            index += 1
            try body(&self, key)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw .invalidJSON(offset: index)
            }
        }
    }

    @inline(__always) private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    @inline(__always) private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// A string's content range (escapes are kept raw; callers only compare or parse ASCII fields).
    private mutating func scanString() throws(BinanceMessageError) -> Range<Int> {
        guard peek() == Self.quote else { throw .invalidJSON(offset: index) }
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                let range = start..<index
                index += 1
                return range
            }
            index += byte == Self.backslash ? 2 : 1
        }
        throw .invalidJSON(offset: index)
    }

    private mutating func stringOrSkip() throws(BinanceMessageError) -> Range<Int>? {
        if peek() == Self.quote { return try scanString() }
        try skipValue()
        return nil
    }

    /// An integer field; `nil` (after skipping) when the value is not a plain integer that fits Int64.
    private mutating func integerOrSkip() throws(BinanceMessageError) -> Int64? {
        let start = index
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, case let d = bytes[index] &- 48, d < 10 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 {
                index = start
                try skipValue()
                return nil
            }
            value = s
            digits += 1
            index += 1
        }
        let next = peek()
        if digits == 0 || next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            index = start
            try skipValue()
            return nil
        }
        return negative ? -value : value
    }

    private mutating func boolOrSkip() throws(BinanceMessageError) -> Bool? {
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        try skipValue()
        return nil
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let base = literal.utf8Start
        for i in 0..<count where bytes[index + i] != base[i] { return false }
        index += count
        return true
    }

    /// Skips any JSON value, nested containers included.
    private mutating func skipValue() throws(BinanceMessageError) {
        skipWhitespace()
        guard let byte = peek() else { throw .invalidJSON(offset: index) }
        switch byte {
        case Self.quote:
            _ = try scanString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                let b = bytes[index]
                if b == Self.quote {
                    _ = try scanString()
                    continue
                }
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                    depth += 1
                } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return
                    }
                }
                index += 1
            }
            throw .invalidJSON(offset: index)
        case UInt8(ascii: "t"):
            guard matchLiteral("true") else { throw .invalidJSON(offset: index) }
        case UInt8(ascii: "f"):
            guard matchLiteral("false") else { throw .invalidJSON(offset: index) }
        case UInt8(ascii: "n"):
            guard matchLiteral("null") else { throw .invalidJSON(offset: index) }
        default:
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                default:
                    guard index > start else { throw .invalidJSON(offset: index) }
                    return
                }
            }
            guard index > start else { throw .invalidJSON(offset: index) }
        }
    }
}
