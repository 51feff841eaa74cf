// Package csvsafe writes CSV that a spreadsheet opens as data: a cell that
// starts with = + - @, a tab or a carriage return is read by Excel,
// LibreOffice and Sheets as a formula ("CSV injection"), so such a cell
// gets a leading apostrophe, which the spreadsheet shows as text.
//
// A cell that is exactly a decimal number (-12, +3, -0.50) is left alone:
// it is no formula, and our own numeric columns (a change from the
// previous period, a refund in yuan) must stay numbers a spreadsheet can
// sum. A user's label that happens to be such a number is just as
// harmless. Every CSV yimayou writes goes through this package.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell returns s defused for a spreadsheet.
func Cell(s string) string {
	if s == "" || !risky(s[0]) || isNumber(s) {
		return s
	}
	return "'" + s
}

func risky(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// isNumber reports whether s is a plain decimal: an optional sign, digits,
// and optionally a point and more digits.
func isNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// Row returns a copy of row with every cell defused.
func Row(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = Cell(c)
	}
	return out
}

// Writer is a csv.Writer that defuses every cell it writes.
type Writer struct {
	*csv.Writer
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{csv.NewWriter(w)} }

// Write writes one defused record.
func (w *Writer) Write(record []string) error { return w.Writer.Write(Row(record)) }

// WriteAll writes defused records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
