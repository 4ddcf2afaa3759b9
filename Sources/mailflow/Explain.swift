import ArgumentParser
import MailflowCore

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a status code (4.4.316, 421, socket:10061) or a pasted status line.")

    @Argument(help: "A code, or a whole status text in quotes.")
    var text: [String]

    func run() throws {
        let input = text.joined(separator: " ")
        let explanation = Explanation(input)
        print(explanation.render())
        if !explanation.known { throw ExitCode(ExitStatus.failure.rawValue) }
    }
}
