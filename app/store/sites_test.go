package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func tri(zh, en, bo string) domain.Text {
	return domain.Text{domain.Zh: zh, domain.En: en, domain.Bo: bo}
}

// fullSite sets every field of domain.Site to a non-zero value, so a field
// the store forgets to map fails the round trip.
func fullSite() domain.Site {
	return domain.Site{
		Key:         "hailuogou",
		County:      luding,
		Name:        tri("海螺沟", "Hailuogou Glacier", "ཧའེ་ལོ་ཀོའུ།"),
		Summary:     tri("低海拔现代冰川", "A low-altitude glacier", "འཁྱགས་རོམ།"),
		Body:        tri("## 冰川\n\n**贡嘎山**东坡。", "## Glacier\n\nOn the *east* slope.", "## འཁྱགས་རོམ།"),
		Hours:       tri("07:00-17:00", "07:00-17:00", "07:00-17:00"),
		BestSeason:  tri("10月至次年3月", "October to March", "ཟླ་བ་བཅུ་པ།"),
		Safety:      tri("注意高反", "Mind the altitude", "ཉེན་བརྡ།"),
		Address:     tri("泸定县磨西镇", "Moxi, Luding", "མོ་ཞི།"),
		Reservation: tri("需实名预约", "Booking required", "སྔོན་འགོག"),
		TicketNote:  tri("淡季半价", "Half price off season", "རིན་གོང་།"),
		Prices: []domain.Price{
			{Label: tri("门票", "Entry", "འཛུལ་འཁྱེར།"), Fen: 9000},
			{Label: tri("观光车", "Shuttle", "རླངས་འཁོར།"), Fen: 7000},
			{Label: tri("儿童", "Children", "བྱིས་པ།"), Fen: 0},
		},
		AltitudeMin:  1850,
		AltitudeMax:  3600,
		AltitudeNote: tri("索道上站3600米", "Cable car top at 3,600 m", "ཐོག"),
		ALevel:       "5A",
		ALevelSince:  "2017-02",
		Location:     &domain.LatLon{Lat: 29.5744, Lon: 102.0106},
		Photos: []domain.Photo{
			{Src: "/media/hailuogou/glacier.jpg", Alt: tri("冰川", "The glacier", "འཁྱགས་རོམ།"), Width: 1600, Height: 1067},
			{Src: "/media/hailuogou/forest.jpg", Alt: tri("森林", "Forest", "ནགས།"), Width: 800, Height: 1200},
		},
		Published: true,
		// Nanoseconds and a non-UTC zone: the store keeps milliseconds in UTC.
		UpdatedAt: time.Date(2026, 11, 29, 13, 45, 12, 123456789, domain.ChinaTime),
	}
}

// assertSite compares two sites field by field through reflect.DeepEqual
// after checking UpdatedAt at millisecond precision.
func assertSite(t *testing.T, got, want domain.Site) {
	t.Helper()
	if !sameTime(got.UpdatedAt, want.UpdatedAt) {
		t.Errorf("UpdatedAt = %v, want %v (ms, UTC)", got.UpdatedAt, want.UpdatedAt.UTC().Truncate(time.Millisecond))
	}
	got.UpdatedAt, want.UpdatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
		for i := range gv.NumField() {
			if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
				t.Errorf("%s = %#v\nwant %#v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
			}
		}
		t.FailNow()
	}
}

func TestPutSiteRoundTrip(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	want := fullSite()
	if err := s.PutSite(ctx, want); err != nil {
		t.Fatalf("PutSite: %v", err)
	}
	got, err := s.Site(ctx, want.Key)
	if err != nil {
		t.Fatalf("Site: %v", err)
	}
	assertSite(t, got, want)
	if got.UpdatedAt.Nanosecond() != 123000000 {
		t.Fatalf("UpdatedAt nanoseconds = %d, want 123000000", got.UpdatedAt.Nanosecond())
	}

	// Sites returns the same value as Site.
	list, err := s.Sites(ctx, luding)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("Sites(%s) = %d sites, want 1", luding, len(list))
	}
	assertSite(t, list[0], want)
}

