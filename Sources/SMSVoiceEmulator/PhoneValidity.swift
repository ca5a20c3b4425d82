/// The emulator's stand-in for AWS's "is this a real phone number" check: the model's pattern admits
/// `+999` or `+10000000000`, which AWS refuses. A table of country calling codes with the lengths of
/// their national significant numbers, plus the North American numbering plan's digit rules.
/// Deliberately small (libphonenumber was not available to this module); unknown codes are refused.
enum PhoneValidity {
    /// Calling code -> allowed national significant number lengths.
    static let plans: [String: ClosedRange<Int>] = [
        "1": 10...10, "7": 10...10, "20": 8...10, "27": 9...9, "30": 10...10, "31": 9...9, "32": 8...9, "33": 9...9,
        "34": 9...9, "36": 8...9, "39": 6...11, "40": 9...9, "41": 9...9, "43": 4...13, "44": 9...10, "45": 8...8,
        "46": 7...13, "47": 8...8, "48": 9...9, "49": 6...13, "51": 8...9, "52": 10...10, "54": 10...11, "55": 10...11,
        "56": 9...9, "57": 10...10, "60": 8...10, "61": 9...9, "62": 8...12, "63": 8...10, "64": 8...10, "65": 8...8,
        "66": 8...9, "81": 9...10, "82": 8...10, "84": 9...10, "86": 7...12, "90": 10...10, "91": 10...10, "92": 9...10,
        "234": 8...10, "351": 9...9, "353": 7...9, "358": 5...12, "852": 8...8, "886": 8...9, "971": 8...9, "972": 8...9,
    ]

    /// The E.164 form (`+` and digits) of a pattern-valid number, or nil when it is not a valid number.
    static func normalized(_ number: String) -> String? {
        let digits = number.hasPrefix("+") ? String(number.dropFirst()) : number
        for codeLength in 1...3 {
            let code = String(digits.prefix(codeLength))
            guard let lengths = plans[code] else { continue }
            let national = Array(digits.dropFirst(codeLength).utf8)
            guard lengths.contains(national.count) else { return nil }
            if code == "1" {
                // NANP: NXX-NXX-XXXX, area code and exchange do not start with 0 or 1.
                guard national[0] >= UInt8(ascii: "2"), national[3] >= UInt8(ascii: "2") else { return nil }
            }
            return "+" + digits
        }
        return nil
    }
}
