package web

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders site bodies. goldmark escapes raw HTML by default, so an
// editor's Markdown cannot inject script. Results are cached per content
// version, since bodies change only on edit.
type markdown struct {
	md      goldmark.Markdown
	mu      sync.Mutex
	version int64
	cache   map[string]template.HTML
}

func newMarkdown() *markdown {
	return &markdown{md: goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify)),
		cache: map[string]template.HTML{}}
}

func (m *markdown) render(version int64, key, src string) template.HTML {
	if src == "" {
		return ""
	}
	m.mu.Lock()
	if m.version != version {
		m.version, m.cache = version, map[string]template.HTML{}
	}
	h, ok := m.cache[key]
	m.mu.Unlock()
	if ok {
		return h
	}
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	h = template.HTML(buf.String())
	m.mu.Lock()
	if m.version == version {
		m.cache[key] = h
	}
	m.mu.Unlock()
	return h
}
