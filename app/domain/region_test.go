package domain

import (
	"errors"
	"testing"
)

func TestRegionTreeFromCodes(t *testing.T) {
	for _, c := range []struct {
		code string
		want Level
	}{{"510000", LevelProvince}, {"513300", LevelPrefecture}, {"513301", LevelCounty}, {"5133", ""}, {"013301", ""}} {
		if got := LevelOf(c.code); got != c.want {
			t.Errorf("LevelOf(%q) = %q, want %q", c.code, got, c.want)
		}
	}
	for _, c := range []struct {
		node, code string
		want       bool
	}{
		{"510000", "513300", true}, {"510000", "513301", true}, {"510000", "520102", false},
		{"513300", "513301", true}, {"513300", "513200", false}, {"513300", "513225", false},
		{"513300", "510000", false}, {"513301", "513301", true}, {"513301", "513322", false},
	} {
		if got := NodeContains(c.node, c.code); got != c.want {
			t.Errorf("NodeContains(%q, %q) = %v, want %v", c.node, c.code, got, c.want)
		}
	}
	if ParentCode("513301") != "513300" || ParentCode("513300") != "510000" || ParentCode("510000") != "" {
		t.Error("ParentCode does not walk county → prefecture → province → top")
	}
}

func TestRegionValidate(t *testing.T) {
	ok := Region{Code: "510000", Name: Text{Zh: "四川省"}, Divisions: []Division{{Code: "513300"}},
		Languages: []Lang{Zh, En}, Map: MapView{Lat: 30, Lon: 102, Zoom: 7}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid region refused: %v", err)
	}
	for name, r := range map[string]Region{
		"bad code":           {Code: "5133", Name: Text{Zh: "x"}},
		"no name":            {Code: "513300"},
		"division outside":   {Code: "513300", Name: Text{Zh: "x"}, Divisions: []Division{{Code: "513200"}}},
		"division is county": {Code: "510000", Name: Text{Zh: "x"}, Divisions: []Division{{Code: "513301"}}},
		"bad language":       {Code: "513300", Name: Text{Zh: "x"}, Languages: []Lang{"Tibetan"}},
		"twice a language":   {Code: "513300", Name: Text{Zh: "x"}, Languages: []Lang{Zh, Zh}},
		"map off the globe":  {Code: "513300", Name: Text{Zh: "x"}, Map: MapView{Lat: 91}},
	} {
		var ve *ValidationError
		if err := r.Validate(); !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want a ValidationError", name, err)
		}
	}
}
