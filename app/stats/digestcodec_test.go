package stats

import (
	"encoding/base64"
	"reflect"
	"testing"
)

// A digest reads back as the month it was made from; every truncation or
// corruption of it is refused (and then rebuilt by the caller), never a
// panic or a wrong month.
func TestDigestCodecRoundTrip(t *testing.T) {
	sk := NewSketch()
	for _, k := range []string{"a", "b", "c"} {
		sk.Add(k)
	}
	day := &monthDay{Counts: map[string]int64{MetricScan: 12, MetricRevenueFen: -300},
		Lang: map[string]int64{"zh": 7, "bo": 1}, Device: map[string]int64{"mobile": 8}, Referrer: map[string]int64{"wechat": 2},
		Units: map[string][2]int64{"s:hailuogou": {5, 9}, "g:HGK2EN": {3, 0}}, sketch: sk}
	day.Hours[9][0], day.Hours[23][len(hourMetrics)-1] = 12, 4
	um := (&unitMonth{Days: map[string]*monthDay{"07": day, "08": {Counts: map[string]int64{}}}, Made: 1764400000}).seal()
	data, err := encodeMonth(um)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeMonth(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Made != um.Made || len(back.Days) != 2 {
		t.Fatalf("decoded %+v", back)
	}
	got := back.Days["07"]
	if !reflect.DeepEqual(got.Counts, day.Counts) || got.Hours != day.Hours || !reflect.DeepEqual(got.Lang, day.Lang) ||
		!reflect.DeepEqual(got.Device, day.Device) || !reflect.DeepEqual(got.Referrer, day.Referrer) ||
		!reflect.DeepEqual(got.Units, day.Units) || got.sketch.Estimate() != 3 || back.sketch.Estimate() != 3 {
		t.Errorf("day 07: got %+v, want %+v", got, day)
	}
	if !reflect.DeepEqual(back.units, um.units) {
		t.Errorf("units %v, want %v", back.units, um.units)
	}
	again, _ := encodeMonth(back)
	if again != data {
		t.Error("encoding is not canonical")
	}
	raw, _ := base64.RawStdEncoding.DecodeString(data)
	for n := 0; n < len(raw); n++ {
		if _, err := decodeMonth(base64.RawStdEncoding.EncodeToString(raw[:n])); err == nil {
			t.Errorf("truncated to %d of %d bytes: accepted", n, len(raw))
		}
	}
	for _, bad := range []string{"", "{}", `{"d":{}}`, "!!!"} {
		if _, err := decodeMonth(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
