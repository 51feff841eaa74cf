package domain

import (
	"slices"
	"testing"
)

func treeCounties(codes ...string) []County {
	var out []County
	for _, c := range codes {
		out = append(out, County{Code: c, Name: Text{Zh: c}})
	}
	return out
}

func TestRegionTreeLevels(t *testing.T) {
	counties := treeCounties("513322", "513301", "513225", "513201", "510104", "520102")
	province := Region{Code: "510000", ShortName: Text{Zh: "四川"},
		Divisions: []Division{{Code: "513300", Name: Text{Zh: "甘孜州"}}, {Code: "513200", Name: Text{Zh: "阿坝州"}}}}
	tree := province.Tree(counties)
	var got []string
	for _, n := range tree.Nodes() {
		got = append(got, n.Code+":"+string(n.Level))
	}
	// Divisions first, each with its counties; a county under no division
	// hangs under the top, and so does one outside the province (only
	// synthetic counties are), so that no stored county is hidden.
	want := []string{"510000:province", "513200:prefecture", "513201:county", "513225:county",
		"513300:prefecture", "513301:county", "513322:county", "510104:county", "520102:county"}
	if !slices.Equal(got, want) {
		t.Fatalf("province tree %v, want %v", got, want)
	}
	if p := tree.Path("513225"); len(p) != 3 || p[1].Code != "513200" || p[2].Depth != 2 {
		t.Errorf("path to 513225: %v", p)
	}
	if c := tree.Find("513300").Counties(); !slices.Equal(c, []string{"513301", "513322"}) {
		t.Errorf("counties of 513300: %v", c)
	}
	if c := tree.ScopeCounties([]string{"513300", "513225"}); !slices.Equal(c, []string{"513225", "513301", "513322"}) {
		t.Errorf("scope of a division and a county: %v", c)
	}
	if c := tree.ScopeCounties([]string{"510000"}); len(c) != 5 || slices.Contains(c, "520102") {
		t.Errorf("scope of the top: %v", c)
	}

	// A prefecture: two levels, no division.
	pref := Region{Code: "513300"}.Tree(treeCounties("513301", "513322"))
	if len(pref.Nodes()) != 3 || pref.Children[0].Depth != 1 || len(pref.Name) != 0 {
		t.Errorf("prefecture tree: %+v", pref.Nodes())
	}
	// A single county: the top is the county, named after it, and
	// nothing else (no empty level above or below).
	one := Region{Code: "513225"}.Tree(treeCounties("513225"))
	if len(one.Nodes()) != 1 || one.Level != LevelCounty || one.Name[Zh] != "513225" || !slices.Equal(one.Counties(), []string{"513225"}) {
		t.Errorf("single-county tree: %+v", one.Nodes())
	}
}

func TestUserScopeNodes(t *testing.T) {
	pref := User{Username: "aba", Role: RoleEditor, Counties: []string{"513200"}}
	county := User{Username: "dawu", Role: RoleOperator, Counties: []string{"513326"}}
	province := User{Username: "sc", Role: RoleAdmin}
	for _, c := range []struct {
		u    User
		code string
		want bool
	}{
		{pref, "513225", true}, {pref, "513200", true}, {pref, "513326", false}, {pref, "510000", false}, {pref, "513300", false},
		{county, "513326", true}, {county, "513300", false}, {county, "513301", false},
		{province, "513326", true}, {province, "510000", true},
	} {
		if got := c.u.CanAccessCounty(c.code); got != c.want {
			t.Errorf("%s CanAccessCounty(%s) = %v, want %v", c.u.Username, c.code, got, c.want)
		}
	}
	if !province.RegionWide() || pref.RegionWide() || (User{Role: RoleAdmin, Counties: []string{"513300"}}).RegionWide() {
		t.Error("RegionWide: only an admin without nodes")
	}
	if err := pref.Validate(); err != nil {
		t.Errorf("a division scope is valid: %v", err)
	}
	a := Alert{County: "513200", Level: AlertInfo, Text: Text{Zh: "x"}}
	if !a.Shows("513225", "") || a.Shows("513326", "") {
		t.Error("a division's banner shows in its counties only")
	}
}
