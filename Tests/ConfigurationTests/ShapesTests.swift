import Postgres
import Testing
@testable import Configuration

@Suite struct ShapesTests {
    @Test func awsRegions() {
        for region in ["us-east-1", "eu-west-2", "us-gov-west-1", "cn-north-1", "ap-southeast-4", "il-central-1"] {
            #expect(Shapes.isAWSRegion(region), "\(region)")
        }
        for region in ["", "us-east", "US-EAST-1", "useast1", "us_east_1", "us-east-1a"] {
            #expect(!Shapes.isAWSRegion(region), "\(region)")
        }
    }

    @Test func optOutListARNs() {
        let arn = Shapes.optOutListARN("arn:aws-us-gov:sms-voice:us-gov-west-1:123456789012:opt-out-list/ol-abc")
        #expect(arn == OptOutListARN(partition: "aws-us-gov", region: "us-gov-west-1", account: "123456789012", resourceID: "ol-abc"))
        #expect(Shapes.optOutListARN("arn:aws:sms-voice:us-east-1:123456789012:pool/pool-abc") == nil)
        #expect(Shapes.optOutListARN("arn:aws:sns:us-east-1:123456789012:opt-out-list/ol-abc") == nil)
        #expect(Shapes.isOptOutListName("Default"))
        #expect(!Shapes.isOptOutListName(String(repeating: "a", count: 65)))
    }

    @Test func tableNames() {
        #expect(Shapes.qualifiedTableName("cards.sms_unsubscribes") == PostgresQualifiedName(schema: "cards", name: "sms_unsubscribes"))
        #expect(Shapes.qualifiedTableName("Billing.OptOuts") == PostgresQualifiedName(schema: "billing", name: "optouts"))
        #expect(Shapes.qualifiedTableName(#""Marketing"."StopList""#) == PostgresQualifiedName(schema: "Marketing", name: "StopList"))
        #expect(Shapes.qualifiedTableName(#""we""ird"."a.b""#) == PostgresQualifiedName(schema: #"we"ird"#, name: "a.b"))
        for bad in ["optouts", "a.b.c", "\"a\".", "\"\".b", "a.\"b", String(repeating: "x", count: 64) + ".t"] {
            #expect(Shapes.qualifiedTableName(bad) == nil, "\(bad)")
        }
    }

    @Test func sqlParametersIgnoreLiteralsAndComments() {
        #expect(Shapes.sqlParameters("INSERT INTO t VALUES ($1, $3, $2)") == [1, 2, 3])
        #expect(Shapes.sqlParameters("SELECT '$5', \"$6\", $$ $7 $$, $tag$ $8 $tag$ -- $9\n /* $10 */ FROM t WHERE a = $1") == [1])
        #expect(Shapes.sqlParameters("SELECT 'it''s $2' WHERE x = $1") == [1])
        #expect(Shapes.sqlParameters("SELECT '$1") == nil)
        #expect(Shapes.sqlParameters("SELECT 1 /* open") == nil)
        #expect(Shapes.sqlParameters("NOT deleted") == [])
    }

    @Test func listenAddresses() {
        #expect(Shapes.listenAddress("0.0.0.0:9464") == ListenAddress(host: "0.0.0.0", port: 9464))
        #expect(Shapes.listenAddress("[::1]:9464") == ListenAddress(host: "::1", port: 9464))
        #expect(Shapes.listenAddress("[::1]:9464")?.description == "[::1]:9464")
        #expect(Shapes.listenAddress("localhost:0") == nil)
        #expect(Shapes.listenAddress(":9464") == nil)
    }

    @Test func rolesAndPools() {
        #expect(Shapes.roleARN("arn:aws-cn:iam::123456789012:role/a/b") == RoleARN(partition: "aws-cn", account: "123456789012", roleName: "a/b"))
        #expect(Shapes.roleARN("arn:aws:iam::123456789012:user/a") == nil)
        #expect(Shapes.isPool("pool-0a1b2c3d4e5f60718293a4b5c6d7e8f9"))
        #expect(Shapes.isPool("arn:aws:sms-voice:us-east-1:123456789012:pool/pool-abc"))
        #expect(!Shapes.isPool("pool"))
    }

    @Test func suggestions() {
        #expect(Spelling.closest(to: "regoin", among: ["region", "profile"]) == "region")
        #expect(Spelling.closest(to: "zzzzzzzz", among: ["region", "profile"]) == nil)
    }
}
