package content

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	democontent "github.com/yimayou/yimayou/content"
)

// store.Store is what the CLI hands to Import and Export.
var (
	_ Importer = (*store.Store)(nil)
	_ Current  = (*store.Store)(nil)
	_ Exporter = (*store.Store)(nil)
)

func demoPack(t *testing.T) Pack {
	t.Helper()
	p, err := Load(democontent.FS)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportExport(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	p := demoPack(t)
	total := 1 + len(p.Counties) + len(p.Sites) + len(p.Signs) + len(p.Tickets) // 1: region.yaml

	var calls [][2]int
	stats, err := Import(ctx, st, p, WithProgress(func(done, total int) { calls = append(calls, [2]int{done, total}) }))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	want := ImportStats{Region: 1, Counties: len(p.Counties), Sites: len(p.Sites), Signs: len(p.Signs), Tickets: len(p.Tickets)}
	if stats != want {
		t.Errorf("stats %+v, want %+v", stats, want)
	}
	if len(calls) != total+1 || calls[0] != [2]int{0, total} || calls[total] != [2]int{total, total} {
		t.Errorf("progress calls %v", calls)
	}

	got, err := Export(ctx, st)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("Export after Import differs from the pack:\n%#v\nwant\n%#v", got, p)
	}

	// A second import finds everything in place and writes nothing: the
	// content version, UpdatedAt and CreatedAt do not move.
	version, _ := st.ContentVersion(ctx)
	site, _ := st.Site(ctx, "yading")
	sign, _ := st.Sign(ctx, p.Signs[0].Code)
	stats, err = Import(ctx, st, p)
	if err != nil {
		t.Fatalf("second Import: %v", err)
	}
	if stats != (ImportStats{Unchanged: total}) {
		t.Errorf("second import stats %+v, want all %d unchanged", stats, total)
	}
	if v, _ := st.ContentVersion(ctx); v != version {
		t.Errorf("content version moved from %d to %d", version, v)
	}
	if s, _ := st.Site(ctx, "yading"); !s.UpdatedAt.Equal(site.UpdatedAt) {
		t.Errorf("UpdatedAt moved from %v to %v", site.UpdatedAt, s.UpdatedAt)
	}
	if g, _ := st.Sign(ctx, p.Signs[0].Code); !g.CreatedAt.Equal(sign.CreatedAt) {
		t.Errorf("CreatedAt moved from %v to %v", sign.CreatedAt, g.CreatedAt)
	}

	// An edit writes only what changed, and a sign keeps its CreatedAt.
	edited := demoPack(t)
	edited.Sites[0].Summary[domain.En] = "Changed."
	edited.Signs[0].Label = "Moved to the car park"
	stats, err = Import(ctx, st, edited)
	if err != nil {
		t.Fatalf("Import edited: %v", err)
	}
	if stats != (ImportStats{Sites: 1, Signs: 1, Unchanged: total - 2}) {
		t.Errorf("edited import stats %+v", stats)
	}
	if g, _ := st.Sign(ctx, p.Signs[0].Code); !g.CreatedAt.Equal(sign.CreatedAt) || g.Label != "Moved to the car park" {
		t.Errorf("edited sign %+v, want CreatedAt %v", g, sign.CreatedAt)
	}
	if got, err := Export(ctx, st); err != nil || !reflect.DeepEqual(got, edited) {
		t.Errorf("Export after edit: %v", err)
	}
}

// putOnly hides the store's lookups, as any Importer that is not
// store.Store would.
type putOnly struct{ s *store.Store }

func (p putOnly) PutCounty(ctx context.Context, c domain.County) error { return p.s.PutCounty(ctx, c) }
func (p putOnly) PutSite(ctx context.Context, s domain.Site) error     { return p.s.PutSite(ctx, s) }
func (p putOnly) PutSign(ctx context.Context, s domain.Sign) error     { return p.s.PutSign(ctx, s) }
func (p putOnly) PutRegion(ctx context.Context, r domain.Region) error { return p.s.PutRegion(ctx, r) }
func (p putOnly) PutTicketSite(ctx context.Context, c domain.TicketSettings) error {
	return p.s.PutTicketSite(ctx, c)
}

func TestImportTwiceWithoutLookups(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	p := demoPack(t)
	for i := range 2 {
		stats, err := Import(ctx, putOnly{st}, p)
		if err != nil {
			t.Fatalf("Import %d: %v", i, err)
		}
		if stats.Unchanged != 0 || stats.Signs != len(p.Signs) {
			t.Errorf("Import %d: stats %+v", i, stats)
		}
		got, err := Export(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("Export after import %d differs from the pack", i)
		}
	}
}

func TestImportRejectsInvalidPackBeforeWriting(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	p := demoPack(t)
	p.Signs = append(p.Signs, domain.Sign{Code: "ZZZZZZ", Site: "nowhere", County: "513301", Enabled: true})
	_, err := Import(ctx, st, p)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("Import: %v, want a *content.Error", err)
	}
	if cs, _ := st.Counties(ctx); len(cs) != 0 {
		t.Errorf("%d counties written before the pack was rejected", len(cs))
	}
}

func TestExportAfterSiteMovesCounty(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	p := demoPack(t)
	if _, err := Import(ctx, st, p); err != nil {
		t.Fatal(err)
	}
	// A site moved to another county takes its signs along (the pack
	// format says signs take their site's county), so the export is
	// still a valid pack.
	site, _ := st.Site(ctx, p.Signs[0].Site)
	for _, c := range p.Counties {
		if c.Code != site.County {
			site.County = c.Code
			break
		}
	}
	if err := st.PutSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	out, err := Export(ctx, st)
	if err != nil {
		t.Fatalf("Export after a county move: %v", err)
	}
	for _, sign := range out.Signs {
		if sign.Site == site.Key && sign.County != site.County {
			t.Errorf("sign %s kept county %s, site moved to %s", sign.Code, sign.County, site.County)
		}
	}
}

func TestImportStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := storetest.New(t)
	p := demoPack(t)
	_, err := Import(ctx, st, p, WithProgress(func(done, _ int) {
		if done == 4 { // region.yaml and three counties
			cancel()
		}
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Import: %v, want context.Canceled", err)
	}
	if cs, _ := st.Counties(context.Background()); len(cs) != 3 {
		t.Errorf("%d counties written, want 3", len(cs))
	}
}
