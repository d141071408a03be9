import Ink

extension ResolvedProse {
    /// The prose as HTML: Markdown through Ink, headings one level below the section headings, and every
    /// placeholder value HTML-escaped where its token stood.
    ///
    /// Raw HTML written in the script's Markdown passes through as Ink leaves it; a page that shows prose from
    /// scripts it does not trust sanitises the result.
    public func html() -> String {
        substituting(in: HTMLRenderer.shiftHeadings(MarkdownParser().html(from: markdown)), HTMLEscaping.escape)
    }
}
