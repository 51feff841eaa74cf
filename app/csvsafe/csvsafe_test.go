package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	cases := map[string]string{
		"":                       "",
		"海螺沟 A":                  "海螺沟 A",
		"=1+1":                   "'=1+1",
		"+1+1":                   "'+1+1",
		"-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
		"@SUM(A1)":               "'@SUM(A1)",
		"\t=1":                   "'\t=1",
		"\r=1":                   "'\r=1",
		"-12":                    "-12",
		"+3":                     "+3",
		"-0.50":                  "-0.50",
		"-":                      "'-",
		"-.5":                    "'-.5",
		"-1.":                    "'-1.",
		"-1e5":                   "'-1e5",
		"-1,5":                   "'-1,5",
		"a=1":                    "a=1",
		"1-2":                    "1-2",
		"- 12":                   "'- 12",
		"-12\n=1":                "'-12\n=1",
	}
	for in, want := range cases {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteAll([][]string{{"label", "n"}, {"=HYPERLINK(\"x\")", "-3"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != `'=HYPERLINK("x")` || rows[1][1] != "-3" {
		t.Errorf("rows %q", rows)
	}
}
