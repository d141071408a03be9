import Foundation

/// Locates the real Binance sample data in `../shared/data` (see its SOURCES.md).
///
/// Tests read it in place; it is never copied into the repository. Override the location
/// with `PAIRBOOK_SHARED_DATA`. Tests that need it use ``SharedData/isAvailable`` in an
/// `.enabled(if:)` trait so that they are skipped, with that reason, when it is absent.
public enum SharedData {
    /// The data directory, whether or not it exists.
    public static var directory: URL {
        if let env = ProcessInfo.processInfo.environment["PAIRBOOK_SHARED_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data", isDirectory: true)
    }

    /// Whether the sample data is present.
    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("SOURCES.md").path)
    }

    /// Why a test was skipped, for `.enabled(if: SharedData.isAvailable, SharedData.skipReason)`.
    public static var skipReason: String {
        "real Binance sample data not found at \(directory.path) (set PAIRBOOK_SHARED_DATA); skipping"
    }

    /// A file inside the data directory, e.g. `url("binance-usdm-klines-1m-2023-01-01_03/BTCUSDT-1m-2023-01-01.csv")`.
    public static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// The root of this package (the folder holding Package.swift), found from this source file.
    public static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                // The dev packages of contributors symlink sources; prefer the real repository root.
                return url.resolvingSymlinksInPath()
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }
}
