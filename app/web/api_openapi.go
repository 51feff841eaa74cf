package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/tickets"
)

// openAPI serves the statistics API's OpenAPI 3.1 document. It is built
// from the same list of views the routes are registered from, and a test
// checks every path in it against the app's routes.
func (h *statsViews) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(openAPIDoc(h.s.Version))
}

// lateEventsAnswerDoc, ticketKeysDoc and paymentAnswerDoc are the
// answers of handlers that build them inline; the OpenAPI test checks real
// answers against them.
type lateEventsAnswerDoc struct {
	Accepted int             `json:"accepted"`
	Rejected []lateRejection `json:"rejected"`
}

type ticketKeysDoc struct {
	Keys []tickets.PublicKey `json:"keys"`
}

type paymentAnswerDoc struct {
	Outcome     string `json:"outcome"`
	Reservation string `json:"reservation,omitempty"`
}

func openAPIDoc(version string) map[string]any {
	str := map[string]any{"type": "string"}
	param := func(name, desc string, schema map[string]any) map[string]any {
		return map[string]any{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
	}
	presets := []any{}
	for _, p := range statsPresets {
		presets = append(presets, p)
	}
	common := []any{
		param("range", "Preset: today, yesterday, 7d, 30d, month, lastmonth, year, or custom with from/to (default 7d).",
			map[string]any{"type": "string", "enum": presets}),
		param("from", "First day, YYYY-MM-DD, China time (custom range).", map[string]any{"type": "string", "format": "date"}),
		param("to", "Last day, inclusive.", map[string]any{"type": "string", "format": "date"}),
		param("county", "GB/T 2260 code of a county, or of a division of the region (a province's prefecture: level \"division\", its counties summed) or its top; omitted: every county the token's user may see.", str),
		param("site", "Site key.", str),
		param("sign", "Sign code.", str),
		param("format", "csv for a CSV table (UTF-8 with BOM) instead of JSON.", map[string]any{"type": "string", "enum": []any{"json", "csv"}}),
		param("table", "With format=csv: which table of the view.", str),
	}
	problem := map[string]any{"description": "Problem details (RFC 9457)", "content": map[string]any{
		"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	descriptions := map[string]string{
		"overview":   "Headline figures with the previous equal period, a time series (by=day|hour), top sites and signs, language/device/referrer breakdowns. Unique visitors are HyperLogLog estimates merged across days and sites.",
		"funnel":     "Scans → reservations → paid → check-ins per site, and per sign attributed by the sign's share of its site's scans (ticket events carry no sign).",
		"dead-signs": "Enabled signs without a scan in the last `days` full days (default 7, max 90) while their site had visitors.",
		"capacity":   "Reserved places against the limit per site, day and slot (default: the next 14 days; at most 92 days).",
		"live":       "The last 30 minutes by minute, of every app node (each writes its minutes every 5 s), surviving restarts.",
	}
	paths := map[string]any{}
	for _, v := range statsViewList() {
		params := append([]any{}, common...)
		switch v.name {
		case "overview":
			params = append(params, param("by", "day or hour (hour for ranges of up to 7 days).", map[string]any{"type": "string", "enum": []any{"day", "hour"}}))
		case "dead-signs":
			params = append(params, param("days", "Quiet days.", map[string]any{"type": "integer", "minimum": 1, "maximum": stats.DeadSignLookback}))
		}
		paths["/api/v1/stats/"+v.name] = map[string]any{"get": map[string]any{
			"summary": v.name, "description": descriptions[v.name], "operationId": "stats-" + v.name,
			"parameters": params, "security": []any{map[string]any{"bearer": []any{}}},
			"responses": map[string]any{
				"200": map[string]any{"description": "The view", "headers": map[string]any{headerTokenExpires: map[string]any{
					"description": "When the token used stops working.", "schema": map[string]any{"type": "string", "format": "date-time"}}},
					"content": map[string]any{
						"application/json": map[string]any{"schema": schemaFor(v.answer)},
						"text/csv":         map[string]any{"schema": map[string]any{"type": "string"}}}},
				"400": problem, "401": problem, "403": problem,
			},
		}}
	}
	paths["/api/openapi.json"] = map[string]any{"get": map[string]any{"summary": "This document", "operationId": "openapi",
		"responses": map[string]any{"200": map[string]any{"description": "OpenAPI document"}}}}
	jsonBody := func(schema map[string]any) map[string]any {
		return map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": schema}}}
	}
	ok := func(desc string, v any) map[string]any {
		r := jsonBody(schemaFor(v))
		r["description"] = desc
		return r
	}
	// The machines' endpoints: the tourist page's offline queue, the
	// gates' keys, the payment provider's confirmations.
	paths["/api/v1/events"] = map[string]any{"post": map[string]any{
		"summary": "Late events", "operationId": "late-events",
		"description": fmt.Sprintf("Page views and audio plays a tourist's phone made offline, sent by the site page's service worker when the signal returns: at most %d per request, each at most 7 days old, ids made by the client (a repeated id is stored once). Each event carries in tk the late-event token the server set (cookie ymy_late) on the page it happened on: a token covers its site, its day and the next, and at most %d events; a batch without a valid token is refused (400). Events refused for good are listed by index with a reason (id, type, site, time, token); the client drops them. Limited per client.", lateEventsPerBatch, lateEventsPerToken),
		"requestBody": jsonBody(schemaFor([]lateEvent{})),
		"responses": map[string]any{"200": ok("Accepted and refused events", lateEventsAnswerDoc{}),
			"400": problem, "413": problem, "429": problem},
	}}
	paths["/api/tickets/keys"] = map[string]any{"get": map[string]any{
		"summary": "Ticket verification keys", "operationId": "ticket-keys",
		"description": "The Ed25519 public keys that verify ticket codes offline (kid in the code names the key; signing marks the key new tickets use). Gates fetch them and keep them; old keys stay listed while tickets they signed are valid.",
		"responses":   map[string]any{"200": ok("Public keys", ticketKeysDoc{})},
	}}
	paths["/api/tickets/payments/{provider}"] = map[string]any{"post": map[string]any{
		"summary": "Payment confirmation (webhook)", "operationId": "payment-webhook",
		"description": "The payment provider confirms a reservation's payment. The body must be signed: header Yimayou-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the webhook secret>; unsigned, stale or wrong signatures are refused before the body is read. Idempotent by transaction_id; a status other than paid is taken and ignored.",
		"parameters":  []any{map[string]any{"name": "provider", "in": "path", "required": true, "schema": str}},
		"requestBody": jsonBody(schemaFor(paymentBody{})),
		"responses": map[string]any{"200": ok("Outcome", paymentAnswerDoc{}),
			"400": problem, "401": problem, "409": problem},
	}}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "yimayou statistics API", "version": version,
			"description": "Read-only statistics of the counties the token's user may see. Create tokens in the console under Statistics → API tokens; send them as `Authorization: Bearer ymy_…`. A token works for 90 days unless made for another span; every answer carries its expiry in the `Yimayou-Token-Expires` header (RFC 3339), and an expired token is answered 401. Tokens end when their user's password is changed or reset."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Problem": map[string]any{"type": "object", "properties": map[string]any{
				"type": str, "title": str, "status": map[string]any{"type": "integer"}, "detail": str, "instance": str, "field": str}}},
		},
	}
}