func TestPutSiteOptionalFieldsStayEmpty(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	want := minimalSite("mugecuo", kangding)
	if err := s.PutSite(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Site(ctx, want.Key)
	if err != nil {
		t.Fatal(err)
	}
	// Unknown location and prices must stay nil, not become zero values
	// (a 0,0 point or a "free" price list).
	if got.Location != nil || got.Prices != nil || got.Photos != nil || got.Published {
		t.Fatalf("empty optional fields came back set: %#v", got)
	}
	assertSite(t, got, want)
}

func TestPutSiteReplaces(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	if err := s.PutSite(ctx, fullSite()); err != nil {
		t.Fatal(err)
	}
	second := minimalSite("hailuogou", luding)
	if err := s.PutSite(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := s.Site(ctx, "hailuogou")
	if err != nil {
		t.Fatal(err)
	}
	assertSite(t, got, second)
}

func TestPutSiteDefaultsUpdatedAt(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	site := minimalSite("mugecuo", kangding)
	site.UpdatedAt = time.Time{}
	before := time.Now().Truncate(time.Millisecond)
	if err := s.PutSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	got, err := s.Site(ctx, site.Key)
	if err != nil {
		t.Fatal(err)
	}
	if got.UpdatedAt.Before(before) || got.UpdatedAt.After(after) {
		t.Fatalf("UpdatedAt = %v, want between %v and %v", got.UpdatedAt, before, after)
	}
}

func TestSiteNotFound(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	_, err := s.Site(context.Background(), "nosuchsite")
	if !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Site: err = %v, want ErrNotFound", err)
	}
}

func TestPutSiteUnknownCounty(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	v := contentVersion(t, s)
	site := minimalSite("gongga", "513323") // a valid code that is not stored
	err := s.PutSite(ctx, site)
	if !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("PutSite with an unknown county: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Site(ctx, site.Key); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("site of an unknown county was written (Site err = %v)", err)
	}
	if got := contentVersion(t, s); got != v {
		t.Fatalf("ContentVersion moved from %d to %d on a failed write", v, got)
	}
}

func TestPutSiteInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.Site)
	}{
		{"empty key", func(s *domain.Site) { s.Key = "" }},
		{"upper-case key", func(s *domain.Site) { s.Key = "Hailuogou" }},
		{"key with space", func(s *domain.Site) { s.Key = "hai luo" }},
		{"bad county code", func(s *domain.Site) { s.County = "5133" }},
		{"no zh name", func(s *domain.Site) { s.Name = domain.Text{domain.En: "Hailuogou"} }},
		{"negative altitude", func(s *domain.Site) { s.AltitudeMin = -1 }},
		{"altitude above 9000", func(s *domain.Site) { s.AltitudeMax = 9001 }},
		{"min above max", func(s *domain.Site) { s.AltitudeMin, s.AltitudeMax = 4000, 3000 }},
		{"latitude out of range", func(s *domain.Site) { s.Location = &domain.LatLon{Lat: 91, Lon: 102} }},
		{"longitude out of range", func(s *domain.Site) { s.Location = &domain.LatLon{Lat: 29, Lon: -181} }},
		{"negative price", func(s *domain.Site) { s.Prices = []domain.Price{{Fen: -1}} }},
	}
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	v := contentVersion(t, s)
	before, err := s.Sites(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := fullSite()
			tt.change(&site)
			if err := s.PutSite(ctx, site); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("PutSite: err = %v, want ErrInvalid", err)
			}
		})
	}
	after, err := s.Sites(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("invalid sites were written: %d sites before, %d after", len(before), len(after))
	}
	// fullSite is published; the seeded hailuogou is not.
	if got, err := s.Site(ctx, "hailuogou"); err != nil || got.Published {
		t.Fatalf("an invalid PutSite replaced the stored site (err = %v)", err)
	}
	if got := contentVersion(t, s); got != v {
		t.Fatalf("ContentVersion moved from %d to %d on invalid writes", v, got)
	}
}

