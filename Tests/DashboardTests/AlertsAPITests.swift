import Foundation
import Hummingbird
import HummingbirdTesting
import Market
import Storage
import Testing

@testable import Dashboard

struct AlertsAPITests {
    static let rule = #"{"name":"btc/eth stretched","metric":"z_score","condition":">","threshold":2,"clear_threshold":1,"pair":"BTCUSDT/ETHUSDT","timeframe":"1m","window":30,"cooldown":"15m"}"#

    private func headers(_ dashboard: Dashboard) -> HTTPFields {
        [.contentType: "application/json", SecurityMiddleware<BasicRequestContext>.csrfHeader: dashboard.csrfToken]
    }

    @Test("a rule is created, listed with its state, changed, disabled and deleted; its history stays")
    func lifecycle() async throws {
        let store = try storeWithBars()
        let dashboard = try makeDashboard(store: store)
        let app = try makeApplication(dashboard)
        try await app.test(.router) { client in
            // Given a new rule
            let id = try await client.execute(uri: "/api/alerts", method: .post, headers: headers(dashboard), body: ByteBuffer(string: Self.rule)) { response in
                #expect(response.status == .created)
                let body = try json(response)
                #expect(body["editable"] as? Bool == true)
                #expect(body["window"] as? Int == 30)
                #expect(body["cooldown"] as? String == "15m")
                return try #require(body["id"] as? String)
            }
            #expect(id.hasPrefix("db:"))
            // When a transition is stored for it, then the list shows the state
            try store.recordAlertEvents([AlertEventRecord(source: AlertSource.dashboard, rule: "btc/eth stretched", symbolPair: "BTCUSDT/ETHUSDT", metric: "z_score", value: 2.4,
                                                          threshold: 2, state: "firing", time: dayStart, reportRun: nil)])
            try await client.execute(uri: "/api/alerts", method: .get) { response in
                let rules = try #require(try json(response)["rules"] as? [[String: Any]])
                let mine = try #require(rules.first { $0["id"] as? String == id })
                #expect(mine["state"] as? String == "firing")
                #expect(mine["value"] as? Double == 2.4)
                #expect(mine["since"] as? Int64 == dayStart.milliseconds)
                // The shipped scripts' rules are listed read-only.
                #expect(rules.contains { $0["source"] as? String == "script" && $0["editable"] as? Bool == false })
            }
            // Change: a new threshold, disabled
            let changed = Self.rule.replacingOccurrences(of: #""threshold":2"#, with: #""threshold":2.5,"enabled":false"#)
            try await client.execute(uri: "/api/alerts/\(id)", method: .put, headers: headers(dashboard), body: ByteBuffer(string: changed)) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["threshold"] as? Double == 2.5)
                #expect(body["enabled"] as? Bool == false)
            }
            try await client.execute(uri: "/api/alerts/\(id)", method: .delete, headers: headers(dashboard)) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/alerts/\(id)", method: .delete, headers: headers(dashboard)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/alerts/events?limit=5", method: .get) { response in
                let events = try #require(try json(response)["events"] as? [[String: Any]])
                #expect(events.first?["rule"] as? String == "btc/eth stretched")
            }
        }
        #expect(try store.alertRules().isEmpty)
    }

    @Test("a bad rule is refused with 400 naming the field; nothing is stored",
          arguments: [
            (#"{"name":"x","metric":"z_score","condition":">","threshold":2,"clear_threshold":3,"pair":"BTCUSDT/ETHUSDT"}"#, "clear_threshold"),
            (#"{"name":"x","metric":"z_score","condition":">","threshold":2}"#, "pair is required"),
            (#"{"name":"x","metric":"zscore","condition":">","threshold":2,"pair":"BTCUSDT/ETHUSDT"}"#, "metric"),
            (#"{"name":"x","metric":"z_score","condition":">","treshold":2,"pair":"BTCUSDT/ETHUSDT"}"#, "treshold"),
            (#"{"name":"x","metric":"z_score","condition":">","threshold":2,"pair":"BTCUSDT/ETHUSDT","window":1}"#, "window"),
            (#"{"name":"x","metric":"z_score","condition":">","threshold":2,"pair":"BTCUSDT"}"#, "pair"),
            (#"{"name":"x","metric":"z_score","condition":">","threshold":2,"pair":"BTCUSDT/ETHUSDT","for":"-5m"}"#, "for: invalid duration '-5m'"),
            (#"{"name":"x","metric":"z_score","condition":">","threshold":2,"pair":"BTCUSDT/ETHUSDT","cooldown":"soon"}"#, "cooldown: invalid duration 'soon'"),
            (#"{"name":"x","metric":"z_score","condition":">","threshold":2,"pair":"BTCUSDT/ETHUSDT","timeframe":"7x"}"#, "timeframe: "),
            (#"[1,2]"#, "JSON object"),
            (#"not json"#, "JSON object"),
          ])
    func badRule(body: String, reason: String) async throws {
        let store = try storeWithBars()
        let dashboard = try makeDashboard(store: store)
        try await makeApplication(dashboard).test(.router) { client in
            try await client.execute(uri: "/api/alerts", method: .post, headers: headers(dashboard), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let message = try #require(try json(response)["error"] as? String)
                #expect(message.contains(reason), "\(message)")
            }
        }
        #expect(try store.alertRules().isEmpty)
    }

    @Test("names are unique, and a script's rule names are taken")
    func uniqueNames() async throws {
        let dashboard = try makeDashboard(store: try storeWithBars())
        try await makeApplication(dashboard).test(.router) { client in
            try await client.execute(uri: "/api/alerts", method: .post, headers: headers(dashboard), body: ByteBuffer(string: Self.rule)) { #expect($0.status == .created) }
            try await client.execute(uri: "/api/alerts", method: .post, headers: headers(dashboard), body: ByteBuffer(string: Self.rule)) { #expect($0.status == .conflict) }
            let scripted = Self.rule.replacingOccurrences(of: "btc/eth stretched", with: "spread stretched")
            try await client.execute(uri: "/api/alerts", method: .post, headers: headers(dashboard), body: ByteBuffer(string: scripted)) { response in
                #expect(response.status == .conflict)
                let message = try json(response)["error"] as? String
                #expect(message == #"a rule named "spread stretched" comes from report script daily-summary; choose another name"#)
            }
            try await client.execute(uri: "/api/alerts/script:pair-overview:spread%20stretched", method: .delete, headers: headers(dashboard)) {
                #expect($0.status == .forbidden)
            }
        }
    }

    @Test("a body over the size limit is refused with 413")
    func bodyLimit() async throws {
        let dashboard = try makeDashboard(store: try storeWithBars())
        let big = #"{"name":""# + String(repeating: "x", count: 70_000) + #""}"#
        try await makeApplication(dashboard).test(.router) { client in
            try await client.execute(uri: "/api/alerts", method: .post, headers: headers(dashboard), body: ByteBuffer(string: big)) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }
}
