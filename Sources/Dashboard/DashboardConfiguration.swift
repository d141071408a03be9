/// What the dashboard serves and how it is protected.
///
/// ```swift
/// let configuration = DashboardConfiguration(reportsDirectory: "Reports", outputDirectory: "output")
/// ```
public struct DashboardConfiguration: Sendable {
    /// The report scripts shown on the Export tab and as live pages (`nil`: none).
    public var reportsDirectory: String?
    /// The reports' output folder: latest scheduled reports are read here; runs from the page go to `<output>/on-demand`.
    public var outputDirectory: String
    /// The folder holding `dashboard/` (page template, assets, OpenAPI document); see ``DashboardConfiguration/locateTemplates(explicit:)``.
    public var templatesDirectory: String
    /// Where Debian installs browser libraries (`libjs-dygraphs` → `<vendor>/dygraphs`).
    public var vendorDirectory: String
    /// The access token: required from every client when set (bearer header, or the cookie set by `/login`).
    public var token: String?
    /// Largest accepted request body, in bytes.
    public var maximumBodySize: Int

    public init(reportsDirectory: String? = nil, outputDirectory: String = "output", templatesDirectory: String,
                vendorDirectory: String = "/usr/share/javascript", token: String? = nil, maximumBodySize: Int = 64 * 1024) {
        self.reportsDirectory = reportsDirectory
        self.outputDirectory = outputDirectory
        self.templatesDirectory = templatesDirectory
        self.vendorDirectory = vendorDirectory
        self.token = token
        self.maximumBodySize = maximumBodySize
    }

    /// Whether `host` is a loopback address, where the dashboard may run without a token.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
