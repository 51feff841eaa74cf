package domain

import "testing"

func TestChangedFields(t *testing.T) {
	b := []FieldChange{{Field: "name", After: "a"}, {Field: "phone", After: "1"}}
	a := []FieldChange{{Field: "name", After: "a"}, {Field: "phone", After: "2"}}
	got := Changed(b, a)
	if len(got) != 1 || got[0] != (FieldChange{Field: "phone", Before: "1", After: "2"}) {
		t.Fatalf("Changed = %+v", got)
	}
	if got := Changed(a, a); len(got) != 0 {
		t.Fatalf("no change reported as %+v", got)
	}
}

func TestSiteChangesNamesPricesAndTranscripts(t *testing.T) {
	before := Site{Name: Text{Zh: "海螺沟"}, Prices: []Price{{Fen: 9000, Label: Text{Zh: "门票"}}},
		Audio: map[Lang]AudioGuide{Zh: {Src: "a.mp3", Transcript: "一"}}}
	after := before
	after.Prices = []Price{{Fen: 1250, Label: Text{Zh: "门票"}}}
	after.Audio = map[Lang]AudioGuide{Zh: {Src: "a.mp3", Transcript: "一二"}}
	got := SiteChanges(before, after)
	if len(got) != 2 || got[0] != (FieldChange{Field: "prices", Before: "门票 ¥90", After: "门票 ¥12.50"}) || got[1].Field != "audio" {
		t.Fatalf("SiteChanges = %+v", got)
	}
	if got := SiteChanges(before, before); len(got) != 0 {
		t.Fatalf("no change reported as %+v", got)
	}
}
