/// The one place phone numbers are masked for logs, errors and `--mask` reports.
///
/// `+12065550100` → `+1206***0100`; a raw legacy value keeps only its first four and last
/// four digits (`(206) 555-0134` → `206***0134`...). Anything with fewer than eight digits
/// shows only its last two digits. Values without digits are replaced entirely.
public enum PhoneMask {
    public static func mask(_ value: String) -> String {
        let digits = value.unicodeScalars.filter { $0.properties.numericType != nil && $0.isASCII }
        let plus = value.trimmingLeadingWhitespace().hasPrefix("+") ? "+" : ""
        guard !digits.isEmpty else { return "***" }
        let text = String(String.UnicodeScalarView(digits))
        if text.count >= 8 {
            return plus + text.prefix(4) + "***" + text.suffix(4)
        }
        return plus + "***" + text.suffix(2)
    }
}

extension String {
    fileprivate func trimmingLeadingWhitespace() -> Substring {
        self.drop(while: { $0.isWhitespace })
    }
}
