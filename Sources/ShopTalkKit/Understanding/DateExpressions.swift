import Foundation

/// Reads dates written as `2026-12-03`, `3/12/2026`, `3 December`, `Dec 3rd`, `today`, `tomorrow` or `yesterday`.
enum DateExpressions {
    private static let months = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]
    private static let monthPattern =
        "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
    private static let iso = try! NSRegularExpression(pattern: #"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"#)
    private static let numeric = try! NSRegularExpression(pattern: #"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b"#)
    private static let dayMonth = try! NSRegularExpression(
        pattern: #"\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+"# + monthPattern + #"\b(?:\s+(\d{4}))?"#,
        options: [.caseInsensitive])
    private static let monthDay = try! NSRegularExpression(
        pattern: #"\b"# + monthPattern + #"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?"#,
        options: [.caseInsensitive])
    private static let relative = try! NSRegularExpression(
        pattern: #"\b(today|tomorrow|yesterday)\b"#, options: [.caseInsensitive])

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func dates(in text: String, now: Date, hasDigits: Bool = true) -> [(String, Range<String.Index>)] {
        let year = calendar.component(.year, from: now)
        var found: [(String, Range<String.Index>)] = []
        func add(_ range: NSRange, _ y: Int?, _ m: Int?, _ d: Int?) {
            guard let swiftRange = Range(range, in: text), let m, let d,
                let date = calendar.date(from: DateComponents(year: y ?? year, month: m, day: d)),
                calendar.component(.day, from: date) == d
            else { return }
            found.append((iso(date), swiftRange))
        }
        let whole = NSRange(text.startIndex..., in: text)
        func group(_ match: NSTextCheckingResult, _ index: Int) -> String? {
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
        for match in hasDigits ? iso.matches(in: text, range: whole) : [] {
            add(
                match.range, group(match, 1).flatMap { Int($0) }, group(match, 2).flatMap { Int($0) },
                group(match, 3).flatMap { Int($0) })
        }
        for match in hasDigits ? numeric.matches(in: text, range: whole) : [] {
            let y = group(match, 3).flatMap { Int($0) }.map { $0 < 100 ? 2000 + $0 : $0 }
            add(match.range, y, group(match, 2).flatMap { Int($0) }, group(match, 1).flatMap { Int($0) })
        }
        for match in hasDigits ? dayMonth.matches(in: text, range: whole) : [] {
            add(
                match.range, group(match, 3).flatMap { Int($0) }, group(match, 2).flatMap(month),
                group(match, 1).flatMap { Int($0) })
        }
        for match in hasDigits ? monthDay.matches(in: text, range: whole) : [] {
            add(
                match.range, group(match, 3).flatMap { Int($0) }, group(match, 1).flatMap(month),
                group(match, 2).flatMap { Int($0) })
        }
        let lower = text.lowercased()
        let relativeWords = lower.contains("today") || lower.contains("tomorrow") || lower.contains("yesterday")
        for match in relativeWords ? relative.matches(in: text, range: whole) : [] {
            guard let word = group(match, 1)?.lowercased(), let range = Range(match.range, in: text) else { continue }
            let offset = ["yesterday": -1, "today": 0, "tomorrow": 1][word] ?? 0
            if let date = calendar.date(byAdding: .day, value: offset, to: now) { found.append((iso(date), range)) }
        }
        return found
    }

    static func iso(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    private static func month(_ name: String) -> Int? {
        months[String(name.lowercased().prefix(3))]
    }
}