func TestSitesByCounty(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s) // paomashan (kangding), hailuogou (luding)
	for _, site := range []domain.Site{minimalSite("mugecuo", kangding), minimalSite("gongga-shan", kangding), minimalSite("moxi", luding)} {
		if err := s.PutSite(ctx, site); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		county string
		want   []string
	}{
		{"", []string{"gongga-shan", "hailuogou", "moxi", "mugecuo", "paomashan"}},
		{kangding, []string{"gongga-shan", "mugecuo", "paomashan"}},
		{luding, []string{"hailuogou", "moxi"}},
		{"513323", nil},
	}
	for _, tt := range tests {
		t.Run("county="+tt.county, func(t *testing.T) {
			got, err := s.Sites(ctx, tt.county)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("Sites returned a nil slice")
			}
			keys := siteKeys(got)
			if !reflect.DeepEqual(keys, tt.want) {
				t.Fatalf("Sites(%q) = %v, want %v", tt.county, keys, tt.want)
			}
			for _, site := range got {
				if tt.county != "" && site.County != tt.county {
					t.Fatalf("site %s of county %s in Sites(%q)", site.Key, site.County, tt.county)
				}
			}
		})
	}
}

func siteKeys(sites []domain.Site) []string {
	var keys []string
	for _, s := range sites {
		keys = append(keys, s.Key)
	}
	return keys
}

func TestPutSiteMovesItsSigns(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	for _, c := range []string{"513301", "513322"} {
		if err := s.PutCounty(ctx, domain.County{Code: c, Name: domain.Text{domain.Zh: "县" + c}}); err != nil {
			t.Fatal(err)
		}
	}
	site := domain.Site{Key: "movable", County: "513301", Name: domain.Text{domain.Zh: "景区"}}
	if err := s.PutSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSign(ctx, domain.Sign{Code: "MVBX23", Site: "movable", County: "513301", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	site.County = "513322"
	if err := s.PutSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	sign, err := s.Sign(ctx, "MVBX23")
	if err != nil {
		t.Fatal(err)
	}
	if sign.County != "513322" {
		t.Fatalf("sign county %s after its site moved to 513322", sign.County)
	}
}

func TestSiteAudioAndPhotoSizesRoundTrip(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.PutCounty(ctx, domain.County{Code: "513337", Name: domain.Text{domain.Zh: "稻城县"}}); err != nil {
		t.Fatal(err)
	}
	in := domain.Site{Key: "yading", County: "513337", Name: domain.Text{domain.Zh: "稻城亚丁"},
		Photos: []domain.Photo{{Src: "/media/y.jpg", Width: 1600, Height: 1200,
			Sizes: []domain.PhotoSize{{Src: "/media/y-400.jpg", Width: 400}, {Src: "/media/y-800.jpg", Width: 800}}}},
		Audio: map[domain.Lang]domain.AudioGuide{
			domain.Zh: {Src: "/media/y-zh.mp3", Type: "audio/mpeg", Seconds: 120, Transcript: "欢迎。"},
			domain.En: {Src: "/media/y-en.ogg", Type: "audio/ogg"},
		}}
	if err := s.PutSite(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Site(ctx, "yading")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Photos, in.Photos) || !reflect.DeepEqual(got.Audio, in.Audio) {
		t.Fatalf("got photos %+v audio %+v", got.Photos, got.Audio)
	}
	bad := in
	bad.Audio = map[domain.Lang]domain.AudioGuide{domain.En: {Src: "/x.wav", Type: "audio/wav"}}
	if err := s.PutSite(ctx, bad); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("unsupported audio type: %v", err)
	}
}
