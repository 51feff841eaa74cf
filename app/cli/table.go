package cli

import (
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// writeTable writes rows as columns two spaces apart, aligned by display
// width: a Chinese character takes two terminal cells, a Tibetan stack or
// a combining mark none, which tabwriter (counting runes) gets wrong.
func writeTable(w io.Writer, rows [][]string) error {
	// A label with a tab or a line break would break its row.
	flat := strings.NewReplacer("\t", " ", "\r\n", " ", "\n", " ", "\r", " ")
	widths := map[int]int{}
	for _, r := range rows {
		for i, c := range r {
			r[i] = flat.Replace(c)
			widths[i] = max(widths[i], runewidth.StringWidth(r[i]))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+2))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
