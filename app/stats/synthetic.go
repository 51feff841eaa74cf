package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// Synthetic sites: `yimayou gen-events` asked for more sites than the
// database has published creates real, published, clearly named sites and
// signs in synthetic counties, so that every console and statistics view
// shows a data set of any size. Their county codes, 9901NN, cannot be
// GB/T 2260 codes (no province is numbered 99), so they never meet a real
// county, and `gen-events --remove` finds them by code.

// MaxSyntheticCounties is the number of synthetic county codes.
const MaxSyntheticCounties = 99

const (
	syntheticCountyPrefix = "9901"
	syntheticSitePrefix   = "synthetic-"
	syntheticCampaign     = "synthetic"
)

// SyntheticCounty returns the code of the i-th synthetic county (0-based).
func SyntheticCounty(i int) string { return fmt.Sprintf("%s%02d", syntheticCountyPrefix, i+1) }

// IsSyntheticCounty reports whether code is one of SyntheticCounty's.
func IsSyntheticCounty(code string) bool {
	return len(code) == 6 && strings.HasPrefix(code, syntheticCountyPrefix) && code != syntheticCountyPrefix+"00"
}

// SyntheticSignCode returns the code of sign j (0-based) of synthetic site
// n: eight characters of the code alphabet, where generated real codes
// have six, so the two never meet.
func SyntheticSignCode(n, j int) string {
	const a = domain.CodeAlphabet
	base := len(a)
	b := []byte("ZZ")
	for _, v := range []struct{ x, width int }{{n, 4}, {j, 2}} {
		digits := make([]byte, v.width)
		x := v.x
		for k := v.width - 1; k >= 0; k-- {
			digits[k] = a[x%base]
			x /= base
		}
		b = append(b, digits...)
	}
	return string(b)
}

// SyntheticStore is what creating and removing synthetic sites needs;
// store.Store implements it.
type SyntheticStore interface {
	Counties(ctx context.Context) ([]domain.County, error)
	Sites(ctx context.Context, county string) ([]domain.Site, error)
	Signs(ctx context.Context, f store.SignFilter) ([]domain.Sign, error)
	PutCounty(ctx context.Context, c domain.County) error
	PutSite(ctx context.Context, s domain.Site) error
	Sign(ctx context.Context, code string) (domain.Sign, error)
	PutSign(ctx context.Context, s domain.Sign) error
	RemoveCounty(ctx context.Context, code string) (sites, signs int64, err error)
	RollupNodeMonths(ctx context.Context) (map[string][]string, error)
	DeleteRollups(ctx context.Context, ids []string, progress func(done int)) (int64, error)
	DeleteStatsDigestsOfCounties(ctx context.Context, counties []string) error
	DeleteEventsOfCounties(ctx context.Context, counties []string) (int64, error)
}

// SyntheticOptions say how many synthetic sites to add.
type SyntheticOptions struct {
	Sites        int // new sites
	Counties     int // spread over this many synthetic counties (1..MaxSyntheticCounties)
	SignsPerSite int
}

// AddSynthetic creates opt.Sites new published synthetic sites with their
// signs and counties, numbered after those that exist, and returns them
// as generator units with their sign codes. progress (may be nil) gets
// the number of sites done.
func AddSynthetic(ctx context.Context, st SyntheticStore, opt SyntheticOptions, progress func(done int)) ([]Unit, map[string][]string, error) {
	if opt.Counties < 1 || opt.Counties > MaxSyntheticCounties {
		return nil, nil, fmt.Errorf("stats: synthetic counties %d: want 1..%d", opt.Counties, MaxSyntheticCounties)
	}
	counties, err := st.Counties(ctx)
	if err != nil {
		return nil, nil, err
	}
	have := map[string]bool{}
	taken := map[string]bool{}
	for _, c := range counties {
		if !IsSyntheticCounty(c.Code) {
			continue
		}
		have[c.Code] = true
		sites, err := st.Sites(ctx, c.Code)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range sites {
			taken[s.Key] = true
		}
	}
	var units []Unit
	signs := map[string][]string{}
	for n := 1; len(units) < opt.Sites; n++ {
		key := fmt.Sprintf("%s%03d", syntheticSitePrefix, n)
		if taken[key] {
			continue
		}
		ci := (n - 1) % opt.Counties
		county := SyntheticCounty(ci)
		if !have[county] {
			num := fmt.Sprintf("%02d", ci+1)
			if err := st.PutCounty(ctx, domain.County{Code: county, Pinyin: "Synthetic " + num,
				Name: domain.Text{domain.Zh: "合成测试县 " + num, domain.En: "Synthetic county " + num,
					domain.Bo: "ཚོད་ལྟའི་རྫོང་ " + num}}); err != nil {
				return nil, nil, fmt.Errorf("stats: synthetic county %s: %w", county, err)
			}
			have[county] = true
		}
		num := fmt.Sprintf("%03d", n)
		// Spread over Garzê's box (28.5–33.5 °N, 98–101.5 °E) by the
		// golden ratio, the same places on every run.
		frac := func(x float64) float64 { return x - float64(int(x)) }
		site := domain.Site{Key: key, County: county, Published: true,
			Name: domain.Text{domain.Zh: "合成测试点 " + num, domain.En: "Synthetic site " + num,
				domain.Bo: "ཚོད་ལྟའི་ས་ཆ་ " + num},
			Summary: domain.Text{domain.Zh: "合成测试数据，不是真实景区；用 yimayou gen-events --remove 删除。",
				domain.En: "Synthetic test data, not a real site; yimayou gen-events --remove removes it.",
				domain.Bo: "ཚོད་ལྟའི་གཞི་གྲངས། yimayou gen-events --remove"},
			Location: &domain.LatLon{Lat: 28.5 + 5*frac(float64(n)*0.6180339887), Lon: 98 + 3.5*frac(float64(n)*0.7548776662)}}
		if err := st.PutSite(ctx, site); err != nil {
			return nil, nil, fmt.Errorf("stats: synthetic site %s: %w", key, err)
		}
		for j := 0; j < opt.SignsPerSite; j++ {
			code := SyntheticSignCode(n, j)
			old, err := st.Sign(ctx, code)
			switch {
			case err == nil && old.Site != key:
				return nil, nil, fmt.Errorf("stats: synthetic sign %s: the code is taken by a sign of %s", code, old.Site)
			case err != nil && !errors.Is(err, domain.ErrNotFound):
				return nil, nil, err
			}
			if err := st.PutSign(ctx, domain.Sign{Code: code, Site: key, County: county, Enabled: true,
				Label: fmt.Sprintf("Synthetic sign %s-%d", num, j+1), Campaign: syntheticCampaign}); err != nil {
				return nil, nil, fmt.Errorf("stats: synthetic sign %s: %w", code, err)
			}
			signs[key] = append(signs[key], code)
		}
		units = append(units, Unit{County: county, Key: key, Site: key})
		if progress != nil {
			progress(len(units))
		}
	}
	return units, signs, nil
}

