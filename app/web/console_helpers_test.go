package web

import (
	"html"
	"regexp"
)

var (
	inputRe    = regexp.MustCompile(`<input name="([^"]+)" value="([^"]*)"`)
	textareaRe = regexp.MustCompile(`(?s)<textarea name="([^"]+)"[^>]*>(.*?)</textarea>`)
	selectedRe = regexp.MustCompile(`(?s)<select name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected>`)
)

func htmlUnescape(s string) string { return html.UnescapeString(s) }
func htmlEscape(s string) string   { return html.EscapeString(s) }

func regexp2(s string) *regexp.Regexp { return regexp.MustCompile(s) }
