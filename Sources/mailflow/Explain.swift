import ArgumentParser
import MailflowCore

/// `mailflow explain CODE... | TEXT`: what a status code or a pasted status line means.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain status codes (4.4.316, 421, socket:10061, dns:nxdomain) or a pasted status line.",
        discussion: """
            A status line (Exchange, Exchange Online, Postfix) is read as mailflow reads logs: \
            its outer codes, its root cause (the innermost code that is not a wrapper, or a \
            cause without a code), the category after the text-dependent overrides, the cause, \
            the fix and the sources. Codes that are not in the knowledge base get the meaning \
            of their class and subject (RFC 3463) or of their digits (RFC 5321). When every \
            word given is a code, each code is explained on its own. Exits 1 when nothing is \
            recognised.
            """)

    @Argument(help: "Codes, or a whole status text (in quotes, or as separate words).")
    var text: [String]

    func validate() throws {
        if text.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { throw ValidationError("give a code or a status text") }
    }

    func run() throws {
        let kb = KnowledgeBase.shared
        let inputs = text.count > 1 && text.allSatisfy(kb.isCode) ? text : [text.joined(separator: " ")]
        var recognised = true
        for (i, input) in inputs.enumerated() {
            let explanation = kb.explain(input)
            if i > 0 { print("") }
            print(explanation.render())
            recognised = recognised && explanation.known
        }
        if !recognised { throw ExitCode(ExitStatus.failure.rawValue) }
    }
}
