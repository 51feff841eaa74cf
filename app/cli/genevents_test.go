package cli

import (
	"strings"
	"testing"
)

func TestGenEvents(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "", "gen-events", "--sites", "3", "--days", "3", "--per-day", "50", "--from", "2026-11-01")
	if code != 0 || !strings.Contains(out, "450 events over 3 sites, 2026-11-01..2026-11-03, stored and rolled up") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run(t, dir, "", "gen-events", "--sites", "2", "--days", "2", "--per-day", "10", "--from", "2026-12-01", "--direct", "--seed", "9")
	if code != 0 || !strings.Contains(out, "40 events over 2 sites") || !strings.Contains(out, "rollup documents") {
		t.Fatalf("direct: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, _ := run(t, dir, "", "gen-events", "--days", "0"); code != 2 {
		t.Errorf("--days 0: exit %d", code)
	}
}
