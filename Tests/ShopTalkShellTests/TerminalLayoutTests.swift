import Testing

@testable import ShopTalkShell

@Suite("Laying replies out for a terminal window")
struct TerminalLayoutTests {
    private let policy =
        "You are welcome to open an item to inspect it, and opened items can still be returned within 30 days of"
        + " delivery. They must be unused, clean, complete with all parts and instructions."

    @Test func linesFitTheWindowAndKeepEveryWordWhole() {
        let lines = TerminalLayout.lines(of: policy, width: 40, indent: 5)
        #expect(lines.count > 3)
        #expect(TerminalLayout.columns(lines[0]) <= 35)
        #expect(lines.allSatisfy { TerminalLayout.columns($0) <= 40 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("     ") && !$0.hasPrefix("      ") })
        #expect(lines.joined(separator: " ").split(separator: " ") == policy.split(separator: " "))
    }

    @Test func aLineBreaksAtTheLastSpaceThatFits() {
        let text = "aaaa bbbb cccc dddd eeee ffff"
        #expect(TerminalLayout.lines(of: text, width: 23, indent: 0) == ["aaaa bbbb cccc dddd", "eeee ffff"])
        #expect(TerminalLayout.lines(of: text, width: 24, indent: 0) == ["aaaa bbbb cccc dddd eeee", "ffff"])
    }

    @Test func runsOfSpacesStayExceptWhereALineBreaks() {
        let text = "intent  return_policy 1.00  (then refund_policy 0.00)"
        #expect(TerminalLayout.lines(of: text, width: 80, indent: 0) == [text])
        #expect(
            TerminalLayout.lines(of: text, width: 27, indent: 0) == [
                "intent  return_policy 1.00", "(then refund_policy 0.00)",
            ])
    }

    @Test func listItemsHangTheirContinuationsUnderTheirText() {
        let reply =
            "Here are your orders:\n- HL-876352 placed 2026-11-29: packed and waiting for collection\n"
            + "12. twelfth item whose text runs past the edge of the window"
        let lines = TerminalLayout.lines(of: reply, width: 40, indent: 5)
        #expect(
            lines == [
                "Here are your orders:",
                "     - HL-876352 placed 2026-11-29:",
                "       packed and waiting for collection",
                "     12. twelfth item whose text runs",
                "         past the edge of the window",
            ])
    }

    @Test func aWordWiderThanTheWindowIsCutWhereTheRoomEnds() {
        let url = "https://example.com/" + String(repeating: "x", count: 50)
        let lines = TerminalLayout.lines(of: "see \(url) now", width: 30, indent: 0)
        #expect(lines.allSatisfy { TerminalLayout.columns($0) <= 30 })
        #expect(lines.joined() == "see" + url + " now")
        #expect(lines.first == "see")
    }

    @Test func blankLinesAndTooNarrowWindowsAreLeftAlone() {
        #expect(TerminalLayout.lines(of: "one\n\ntwo", width: 80, indent: 5) == ["one", "", "     two"])
        #expect(TerminalLayout.lines(of: policy, width: 14, indent: 5) == [policy])
        #expect(TerminalLayout.lines(of: policy, width: 15, indent: 5).count > 10)
    }

    @Test func accentsTakeOneColumnWhateverTheirEncoding() {
        #expect(TerminalLayout.columns("café") == 4)
        #expect(TerminalLayout.columns("cafe\u{301}") == 4)
        #expect(TerminalLayout.columns("") == 0)
    }
}
