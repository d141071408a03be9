import Logging
import Market
import Storage

/// Where ``CSVImporter`` writes: trades with their bars, klines with their roll-ups. One call is one transaction, so an
/// interrupted import leaves whole batches, and importing again skips what is stored.
///
/// The SQLite store's is ``StoreImportDestination``; PostgreSQL's lives beside its store (PairbookApp). Calls come on
/// the importing thread, one at a time (it may block).
public protocol ImportDestination: AnyObject {
    /// The bar timeframes kept, finest first.
    var timeframes: [Timeframe] { get }

    /// Stores `ticks` (one symbol's, in file order) and updates their bars of ``timeframes``.
    func record(_ ticks: [Tick]) throws -> RecordResult

    /// Stores `bars` of `interval` (klines of one symbol) and recomputes the coarser ``timeframes`` bars they fall into
    /// from every stored bar of `interval` there; returns the bar rows written.
    func writeKlines(_ bars: [Bar], interval: Timeframe, of symbol: Symbol) throws -> Int
}

/// Imports into the SQLite store: trades through a ``Recorder``, klines through a ``KlineWriter``.
public final class StoreImportDestination: ImportDestination {
    private let store: Store
    private let recorder: Recorder

    public init(store: Store, timeframes: [Timeframe] = Timeframe.defaults, logger: Logger) {
        self.store = store
        self.recorder = Recorder(store: store, timeframes: timeframes, logger: logger)
    }

    public var timeframes: [Timeframe] { recorder.timeframes }

    public func record(_ ticks: [Tick]) throws -> RecordResult {
        try recorder.record(ticks)
    }

    public func writeKlines(_ bars: [Bar], interval: Timeframe, of symbol: Symbol) throws -> Int {
        try KlineWriter(store: store, interval: interval, timeframes: timeframes).write(bars, of: symbol)
    }
}