// SyntheticRemoved counts what RemoveSynthetic deleted.
type SyntheticRemoved struct {
	Counties, Sites, Signs, Rollups, Events int64
	// Months had synthetic rollups: their prefecture level documents were
	// deleted too, and must be derived again from the sites that remain
	// (events.DeriveLevels), since a level cannot be lowered in place.
	Months []string
}

// RemoveSynthetic deletes every synthetic county with its sites, signs,
// rollups, digests and raw events. The counties go last, so an
// interrupted removal is finished by running it again. progress (may be
// nil) gets the number of rollup ids looked up and their total.
func RemoveSynthetic(ctx context.Context, st SyntheticStore, progress func(done, total int)) (SyntheticRemoved, error) {
	var out SyntheticRemoved
	counties, err := st.Counties(ctx)
	if err != nil {
		return out, err
	}
	var codes []string
	for _, c := range counties {
		if IsSyntheticCounty(c.Code) {
			codes = append(codes, c.Code)
		}
	}
	if len(codes) == 0 {
		return out, nil
	}
	nodeMonths, err := st.RollupNodeMonths(ctx)
	if err != nil {
		return out, err
	}
	// Every document a synthetic site or sign can have: by _id, which the
	// embedded server answers from its index.
	var ids []string
	for _, code := range codes {
		sites, err := st.Sites(ctx, code)
		if err != nil {
			return out, err
		}
		signs, err := st.Signs(ctx, store.SignFilter{County: code})
		if err != nil {
			return out, err
		}
		for node, months := range nodeMonths {
			for _, m := range months {
				ids = append(ids, store.RollupID(store.RollupCounty, code, code, m, node),
					store.RollupID(store.RollupRank, code, code, m, node))
				for d := 1; d <= 31; d++ {
					ids = append(ids, store.RollupID(store.RollupRankDay, code, fmt.Sprintf("%s-%02d", m, d), m, node))
				}
				for _, s := range sites {
					ids = append(ids, store.RollupID(store.RollupSite, code, s.Key, m, node))
				}
				for _, s := range signs {
					ids = append(ids, store.RollupID(store.RollupSign, code, s.Code, m, node))
				}
			}
		}
	}
	// The prefecture's level documents hold the synthetic counts too.
	seen := map[string]bool{}
	for node, months := range nodeMonths {
		for _, m := range months {
			ids = append(ids, store.RollupID(store.RollupAll, store.LevelAll, store.LevelAll, m, node),
				store.RollupID(store.RollupRankMonth, store.LevelAll, store.LevelAll, m, node))
			for d := 1; d <= 31; d++ {
				ids = append(ids, store.RollupID(store.RollupRankDay, store.LevelAll, fmt.Sprintf("%s-%02d", m, d), m, node))
			}
			if !seen[m] {
				seen[m] = true
				out.Months = append(out.Months, m)
			}
		}
	}
	sort.Strings(out.Months)
	// And their month documents.
	for _, id := range ids {
		if p := strings.SplitN(id, "|", 2); len(p) == 2 && store.MonthKind(p[0]) != "" {
			ids = append(ids, store.MonthKind(p[0])+"|"+p[1])
		}
	}
	out.Rollups, err = st.DeleteRollups(ctx, ids, func(done int) {
		if progress != nil {
			progress(done, len(ids))
		}
	})
	if err != nil {
		return out, err
	}
	if err := st.DeleteStatsDigestsOfCounties(ctx, codes); err != nil {
		return out, err
	}
	if out.Events, err = st.DeleteEventsOfCounties(ctx, codes); err != nil {
		return out, err
	}
	for _, code := range codes {
		sites, signs, err := st.RemoveCounty(ctx, code)
		out.Sites += sites
		out.Signs += signs
		if err != nil {
			return out, err
		}
		out.Counties++
	}
	return out, nil
}
