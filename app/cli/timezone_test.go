package cli

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestUseRegionZone(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, name := range []string{"", "Asia/Shanghai"} {
		if label, err := useRegionZone(name, log); err != nil || label != "Asia/Shanghai (UTC+8)" {
			t.Errorf("%q: %q, %v", name, label, err)
		}
	}
	_, err := useRegionZone("Mars/Olympus", log)
	if err == nil || !strings.Contains(err.Error(), `region time zone "Mars/Olympus" is not an IANA zone name`) {
		t.Errorf("unknown zone: %v", err)
	}
}
