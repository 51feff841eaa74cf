package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/stats"
)

// openAPI serves the statistics API's OpenAPI 3.1 document. It is built
// from the same list of views the routes are registered from, and a test
// checks every path in it against the app's routes.
func (h *statsViews) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(openAPIDoc(h.s.Version))
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
		param("county", "GB/T 2260 county code; omitted: every county the token's user may see.", str),
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
		"live":       "The last 30 minutes by minute, as recorded by the answering node.",
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
						"application/json": map[string]any{"schema": map[string]any{"type": "object"}},
						"text/csv":         map[string]any{"schema": map[string]any{"type": "string"}}}},
				"400": problem, "401": problem, "403": problem,
			},
		}}
	}
	paths["/api/openapi.json"] = map[string]any{"get": map[string]any{"summary": "This document", "operationId": "openapi",
		"responses": map[string]any{"200": map[string]any{"description": "OpenAPI document"}}}}
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
