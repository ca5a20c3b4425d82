import Hashing
import Testing

@Suite struct HashingTests {
    @Test func sha256OfEmptyString() {
        #expect(SHA256.hexHash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func sha256OfABC() {
        #expect(SHA256.hexHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // RFC 4231 test case 2.
    @Test func hmacRFC4231Case2() {
        let mac = HMACSHA256.authenticate(key: Array("Jefe".utf8), message: "what do ya want for nothing?")
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

@Suite struct MultisetDigestTests {
    static let rows: [[String?]] = [["1", "+12065550100", "US"], ["2", "020 7946 0958", "GB"], ["3", nil, "US"]]

    static func digest(_ rows: [[String?]]) -> MultisetDigest {
        var digest = MultisetDigest()
        for row in rows { digest.add(row) }
        return digest
    }

    @Test func orderDoesNotMatter() {
        #expect(Self.digest(Self.rows) == Self.digest(Self.rows.reversed()))
        #expect(Self.digest(Self.rows).description == Self.digest([Self.rows[1], Self.rows[2], Self.rows[0]]).description)
    }

    @Test func everyChangeShows() {
        let base = Self.digest(Self.rows).description
        let variants: [[[String?]]] = [
            Array(Self.rows.dropLast()),                                   // a row removed
            Self.rows + [Self.rows[0]],                                    // a row repeated
            [["1", "+12065550101", "US"]] + Self.rows.dropFirst(),          // a value changed
            [["1", "+12065550100", "CA"]] + Self.rows.dropFirst(),          // another column changed
            Self.rows.dropLast() + [["3", "", "US"]],                       // NULL is not ""
            Self.rows.dropLast() + [["3", nil, "U", "S"]],                  // fields do not run together
            Self.rows.dropLast() + [["3U", nil, "S"]],
        ]
        let digests = variants.map { Self.digest($0).description }
        #expect(!digests.contains(base))
        #expect(Set(digests).count == digests.count)
    }

    @Test func partsMerge() {
        var whole = Self.digest(Array(Self.rows.prefix(1)))
        whole.merge(Self.digest(Array(Self.rows.dropFirst())))
        #expect(whole == Self.digest(Self.rows))
        #expect(whole.count == 3)
        #expect(MultisetDigest().description == "0:0:0")
    }
}
